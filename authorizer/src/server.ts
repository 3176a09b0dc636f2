// The authorizer process: consumes payments.events as the `authorizer` group and appends decisions.
import {
  ConfigError,
  ConsumerRunner,
  EventStore,
  commonConfigSpec,
  createKafka,
  createLogger,
  createPool,
  env,
  loadConfig,
  onShutdown,
  type CommonConfig,
} from '@payments/runtime';
import { authorizerHandler } from './authorizer.ts';
import { parseThresholds } from './rules.ts';

type AuthorizerConfig = CommonConfig & { groupId: string; reviewThresholds: string | undefined; ruleSetVersion: number };

let config: AuthorizerConfig;
try {
  config = loadConfig<AuthorizerConfig>({
    ...commonConfigSpec,
    groupId: env.string('AUTHORIZER_GROUP_ID', 'authorizer'),
    reviewThresholds: env.optional('REVIEW_THRESHOLDS'),
    ruleSetVersion: env.int('RULE_SET_VERSION', 1, 1),
  });
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  throw error;
}

const logger = createLogger('authorizer', config.logLevel);
const ruleSet = parseThresholds(config.reviewThresholds, config.ruleSetVersion);
const pool = createPool(config.databaseUrl, { max: 4, name: 'authorizer' });
const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: 'authorizer', logger });
const eventStore = new EventStore({ topic: config.eventsTopic });
const runner = new ConsumerRunner({
  kafka,
  groupId: config.groupId,
  topic: config.eventsTopic,
  dlqTopic: config.dlqTopic,
  logger,
  handle: authorizerHandler({ pool, eventStore, ruleSet, logger }),
});

onShutdown(logger, async () => {
  await runner.stop(); // finishes the batch and commits its offsets
  await pool.end();
});
await runner.start();
logger.info({ ruleSetVersion: ruleSet.version, groupId: config.groupId }, 'authorizer running');
