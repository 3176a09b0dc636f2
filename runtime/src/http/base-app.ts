// What both HTTP APIs share: fastify with the typebox type provider, security headers, CORS for the
// dashboard only, the one error handler, token auth, request metrics, /health/live, /health/ready, and the
// limits of the HTTP layer (request time, header size), and the OpenAPI document with its rendered reference
// (openapi.ts). /metrics is not here: it is served on the operations port (runtime/src/ops-server.ts), bound
// to loopback, never to the world.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import cors from '@fastify/cors';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import helmet from 'helmet';
import { Type } from 'typebox';
import type { TokenVerifier } from '../auth.ts';
import type { Logger } from '../logger.ts';
import type { MerchantPositions } from '../merchant-positions.ts';
import { Histogram, type Registry } from '../metrics.ts';
import { startOpsServer } from '../ops-server.ts';
import { postgresAnswers, type Queryable } from '../pg/db.ts';
import { authPlugin } from './auth-plugin.ts';
import { clientError, frameworkError, installErrorHandler } from './errors.ts';
import { parseJsonBody } from './json-body.ts';
import { type ApiDescription, PUBLIC, registerOpenApi } from './openapi.ts';
import { validatorCompiler } from './validator-compiler.ts';

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

/** Payment data and tokens must never sit in a cache between the client and the API. */
const API_HEADERS: Readonly<Record<string, string>> = Object.freeze({ ...SECURITY_HEADERS, 'cache-control': 'no-store' });

export type ReadinessCheck = () => Promise<void>;

export type BaseAppOptions = {
  /** The title, description and version of the API's OpenAPI document. */
  api: ApiDescription;
  logger: Logger;
  registry: Registry;
  verifier: TokenVerifier;
  corsOrigins: string[];
  /** Ready only while PostgreSQL answers. */
  pool: Queryable;
  /** The positions merchants are shown and pass back: `app.merchantPositions`. */
  merchantPositions: MerchantPositions;
  /** Further readiness checks, beside PostgreSQL's. */
  readiness?: Record<string, ReadinessCheck>;
  bodyLimit?: number;
  /** How long a client has to send a whole request, headers and body (HTTP_REQUEST_TIMEOUT_MS); default 10 s. */
  requestTimeoutMs?: number;
};

export type App = FastifyInstance<
  import('node:http').Server,
  import('node:http').IncomingMessage,
  import('node:http').ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

declare module 'fastify' {
  interface FastifyInstance {
    /** A position as its caller is shown it: `app.merchantPositions.shown(principal, position)`. */
    merchantPositions: MerchantPositions;
  }
}

export async function createBaseApp(options: BaseAppOptions): Promise<App> {
  const requestTimeout = options.requestTimeoutMs ?? 10_000;
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
    // A request or header this large is hostile, not a payment; so is one that takes longer than
    // requestTimeout to arrive: without it a body that never completed held its socket forever (only
    // incomplete headers timed out). node checks every connectionsCheckingInterval, 30 s by default.
    requestTimeout,
    http: {
      maxHeaderSize: 16 * 1024,
      requestTimeout,
      headersTimeout: Math.min(60_000, requestTimeout),
      connectionsCheckingInterval: Math.min(1000, requestTimeout),
    },
    // node's and fastify's own refusals (408, 431, a malformed request, a bad URL, 414) as JSON like every
    // other error, never quoting the URL
    clientErrorHandler: clientError(API_HEADERS),
    frameworkErrors: frameworkError(API_HEADERS),
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as App;

  // TypeBox validates: bodies exactly as sent (a JSON `true` is never coerced into an amount), query
  // strings, params and headers converted to their declared types first, integers only from decimal digits.
  app.setValidatorCompiler(validatorCompiler);
  installErrorHandler(app, routeMethods(app));
  // JSON only: any other body type is a 415, not a string for validation to trip over
  app.removeContentTypeParser(['text/plain', 'application/json']);
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  app.addHook('onRequest', (request, reply, done) => {
    reply.headers(request.url.startsWith('/api/') ? API_HEADERS : SECURITY_HEADERS);
    done();
  });
  // @fastify/cors answers a preflight without Origin or Access-Control-Request-Method in text/plain
  app.addHook('onRequest', (request, reply, done) => {
    if (request.method === 'OPTIONS' && (!request.headers.origin || !request.headers['access-control-request-method'])) {
      void reply.status(400).send({
        error: 'invalid_preflight',
        message: 'a CORS preflight needs Origin and Access-Control-Request-Method headers',
      });
      return;
    }
    done();
  });
  await app.register(cors, { origin: options.corsOrigins, credentials: false });
  await app.register(authPlugin, { verifier: options.verifier });
  // before any route: @fastify/swagger learns the routes as they are added
  await registerOpenApi(app, options.api);

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

  app.decorate('merchantPositions', options.merchantPositions);
  const readiness: Record<string, ReadinessCheck> = {
    postgres: () => postgresAnswers(options.pool),
    ...options.readiness,
  };
  app.get(
    '/health/live',
    { schema: { summary: 'Liveness', security: PUBLIC, response: { 200: Type.Object({ status: Type.Literal('ok') }) } } },
    async () => ({ status: 'ok' as const }),
  );
  const Readiness = Type.Object({
    status: Type.Union([Type.Literal('ready'), Type.Literal('not_ready')]),
    checks: Type.Record(Type.String(), Type.String(), { description: "each dependency's state: ok, or why it failed" }),
  });
  app.get(
    '/health/ready',
    {
      schema: {
        summary: 'Readiness: PostgreSQL (and the other dependencies) answer',
        security: PUBLIC,
        response: { 200: Readiness, 503: Readiness },
      },
    },
    async (_request, reply) => {
      const results = await Promise.all(
        Object.entries(readiness).map(async ([name, check]) => {
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
    },
  );
  return app;
}

/**
 * Records the method of every route as it is added, so the not-found handler can tell a known path asked
 * with the wrong method (405, with Allow) from an unknown path (404). Patterns are matched segment by
 * segment, a `:param` matching any one non-empty segment; wildcard routes (the CORS preflight's `*`) allow
 * every path and are left out.
 */
function routeMethods(app: App): (path: string) => string[] {
  const routes: { pattern: RegExp; methods: string[] }[] = [];
  app.addHook('onRoute', (route) => {
    if (route.url.includes('*')) return;
    const source = route.url
      .split('/')
      .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/');
    routes.push({ pattern: new RegExp(`^${source}$`), methods: [route.method].flat() });
  });
  return (path) => {
    const allowed = new Set<string>();
    for (const route of routes) if (route.pattern.test(path)) for (const method of route.methods) allowed.add(method);
    if (allowed.has('GET')) allowed.add('HEAD');
    return [...allowed].sort();
  };
}

export type ServedApi = { url: string; opsUrl: string; close: () => Promise<void> };

/**
 * Listens on the public address, and serves /metrics and /health/* on the operations address (OPS_HOST,
 * loopback by default). `close` stops the operations endpoint first, then intake, finishing requests in flight.
 */
export async function serveApi(
  app: App,
  options: { host: string; port: number; opsHost: string; opsPort: number; registry: Registry; pool: Queryable },
): Promise<ServedApi> {
  const url = await app.listen({ host: options.host, port: options.port });
  const ops = await startOpsServer({
    host: options.opsHost,
    port: options.opsPort,
    registry: options.registry,
    ready: () => postgresAnswers(options.pool),
  });
  return {
    url,
    opsUrl: ops.url,
    close: async () => {
      await ops.close();
      await app.close();
    },
  };
}
