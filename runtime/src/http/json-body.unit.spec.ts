// Specifications of the APIs' JSON body parser: numbers keep the text they were written as, an empty body is
// no body, and prototype-poisoning keys are refused.
import { describe, expect, it } from 'vitest';
import { jsonNumberText, parseJsonBody } from './json-body.ts';

describe('a number keeps the text it was written as', () => {
  it.each(['9999.999999999999999', '1E3', '1.50', '0.10000000000000001', '-0', '1e400'])('%s', (text) => {
    const body = parseJsonBody(`{"amount":${text}}`) as { amount: number };
    expect(body.amount).toBe(Number(text));
    expect(jsonNumberText(body, 'amount')).toBe(text);
  });

  it('in nested objects and arrays, each under its own holder', () => {
    const body = parseJsonBody('{"a":{"b":1.0},"c":[2.50,3]}') as { a: object; c: object };
    expect(jsonNumberText(body.a, 'b')).toBe('1.0');
    expect(jsonNumberText(body.c, '0')).toBe('2.50');
    expect(jsonNumberText(body.c, '1')).toBe('3');
  });

  it('a bare number, a negative one, and numbers after whitespace', () => {
    expect(parseJsonBody(' 42')).toBe(42);
    const body = parseJsonBody('{"a" :\n -1.50, "b": [ 7 ]}') as { a: number; b: object };
    expect(jsonNumberText(body, 'a')).toBe('-1.50');
    expect(jsonNumberText(body.b, '0')).toBe('7');
  });

  it('a string is not a number', () => {
    const body = parseJsonBody('{"amount":"1.50"}') as object;
    expect(jsonNumberText(body, 'amount')).toBeUndefined();
  });
});

describe('bodies', () => {
  it.each(['', '  \n\t '])('an empty body (%j) is no body', (text) => {
    expect(parseJsonBody(text)).toBeUndefined();
  });

  it('a document nested thousands of levels deep around a number is refused, not a stack overflow', () => {
    expect(() => parseJsonBody(`{"a":${'['.repeat(50_000)}1${']'.repeat(50_000)}}`)).toThrow(SyntaxError);
  });

  it.each(['{"__proto__":{"x":1}}', '{"constructor":{"prototype":{"x":1}}}', '{"a":'])('%s is refused', (text) => {
    expect(() => parseJsonBody(text)).toThrow(SyntaxError);
  });
});
