// The query API as a fastify app: shared base, WebSocket support, then the read routes.
import websocket from '@fastify/websocket';
import type { TokenVerifier } from '@payments/runtime/auth';
import { type ApiDescription, type App, createBaseApp } from '@payments/runtime/http';
import type { Logger } from '@payments/runtime/logger';
import type { Registry } from '@payments/runtime/metrics';
import type { EventStore, Pool } from '@payments/runtime/pg';
import type { MerchantPositions } from '@payments/runtime/positions';
import { eventHistoryRoutes } from './events/routes.ts';
import { paymentReadRoutes } from './payments/routes.ts';
import { projectionRoutes } from './projections/routes.ts';
import { statsRoutes } from './stats/routes.ts';
import type { FeedTail } from './stream/feed-tail.ts';
import { streamRoutes } from './stream/routes.ts';
import type { StreamHub } from './stream/stream-hub.ts';

export type QueryApiDeps = {
  logger: Logger;
  registry: Registry;
  pool: Pool;
  eventStore: EventStore;
  verifier: TokenVerifier;
  tail: FeedTail;
  hub: StreamHub;
  /** The positions merchants are shown and pass back (shared key with the command API). */
  merchantPositions: MerchantPositions;
  corsOrigins: string[];
  minPositionMaxWaitMs: number;
  /** HTTP_REQUEST_TIMEOUT_MS (see createBaseApp); default 10 s. */
  requestTimeoutMs?: number;
};

export const QUERY_API: ApiDescription = {
  title: 'Payments query API',
  description:
    "Payments, their history, statistics and projection rebuilds as the read side holds them, and the WebSocket stream of their changes. Pass a command's `position` as `minPosition` to read your own write.",
  version: '0.1.0',
};

export async function buildQueryApi(deps: QueryApiDeps): Promise<App> {
  const app = await createBaseApp({ ...deps, api: QUERY_API });
  await app.register(websocket, { options: { maxPayload: 4096 } });
  await app.register(paymentReadRoutes, {
    pool: deps.pool,
    eventStore: deps.eventStore,
    tail: deps.tail,
    merchantPositions: deps.merchantPositions,
    minPositionMaxWaitMs: deps.minPositionMaxWaitMs,
  });
  await app.register(statsRoutes, { pool: deps.pool });
  await app.register(eventHistoryRoutes, { pool: deps.pool });
  await app.register(projectionRoutes, { pool: deps.pool });
  await app.register(streamRoutes, { hub: deps.hub });
  return app;
}
