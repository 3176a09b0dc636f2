// Composition root of the authorizer process: consumes payments.events as its group and appends decisions.
import { env, loadConfig } from '@payments/runtime/config';
import { type ConsumerService, type ConsumerServiceConfig, consumerServiceConfigSpec, startConsumerService } from '@payments/runtime/kafka';
import type { Logger } from '@payments/runtime/logger';
import { EventStore } from '@payments/runtime/pg';
import { authorizerHandler } from './authorizer.ts';
import { parseThresholds } from './rules.ts';

export type AuthorizerConfig = ConsumerServiceConfig & { reviewThresholds: string | undefined; ruleSetVersion: number };

export const loadAuthorizerConfig = (source?: Record<string, string | undefined>): AuthorizerConfig =>
  loadConfig<AuthorizerConfig>(
    {
      ...consumerServiceConfigSpec('AUTHORIZER', { groupId: 'authorizer', opsPort: 9101 }),
      reviewThresholds: env.optional('REVIEW_THRESHOLDS'),
      ruleSetVersion: env.int('RULE_SET_VERSION', 1, 1),
    },
    source,
  );

export async function startAuthorizer(config: AuthorizerConfig, logger: Logger): Promise<ConsumerService> {
  const ruleSet = parseThresholds(config.reviewThresholds, config.ruleSetVersion);
  return startConsumerService({
    name: 'authorizer',
    config,
    logger,
    poolMax: 4,
    handler: (pool) => authorizerHandler({ pool, eventStore: new EventStore({ topic: config.eventsTopic }), ruleSet, logger }),
    describe: { ruleSetVersion: ruleSet.version },
  });
}
