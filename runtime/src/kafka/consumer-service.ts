// The composition root both consumers share (authorizer, projector): a pool, a Kafka client, a consumer group
// over payments.events running the service's batch handler, and the operations endpoint (/metrics,
// /health/*) on loopback. One shutdown path: the ops endpoint, then the consumer (it finishes its batch and
// commits its offsets), then whatever the service added, then the pool.
import { type CommonConfig, type ConsumerConfig, commonConfigSpec, consumerConfigSpec, env } from '../config.ts';
import type { Logger } from '../logger.ts';
import { createRegistry } from '../metrics.ts';
import { startOpsServer } from '../ops-server.ts';
import { createPool, type Pool, postgresAnswers } from '../pg/db.ts';
import { createKafka } from './client.ts';
import { type BatchHandler, ConsumerRunner } from './consumer-runner.ts';

export type ConsumerServiceConfig = CommonConfig & ConsumerConfig & { groupId: string; opsHost: string; opsPort: number };

/** `<PREFIX>_GROUP_ID` and `<PREFIX>_OPS_PORT`, beside the settings every consumer shares. */
export const consumerServiceConfigSpec = (prefix: string, defaults: { groupId: string; opsPort: number }) => ({
  ...commonConfigSpec,
  ...consumerConfigSpec,
  groupId: env.string(`${prefix}_GROUP_ID`, defaults.groupId),
  opsHost: env.string('OPS_HOST', '127.0.0.1'),
  opsPort: env.int(`${prefix}_OPS_PORT`, defaults.opsPort, 0, 65535),
});

export type ConsumerService = { stop: () => Promise<void> };

export async function startConsumerService(options: {
  name: string;
  config: ConsumerServiceConfig;
  logger: Logger;
  poolMax: number;
  handler: (pool: Pool) => BatchHandler;
  /** Work of the service's own beside the consumer, started before it and stopped after it. */
  beside?: (pool: Pool) => Promise<{ stop: () => Promise<void> }>;
  /** Fields of the "running" log line. */
  describe?: Record<string, unknown>;
}): Promise<ConsumerService> {
  const { name, config, logger } = options;
  const pool = createPool(config.databaseUrl, { max: options.poolMax, name });
  const registry = createRegistry(name);
  const runner = new ConsumerRunner({
    kafka: createKafka({ brokers: config.kafkaBrokers, clientId: name, logger }),
    groupId: config.groupId,
    topic: config.eventsTopic,
    dlqTopic: config.dlqTopic,
    maxWaitMs: config.fetchMaxWaitMs,
    minBytes: config.fetchMinBytes,
    logger,
    registry,
    handle: options.handler(pool),
  });
  const beside = await options.beside?.(pool);
  await runner.start();
  const ops = await startOpsServer({
    host: config.opsHost,
    port: config.opsPort,
    registry,
    ready: () => postgresAnswers(pool),
  });
  logger.info({ ...options.describe, groupId: config.groupId, ops: ops.url }, `${name} running`);
  return {
    async stop() {
      await ops.close();
      await runner.stop(); // finishes the batch and commits its offsets
      await beside?.stop();
      await pool.end();
    },
  };
}
