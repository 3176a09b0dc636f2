// Composition root of the command API process: HTTP commands plus the outbox relay that publishes what they
// append. server.ts runs it with the environment's config; tests run it in-process.
import { createPublicKey } from 'node:crypto';
import { loadOrCreateDevSigningKey, parsePrivateKey, seedDevClients, TokenIssuer, TokenVerifier } from '@payments/runtime/auth';
import { serveApi } from '@payments/runtime/http';
import { createKafka, reliableProducerConfig } from '@payments/runtime/kafka';
import type { Logger } from '@payments/runtime/logger';
import { Counter, createRegistry, Gauge } from '@payments/runtime/metrics';
import { OutboxRelay } from '@payments/runtime/outbox-relay';
import { createPool, EventStore } from '@payments/runtime/pg';
import { MerchantPositions } from '@payments/runtime/positions';
import { buildCommandApi } from './app.ts';
import { clientsWithDevSecrets } from './auth/clients.ts';
import type { CommandApiConfig } from './config.ts';
import { deleteExpiredKeys } from './payments/idempotency.ts';

/** `opsUrl`: /metrics and /health/* for operators (COMMAND_API_OPS_PORT on OPS_HOST), never the public port. */
export type CommandApiHandle = { url: string; opsUrl: string; stop: () => Promise<void> };

export class StartupRefused extends Error {
  readonly code = 'startup_refused';
}

export async function startCommandApi(config: CommandApiConfig, logger: Logger): Promise<CommandApiHandle> {
  const pool = createPool(config.databaseUrl, { max: config.dbPoolMax, name: 'command-api' });

  if (config.nodeEnv === 'production') {
    const problems: string[] = [];
    if (!config.jwtPrivateKey) problems.push('JWT_PRIVATE_KEY must be set in production (the development key is refused)');
    const devClients = await clientsWithDevSecrets(pool);
    if (devClients.length) problems.push(`clients still accept development secrets: ${devClients.join(', ')}`);
    if (problems.length) {
      await pool.end();
      throw new StartupRefused(`refusing to start in production: ${problems.join('; ')}`);
    }
  } else {
    await seedDevClients(pool);
  }

  const signingKey = config.jwtPrivateKey ? parsePrivateKey(config.jwtPrivateKey) : loadOrCreateDevSigningKey(config.dataDir);
  const tokenSettings = { issuer: config.jwtIssuer, audience: config.jwtAudience, ttlSeconds: config.tokenTtlSeconds };
  const registry = createRegistry('command-api');
  const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: 'command-api', logger });
  const producer = kafka.producer(reliableProducerConfig());
  const published = new Counter({ name: 'outbox_published_total', help: 'outbox rows published to Kafka', registers: [registry] });
  new Gauge({
    name: 'outbox_backlog',
    help: 'outbox rows waiting to be published',
    registers: [registry],
    async collect() {
      const { rows } = await pool.query<{ n: number }>('select count(*)::int8 as n from es.outbox');
      this.set(rows[0]?.n ?? 0);
    },
  });
  const relay = new OutboxRelay({
    pool,
    producer,
    logger: logger.child({ component: 'outbox-relay' }),
    batchSize: config.relayBatchSize,
    lingerMs: config.relayLingerMs,
    onPublished: (n) => published.inc(n),
  });

  const app = await buildCommandApi({
    logger,
    registry,
    pool,
    eventStore: new EventStore({ topic: config.eventsTopic }),
    issuer: new TokenIssuer(signingKey, tokenSettings),
    verifier: new TokenVerifier(createPublicKey(signingKey), tokenSettings),
    idempotencyTtlSeconds: config.idempotencyTtlSeconds,
    groupCommitConcurrency: config.groupCommitConcurrency,
    groupCommitLingerMs: config.groupCommitLingerMs,
    onAppended: () => relay.rowsCommitted(),
    rateLimitPerMinute: config.rateLimitPerMinute,
    tokenRateLimitPerMinute: config.tokenRateLimitPerMinute,
    queryApiUrl: config.queryApiUrl,
    corsOrigins: config.corsOrigins,
    requestTimeoutMs: config.httpRequestTimeoutMs,
    merchantPositions: new MerchantPositions(config.positionSecret),
  });

  const cleanup = setInterval(() => {
    deleteExpiredKeys(pool).catch((error: unknown) => logger.warn({ err: error }, 'idempotency key cleanup failed'));
  }, 60_000);

  if (config.relayEnabled) {
    await producer.connect();
    await relay.start();
  }
  const served = await serveApi(app, { ...config, registry, pool });
  logger.info({ url: served.url, ops: served.opsUrl, relay: config.relayEnabled }, 'command-api listening');

  return {
    url: served.url,
    opsUrl: served.opsUrl,
    async stop() {
      clearInterval(cleanup);
      await served.close(); // stop intake, finish in-flight requests
      if (config.relayEnabled) {
        await relay.stop(); // finish the batch being published
        await producer.disconnect();
      }
      await pool.end();
    },
  };
}
