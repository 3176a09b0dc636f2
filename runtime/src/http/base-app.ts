// What both HTTP APIs share: fastify with the typebox type provider, security headers, CORS for the
// dashboard only, the one error handler, token auth, request metrics, /health/live, /health/ready, /metrics.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import cors from '@fastify/cors';
import { type TypeBoxTypeProvider, TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import helmet from 'helmet';
import type { TokenVerifier } from '../auth.ts';
import type { Logger } from '../logger.ts';
import { Histogram, type Registry } from '../metrics.ts';
import { authPlugin } from './auth-plugin.ts';
import { installErrorHandler } from './errors.ts';

const REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

/**
 * helmet's default security headers, computed once: an API answering JSON sends the same ones on every
 * response. (@fastify/helmet built the whole helmet middleware again for each request: ~5% of the command
 * API's CPU under load.)
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = (() => {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: unknown) => {
      headers[name.toLowerCase()] = String(value);
    },
    removeHeader: (name: string) => {
      delete headers[name.toLowerCase()];
    },
  };
  helmet()({} as IncomingMessage, response as unknown as ServerResponse, () => {});
  return Object.freeze(headers);
})();

export type ReadinessCheck = () => Promise<void>;

export type BaseAppOptions = {
  logger: Logger;
  registry: Registry;
  verifier: TokenVerifier;
  corsOrigins: string[];
  readiness: Record<string, ReadinessCheck>;
  bodyLimit?: number;
};

export type App = FastifyInstance<
  import('node:http').Server,
  import('node:http').IncomingMessage,
  import('node:http').ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export async function createBaseApp(options: BaseAppOptions): Promise<App> {
  const app = Fastify({
    loggerInstance: options.logger,
    // per-request lines would be synchronous noise on the hot path; latency goes to /metrics instead
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit ?? 16 * 1024,
    routerOptions: { maxParamLength: 200 },
    // The request id becomes every event's metadata.correlationId (at most 128 characters in the event schema):
    // a caller's X-Request-Id is used only when it is short visible ASCII. Copied verbatim, a 4 KB header gave
    // a 202 for a payment whose event every consumer then dead-lettered, so it was never decided.
    requestIdHeader: false,
    genReqId: (request) => {
      const header = request.headers['x-request-id'];
      return typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
    },
    // a request or header this large is hostile, not a payment
    http: { maxHeaderSize: 16 * 1024 },
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as App;

  // TypeBox validates: bodies exactly as sent (a JSON `true` is never coerced into an amount), query
  // strings, params and headers converted to their declared types first.
  app.setValidatorCompiler(TypeBoxValidatorCompiler);
  installErrorHandler(app);
  // JSON only: any other body type is a 415, not a string for validation to trip over
  app.removeContentTypeParser(['text/plain']);
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(SECURITY_HEADERS);
    done();
  });
  await app.register(cors, { origin: options.corsOrigins, credentials: false });
  await app.register(authPlugin, { verifier: options.verifier });

  const requests = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [options.registry],
  });
  app.addHook('onResponse', async (request, reply) => {
    requests.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  app.get('/health/live', async () => ({ status: 'ok' }));
  app.get('/health/ready', async (_request, reply) => {
    const results = await Promise.all(
      Object.entries(options.readiness).map(async ([name, check]) => {
        try {
          await check();
          return [name, 'ok'] as const;
        } catch (error) {
          return [name, (error as Error).message || 'failed'] as const;
        }
      }),
    );
    const ready = results.every(([, state]) => state === 'ok');
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks: Object.fromEntries(results) });
  });
  app.get('/metrics', async (_request, reply) => reply.type(options.registry.contentType).send(await options.registry.metrics()));
  return app;
}
