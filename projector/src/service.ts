// Composition root of the projector process: the live consumer (group `projector`) and the rebuild worker.
import {
  type CommonConfig,
  ConsumerRunner,
  commonConfigSpec,
  createKafka,
  createPool,
  env,
  type Logger,
  loadConfig,
} from '@payments/runtime';
import { projectorHandler } from './projector.ts';
import { failInterruptedRebuilds, watchRebuildRequests } from './rebuild-requests.ts';

export type ProjectorConfig = CommonConfig & { groupId: string };

export const loadProjectorConfig = (source?: Record<string, string | undefined>): ProjectorConfig =>
  loadConfig<ProjectorConfig>({ ...commonConfigSpec, groupId: env.string('PROJECTOR_GROUP_ID', 'projector') }, source);

export async function startProjector(config: ProjectorConfig, logger: Logger): Promise<{ stop: () => Promise<void> }> {
  const pool = createPool(config.databaseUrl, { max: 6, name: 'projector' });
  const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: 'projector', logger });
  const runner = new ConsumerRunner({
    kafka,
    groupId: config.groupId,
    topic: config.eventsTopic,
    dlqTopic: config.dlqTopic,
    logger,
    handle: projectorHandler({ pool, logger }),
  });
  await failInterruptedRebuilds(pool);
  const rebuilds = watchRebuildRequests(pool, logger);
  await runner.start();
  logger.info({ groupId: config.groupId }, 'projector running');
  return {
    async stop() {
      await runner.stop();
      await rebuilds.stop();
      await pool.end();
    },
  };
}
