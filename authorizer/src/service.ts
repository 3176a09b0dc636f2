// Composition root of the authorizer process: consumes payments.events as its group and appends decisions.
import {
  type CommonConfig,
  type ConsumerConfig,
  ConsumerRunner,
  commonConfigSpec,
  consumerConfigSpec,
  createKafka,
  createPool,
  createRegistry,
  EventStore,
  env,
  type Logger,
  loadConfig,
  startOpsServer,
} from '@payments/runtime';
import { authorizerHandler } from './authorizer.ts';
import { parseThresholds } from './rules.ts';

export type AuthorizerConfig = CommonConfig &
  ConsumerConfig & {
    groupId: string;
    reviewThresholds: string | undefined;
    ruleSetVersion: number;
    opsHost: string;
    opsPort: number;
  };

export const loadAuthorizerConfig = (source?: Record<string, string | undefined>): AuthorizerConfig =>
  loadConfig<AuthorizerConfig>(
    {
      ...commonConfigSpec,
      ...consumerConfigSpec,
      groupId: env.string('AUTHORIZER_GROUP_ID', 'authorizer'),
      reviewThresholds: env.optional('REVIEW_THRESHOLDS'),
      ruleSetVersion: env.int('RULE_SET_VERSION', 1, 1),
      opsHost: env.string('OPS_HOST', '127.0.0.1'),
      opsPort: env.int('AUTHORIZER_OPS_PORT', 9101, 0, 65535),
    },
    source,
  );

export async function startAuthorizer(config: AuthorizerConfig, logger: Logger): Promise<{ stop: () => Promise<void> }> {
  const ruleSet = parseThresholds(config.reviewThresholds, config.ruleSetVersion);
  const pool = createPool(config.databaseUrl, { max: 4, name: 'authorizer' });
  const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: 'authorizer', logger });
  const registry = createRegistry('authorizer');
  const runner = new ConsumerRunner({
    kafka,
    groupId: config.groupId,
    topic: config.eventsTopic,
    dlqTopic: config.dlqTopic,
    maxWaitMs: config.fetchMaxWaitMs,
    minBytes: config.fetchMinBytes,
    logger,
    registry,
    handle: authorizerHandler({ pool, eventStore: new EventStore({ topic: config.eventsTopic }), ruleSet, logger }),
  });
  await runner.start();
  const ops = await startOpsServer({
    host: config.opsHost,
    port: config.opsPort,
    registry,
    ready: async () => void (await pool.query('select 1')),
  });
  logger.info({ ruleSetVersion: ruleSet.version, groupId: config.groupId, ops: ops.url }, 'authorizer running');
  return {
    async stop() {
      await ops.close();
      await runner.stop(); // finishes the batch and commits its offsets
      await pool.end();
    },
  };
}
