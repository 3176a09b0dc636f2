// The command API process: HTTP commands plus the outbox relay that publishes what they append.
import {
  ConfigError,
  EventStore,
  OutboxRelay,
  TokenIssuer,
  TokenVerifier,
  createKafka,
  createLogger,
  createPool,
  createRegistry,
  Gauge,
  Counter,
  loadOrCreateDevSigningKey,
  onShutdown,
  parsePrivateKey,
  relayProducerConfig,
} from '@payments/runtime';
import { buildCommandApi } from './app.ts';
import { clientsWithDevSecrets } from './auth/clients.ts';
import { loadCommandApiConfig } from './config.ts';
import { deleteExpiredKeys } from './payments/idempotency.ts';

let config: ReturnType<typeof loadCommandApiConfig>;
try {
  config = loadCommandApiConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  throw error;
}
const logger = createLogger('command-api', config.logLevel);
const pool = createPool(config.databaseUrl, { max: config.dbPoolMax, name: 'command-api' });

if (config.nodeEnv === 'production') {
  const problems: string[] = [];
  if (!config.jwtPrivateKey) problems.push('JWT_PRIVATE_KEY must be set in production (the development key is refused)');
  const devClients = await clientsWithDevSecrets(pool);
  if (devClients.length) problems.push(`clients still accept development secrets: ${devClients.join(', ')}`);
  if (problems.length) {
    logger.fatal({ problems }, 'refusing to start in production with development secrets');
    process.exit(2);
  }
}

const signingKey = config.jwtPrivateKey ? parsePrivateKey(config.jwtPrivateKey) : loadOrCreateDevSigningKey(config.dataDir);
const tokenSettings = { issuer: config.jwtIssuer, audience: config.jwtAudience, ttlSeconds: config.tokenTtlSeconds };
const issuer = new TokenIssuer(signingKey, tokenSettings);
const { createPublicKey } = await import('node:crypto');
const verifier = new TokenVerifier(createPublicKey(signingKey), tokenSettings);
const registry = createRegistry('command-api');
const eventStore = new EventStore({ topic: config.eventsTopic });

const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: 'command-api', logger });
const producer = kafka.producer(relayProducerConfig());
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
const relay = new OutboxRelay({ pool, producer, logger: logger.child({ component: 'outbox-relay' }), batchSize: config.relayBatchSize, onPublished: (n) => published.inc(n) });

const app = await buildCommandApi({
  logger,
  registry,
  pool,
  eventStore,
  issuer,
  verifier,
  idempotencyTtlSeconds: config.idempotencyTtlSeconds,
  rateLimitPerMinute: config.rateLimitPerMinute,
  tokenRateLimitPerMinute: config.tokenRateLimitPerMinute,
  queryApiUrl: config.queryApiUrl,
  corsOrigins: config.corsOrigins,
});

const cleanup = setInterval(() => {
  deleteExpiredKeys(pool).catch((error: unknown) => logger.warn({ err: error }, 'idempotency key cleanup failed'));
}, 60_000);

onShutdown(logger, async () => {
  clearInterval(cleanup);
  await app.close(); // stop intake, finish in-flight requests
  await relay.stop(); // finish the batch being published
  await producer.disconnect();
  await pool.end();
});

if (config.relayEnabled) {
  await producer.connect();
  await relay.start();
}
await app.listen({ host: config.host, port: config.port });
logger.info({ port: config.port, relay: config.relayEnabled }, 'command-api listening');
