// The JSON body parser of both APIs. A JSON number becomes a double before any route sees it, so an amount
// written as 9999.999999999999999 would arrive as 10000 and 1E3 as 1000. The parser keeps the text each
// number was written as (JSON.parse source text access), so money is validated and converted from exactly
// what the client sent. Prototype-poisoning keys are refused as fastify's own parser does.
import sjson from 'secure-json-parse';

const numberTexts = new WeakMap<object, Map<string, string>>();
/** A JSON number starts a document or follows `:`, `,` or `[`, maybe after whitespace. */
const MAY_HOLD_A_NUMBER = /(?:^|[:,[])\s*-?\d/;

function keepNumberText(this: unknown, key: string, value: unknown, context?: { source?: string }): unknown {
  if (typeof value === 'number' && context?.source !== undefined && this !== null && typeof this === 'object') {
    const texts = numberTexts.get(this) ?? new Map<string, string>();
    texts.set(key, context.source);
    numberTexts.set(this, texts);
  }
  return value;
}

/**
 * Parses a request body. An empty body (or one of whitespace only) is no body at all: `undefined`, which
 * the route's schema then accepts (an optional body) or refuses.
 */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  // the reviver costs several times the parse, so it runs only on a body that may hold a number: one that
  // has a digit where a value starts (inside a string this only takes the slower path, never the wrong one)
  const reviver = MAY_HOLD_A_NUMBER.test(text) ? (keepNumberText as (key: string, value: unknown) => unknown) : null;
  try {
    return sjson.parse(text, reviver, { protoAction: 'error', constructorAction: 'error' });
  } catch (error) {
    // the reviver walks the document recursively: thousands of levels exhaust the stack, and no request of
    // ours nests more than two
    if (error instanceof RangeError) throw new SyntaxError('body is nested too deeply');
    throw error;
  }
}

/** The text a number of a parsed body was written as (`holder[key]`), or undefined when it is not a number. */
export function jsonNumberText(holder: object, key: string): string | undefined {
  return numberTexts.get(holder)?.get(key);
}
