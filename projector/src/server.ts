// The projector process: the live consumer (group `projector`) and the rebuild worker.
import {
  ConfigError,
  ConsumerRunner,

  type CommonConfig,
  commonConfigSpec,
  createKafka,
  createLogger,
  createPool,
  env,
  loadConfig,
  onShutdown,
} from '@payments/runtime';
import { projectorHandler } from './projector.ts';
import { failInterruptedRebuilds, watchRebuildRequests } from './rebuild-requests.ts';

type ProjectorConfig = CommonConfig & { groupId: string };
let config: ProjectorConfig;
try {
  config = loadConfig<ProjectorConfig>({ ...commonConfigSpec, groupId: env.string('PROJECTOR_GROUP_ID', 'projector') });
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  throw error;
}

const logger = createLogger('projector', config.logLevel);
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
onShutdown(logger, async () => {
  await runner.stop();
  await rebuilds.stop();
  await pool.end();
});
await runner.start();
logger.info({ groupId: config.groupId }, 'projector running');
