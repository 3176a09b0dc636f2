// Composition root of the projector process: the live consumer (group `projector`) and the rebuild worker.
import { loadConfig } from '@payments/runtime/config';
import { type ConsumerService, type ConsumerServiceConfig, consumerServiceConfigSpec, startConsumerService } from '@payments/runtime/kafka';
import type { Logger } from '@payments/runtime/logger';
import { projectorHandler } from './projector.ts';
import { failInterruptedRebuilds, watchRebuildRequests } from './rebuild-requests.ts';

export type ProjectorConfig = ConsumerServiceConfig;

export const loadProjectorConfig = (source?: Record<string, string | undefined>): ProjectorConfig =>
  loadConfig<ProjectorConfig>(consumerServiceConfigSpec('PROJECTOR', { groupId: 'projector', opsPort: 9102 }), source);

export async function startProjector(config: ProjectorConfig, logger: Logger): Promise<ConsumerService> {
  return startConsumerService({
    name: 'projector',
    config,
    logger,
    poolMax: 6,
    handler: (pool) => projectorHandler({ pool, logger }),
    // a rebuild a crash interrupted is marked failed before new requests are watched for
    beside: async (pool) => {
      await failInterruptedRebuilds(pool);
      return watchRebuildRequests(pool, logger);
    },
  });
}
