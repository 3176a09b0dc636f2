// Typed errors and the one error handler of both APIs: every failure is JSON {"error","message"} with the
// right status, and a 5xx never leaks its cause (it is logged with the request context instead).
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

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

/**
 * `allowedMethods(path)`: the methods of the routes whose pattern matches `path` (see routeMethods in
 * base-app.ts), so that a known path with the wrong method is a 405 with Allow, and only an unknown path a 404.
 */
export function installErrorHandler(app: FastifyInstance, allowedMethods: (path: string) => string[] = () => []): void {
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
  // the URL is never echoed back (neither here nor in any other error): a reflected path is an injection vector
  app.setNotFoundHandler((request, reply) => {
    const allowed = allowedMethods(request.url.split('?')[0] ?? '/');
    if (allowed.length) {
      return reply
        .status(405)
        .header('allow', allowed.join(', '))
        .send({ error: 'method_not_allowed', message: `${request.method} is not allowed here; allowed: ${allowed.join(', ')}` });
    }
    return reply.status(404).send({ error: 'not_found', message: `no route for ${request.method} here` });
  });
}

/**
 * What fastify answers itself, before any route or hook (frameworkErrors): a URL that is not valid
 * percent-encoding and a path parameter over maxParamLength. Its own bodies quote the whole URL.
 */
export function frameworkError(headers: Readonly<Record<string, string>>) {
  return (error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void => {
    reply.headers(headers);
    if (error.code === 'FST_ERR_MAX_PARAM_LENGTH')
      void reply.status(414).send({ error: 'uri_too_long', message: 'a path segment is too long' });
    else if (error.code === 'FST_ERR_BAD_URL') void reply.status(400).send({ error: 'invalid_url', message: 'the URL is not valid' });
    else void reply.status(500).send({ error: 'internal_error', message: 'internal error' });
  };
}

const CLIENT_ERRORS: Record<string, [number, string, string]> = {
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'request_timeout', 'the request was not received in time'],
  HPE_HEADER_OVERFLOW: [431, 'headers_too_large', 'the request headers are too large'],
};

/**
 * What node's HTTP parser refuses (fastify's clientErrorHandler): a malformed request, headers over the limit,
 * a request not received within requestTimeout. Answered as JSON like every other error, then the socket is
 * closed: the parser cannot read anything after it.
 */
export function clientError(headers: Readonly<Record<string, string>>) {
  const extra = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  return (error: NodeJS.ErrnoException, socket: Duplex): void => {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const [status, code, message] = CLIENT_ERRORS[error.code ?? ''] ?? [400, 'bad_request', 'malformed HTTP request'];
    const body = JSON.stringify({ error: code, message });
    // a response already started (a handler that answered before the body finished) cannot take another
    const started = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent === true;
    if (socket.writable && !started) {
      socket.end(
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\n` +
          `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n${extra}\r\n${body}`,
      );
      // end() flushes, then closes; a client that never reads must not hold the socket either
      setTimeout(() => socket.destroy(), 1000).unref();
    } else {
      socket.destroy();
    }
  };
}
