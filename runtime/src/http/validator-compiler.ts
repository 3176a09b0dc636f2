// The validator compiler of both APIs: TypeBox's, with integers in query strings and paths read strictly.
// TypeBox converts those parts to their declared types before checking them, and its conversion is
// JavaScript's: `?limit=1.5` became 1, `0x10` 16, `true` 1, ` 5` 5. Here an integer parameter must be written
// as canonical decimal digits, for every route at once: no route can forget it.
import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import type { FastifySchemaCompiler, FastifySchemaValidationError } from 'fastify';
import type { TSchema } from 'typebox';

/** An integer as a client should write it: decimal digits, an optional minus, no leading zero, nothing else. */
export const DECIMAL_INTEGER = /^(?:0|-?[1-9][0-9]*)$/;

/** The names of the properties an object schema declares as integers. */
function integerProperties(schema: TSchema): string[] {
  const properties = (schema as { properties?: Record<string, { type?: unknown }> }).properties ?? {};
  return Object.entries(properties)
    .filter(([, property]) => property.type === 'integer')
    .map(([name]) => name);
}

export const validatorCompiler: FastifySchemaCompiler<TSchema> = (route) => {
  const validate = TypeBoxValidatorCompiler(route);
  // bodies are JSON, whose numbers are never converted; headers declare no integers
  if (route.httpPart !== 'querystring' && route.httpPart !== 'params') return validate;
  const integers = integerProperties(route.schema);
  if (integers.length === 0) return validate;
  return (value) => {
    const parts = (value ?? {}) as Record<string, unknown>;
    for (const name of integers) {
      const raw = parts[name];
      // a repeated parameter (an array) is left to the schema, which refuses it
      if (typeof raw === 'string' && !DECIMAL_INTEGER.test(raw)) {
        const error: FastifySchemaValidationError = {
          keyword: 'type',
          instancePath: `/${name}`,
          schemaPath: `#/properties/${name}/type`,
          params: { type: 'integer' },
          message: 'must be an integer written in decimal digits',
        };
        return { error: [error] };
      }
    }
    return validate(value);
  };
};
