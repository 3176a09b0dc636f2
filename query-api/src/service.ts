// Composition root of the query API process: read models over REST and the change feed over WebSocket.
import { createPublicKey } from 'node:crypto';
import { remoteJwks, TokenVerifier } from '@payments/runtime/auth';
import { serveApi } from '@payments/runtime/http';
import type { Logger } from '@payments/runtime/logger';
import { createRegistry, Gauge } from '@payments/runtime/metrics';
import { createPool, EventStore } from '@payments/runtime/pg';
import { MerchantPositions } from '@payments/runtime/positions';
import { buildQueryApi } from './app.ts';
import type { QueryApiConfig } from './config.ts';
import { loadStats } from './stats/queries.ts';
import { FeedTail } from './stream/feed-tail.ts';
import { StreamHub } from './stream/stream-hub.ts';

/** `opsUrl`: /metrics and /health/* for operators (QUERY_API_OPS_PORT on OPS_HOST), never the public port. */
export type QueryApiHandle = { url: string; opsUrl: string; stop: () => Promise<void> };

export async function startQueryApi(config: QueryApiConfig, logger: Logger): Promise<QueryApiHandle> {
  const pool = createPool(config.databaseUrl, { max: config.dbPoolMax, name: 'query-api' });
  const registry = createRegistry('query-api');
  const key = config.jwtPublicKey ? createPublicKey(config.jwtPublicKey.replaceAll('\\n', '\n')) : remoteJwks(config.jwksUrl);
  const verifier = new TokenVerifier(key, { issuer: config.jwtIssuer, audience: config.jwtAudience });
  const tail = new FeedTail(pool, logger.child({ component: 'feed-tail' }), config.streamCatchUpWindow);
  const hub = new StreamHub({
    tail,
    logger: logger.child({ component: 'stream' }),
    maxBufferBytes: config.streamMaxBufferBytes,
    maxCatchUp: config.streamCatchUpWindow,
    maxConnectionsPerPrincipal: config.streamMaxConnectionsPerPrincipal,
    statsIntervalMs: config.streamStatsIntervalMs,
    pingIntervalMs: config.streamPingIntervalMs,
    loadStats: (merchantId) => loadStats(pool, merchantId),
  });
  new Gauge({
    name: 'stream_clients',
    help: 'connected WebSocket clients',
    registers: [registry],
    collect() {
      this.set(hub.size);
    },
  });
  new Gauge({
    name: 'feed_head_position',
    help: 'last change-feed position seen',
    registers: [registry],
    collect() {
      this.set(tail.head);
    },
  });
  new Gauge({
    name: 'projector_lag_events',
    help: 'events in the event store not yet reflected in the read model (approximation by stream versions)',
    registers: [registry],
    async collect() {
      const { rows } = await pool.query<{ lag: number }>(
        `select (select count(*) from es.events)::int8 - coalesce((select sum(version) from read.payments), 0)::int8 as lag`,
      );
      this.set(rows[0]?.lag ?? 0);
    },
  });

  const app = await buildQueryApi({
    logger,
    registry,
    pool,
    eventStore: new EventStore({ topic: config.eventsTopic }),
    verifier,
    tail,
    hub,
    merchantPositions: new MerchantPositions(config.positionSecret),
    corsOrigins: config.corsOrigins,
    minPositionMaxWaitMs: config.minPositionMaxWaitMs,
    requestTimeoutMs: config.httpRequestTimeoutMs,
  });

  await tail.start();
  const served = await serveApi(app, { ...config, registry, pool });
  logger.info({ url: served.url, ops: served.opsUrl }, 'query-api listening');
  return {
    url: served.url,
    opsUrl: served.opsUrl,
    async stop() {
      hub.close(); // streams first: the server waits for open sockets
      await served.close();
      await tail.stop();
      await pool.end();
    },
  };
}
