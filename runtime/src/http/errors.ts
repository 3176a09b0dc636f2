// Typed errors and the one error handler of both APIs: every failure is JSON {"error","message"} with the
// right status, and a 5xx never leaks its cause (it is logged with the request context instead).
import type { FastifyError, FastifyInstance } from 'fastify';

export class HttpError extends Error {
  readonly statusCode: number;
  readonly error: string;
  readonly headers: Record<string, string>;
  constructor(statusCode: number, error: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.statusCode = statusCode;
    this.error = error;
    this.headers = headers;
  }
}

export const badRequest = (message: string, error = 'validation_failed') => new HttpError(400, error, message);
export const unauthorized = (message: string) => new HttpError(401, 'unauthorized', message, { 'www-authenticate': 'Bearer' });
export const forbidden = (message: string) => new HttpError(403, 'forbidden', message);
export const notFound = (message: string) => new HttpError(404, 'not_found', message);
export const conflict = (message: string, error = 'conflict') => new HttpError(409, error, message);

const FASTIFY_CODES: Record<string, [number, string]> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'unsupported_media_type'],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'payload_too_large'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'invalid_json'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'invalid_json'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'invalid_request'],
};

function validationMessage(error: FastifyError): string {
  const first = error.validation?.[0];
  if (!first) return error.message;
  const where = `${error.validationContext ?? 'request'}${first.instancePath ? first.instancePath.replaceAll('/', '.') : ''}`;
  const params = (first.params ?? {}) as Record<string, unknown>;
  // TypeBox reports a property that additionalProperties: false forbids as a false schema at its path
  if (first.keyword === 'boolean') return `${where}: unknown property`;
  if (first.keyword === 'additionalProperties')
    return `${where}: unknown property "${String(params.additionalProperties ?? params.additionalProperty)}"`;
  if (first.keyword === 'required') {
    const missing = (params.requiredProperties as string[] | undefined) ?? [String(params.missingProperty)];
    return `${where}: missing property ${missing.map((m) => `"${m}"`).join(', ')}`;
  }
  return `${where} ${first.message ?? 'is invalid'}`;
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | HttpError, request, reply) => {
    if (error instanceof HttpError) {
      return reply.status(error.statusCode).headers(error.headers).send({ error: error.error, message: error.message });
    }
    if (error.validation) {
      return reply.status(400).send({ error: 'validation_failed', message: validationMessage(error) });
    }
    const known = error.code ? FASTIFY_CODES[error.code] : undefined;
    if (known) return reply.status(known[0]).send({ error: known[1], message: error.message });
    if (error instanceof SyntaxError || (error as { type?: string }).type === 'entity.parse.failed') {
      return reply.status(400).send({ error: 'invalid_json', message: 'body is not valid JSON' });
    }
    if (error.statusCode === 429) {
      return reply.status(429).send({ error: 'rate_limited', message: error.message });
    }
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.status(error.statusCode).send({ error: 'bad_request', message: error.message });
    }
    request.log.error({ err: error }, 'request failed');
    return reply.status(500).send({ error: 'internal_error', message: 'internal error' });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ error: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` }),
  );
}
