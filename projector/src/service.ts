// Composition root of the projector process: the live consumer (group `projector`) and the rebuild worker.
import {
  type CommonConfig,
  type ConsumerConfig,
  ConsumerRunner,
  commonConfigSpec,
  consumerConfigSpec,
  createKafka,
  createPool,
  createRegistry,
  env,
  type Logger,
  loadConfig,
  startOpsServer,
} from '@payments/runtime';
import { projectorHandler } from './projector.ts';
import { failInterruptedRebuilds, watchRebuildRequests } from './rebuild-requests.ts';

export type ProjectorConfig = CommonConfig & ConsumerConfig & { groupId: string; opsHost: string; opsPort: number };

export const loadProjectorConfig = (source?: Record<string, string | undefined>): ProjectorConfig =>
  loadConfig<ProjectorConfig>(
    {
      ...commonConfigSpec,
      ...consumerConfigSpec,
      groupId: env.string('PROJECTOR_GROUP_ID', 'projector'),
      opsHost: env.string('OPS_HOST', '127.0.0.1'),
      opsPort: env.int('PROJECTOR_OPS_PORT', 9102, 0, 65535),
    },
    source,
  );

export async function startProjector(config: ProjectorConfig, logger: Logger): Promise<{ stop: () => Promise<void> }> {
  const pool = createPool(config.databaseUrl, { max: 6, name: 'projector' });
  const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: 'projector', logger });
  const registry = createRegistry('projector');
  const runner = new ConsumerRunner({
    kafka,
    groupId: config.groupId,
    topic: config.eventsTopic,
    dlqTopic: config.dlqTopic,
    maxWaitMs: config.fetchMaxWaitMs,
    minBytes: config.fetchMinBytes,
    logger,
    registry,
    handle: projectorHandler({ pool, logger }),
  });
  await failInterruptedRebuilds(pool);
  const rebuilds = watchRebuildRequests(pool, logger);
  await runner.start();
  const ops = await startOpsServer({
    host: config.opsHost,
    port: config.opsPort,
    registry,
    ready: async () => void (await pool.query('select 1')),
  });
  logger.info({ groupId: config.groupId, ops: ops.url }, 'projector running');
  return {
    async stop() {
      await ops.close();
      await runner.stop();
      await rebuilds.stop();
      await pool.end();
    },
  };
}
