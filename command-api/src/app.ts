// The command API as a fastify app: shared base (errors, auth, health, metrics), rate limit, then routes.
// server.ts is the only entry point; tests build this and call app.inject().
import rateLimit from '@fastify/rate-limit';
import type { TokenIssuer, TokenVerifier } from '@payments/runtime/auth';
import { type ApiDescription, type App, createBaseApp } from '@payments/runtime/http';
import type { Logger } from '@payments/runtime/logger';
import type { Registry } from '@payments/runtime/metrics';
import type { EventStore, Pool } from '@payments/runtime/pg';
import type { MerchantPositions } from '@payments/runtime/positions';
import { authRoutes } from './auth/routes.ts';
import { paymentRoutes } from './payments/routes.ts';

export type CommandApiDeps = {
  logger: Logger;
  registry: Registry;
  pool: Pool;
  eventStore: EventStore;
  issuer: TokenIssuer;
  verifier: TokenVerifier;
  idempotencyTtlSeconds: number;
  /** Group-commit transactions in flight at once (see GroupCommitter); default 1. */
  groupCommitConcurrency?: number;
  /** How long a group-commit batch may wait for company (see GroupCommitter); default 0 (the service passes its config, 6). */
  groupCommitLingerMs?: number;
  /** Called after every commit that appended events, to wake the outbox relay (OutboxRelay.rowsCommitted). */
  onAppended: () => void;
  rateLimitPerMinute: number;
  tokenRateLimitPerMinute: number;
  queryApiUrl: string;
  corsOrigins: string[];
  /** HTTP_REQUEST_TIMEOUT_MS (see createBaseApp); default 10 s. */
  requestTimeoutMs?: number;
  readiness?: Record<string, () => Promise<void>>;
  /** The positions merchants are shown (shared key with the query API): app.merchantPositions. */
  merchantPositions: MerchantPositions;
};

// Both rate limits count per minute (RATE_LIMIT_PER_MINUTE, TOKEN_RATE_LIMIT_PER_MINUTE), and the refusal says
// so: the plugin's context.after is the time left until the window resets, not the window.
const RATE_WINDOW_MS = 60_000;

export const COMMAND_API: ApiDescription = {
  title: 'Payments command API',
  description:
    'Tokens, new payments and analyst reviews. A command is accepted (202) once its event is stored; its decision is read from the query API, passing the returned `position` as `minPosition`.',
  version: '0.1.0',
};

export async function buildCommandApi(deps: CommandApiDeps): Promise<App> {
  const app = await createBaseApp({ ...deps, api: COMMAND_API });
  await app.register(rateLimit, {
    global: false,
    // per merchant for merchants (the token is verified before this hook runs), per address otherwise
    keyGenerator: (request) => request.principal?.merchantId ?? request.ip,
    errorResponseBuilder: (_request, context) => ({
      statusCode: 429,
      error: 'rate_limited',
      message: `rate limit of ${context.max} requests per minute exceeded; retry in ${context.after}`,
    }),
  });
  await app.register(authRoutes, {
    pool: deps.pool,
    issuer: deps.issuer,
    // per address only: a bearer token the caller happens to attach must not give it a bucket of its own
    rateLimit: { max: deps.tokenRateLimitPerMinute, timeWindow: RATE_WINDOW_MS, keyGenerator: (request) => request.ip },
  });
  await app.register(paymentRoutes, {
    pool: deps.pool,
    eventStore: deps.eventStore,
    idempotencyTtlSeconds: deps.idempotencyTtlSeconds,
    groupCommitConcurrency: deps.groupCommitConcurrency,
    groupCommitLingerMs: deps.groupCommitLingerMs,
    onAppended: deps.onAppended,
    queryApiUrl: deps.queryApiUrl,
    rateLimit: { max: deps.rateLimitPerMinute, timeWindow: RATE_WINDOW_MS },
  });
  return app;
}
