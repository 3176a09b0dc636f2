// The command API's configuration, read once at start-up.
import { apiConfigSpec, type ConfigOf, env, loadConfig } from '@payments/runtime/config';

const commandApiConfigSpec = {
  ...apiConfigSpec('COMMAND_API', { port: 8080, opsPort: 9103 }),
  dataDir: env.string('DATA_DIR', '.data'),
  jwtPrivateKey: env.optional('JWT_PRIVATE_KEY'),
  tokenTtlSeconds: env.int('TOKEN_TTL_SECONDS', 900, 30, 86_400),
  idempotencyTtlSeconds: env.int('IDEMPOTENCY_TTL_SECONDS', 86_400, 60),
  groupCommitConcurrency: env.int('GROUP_COMMIT_CONCURRENCY', 1, 1, 16),
  groupCommitLingerMs: env.int('GROUP_COMMIT_LINGER_MS', 6, 0, 100),
  rateLimitPerMinute: env.int('RATE_LIMIT_PER_MINUTE', 120_000, 1),
  tokenRateLimitPerMinute: env.int('TOKEN_RATE_LIMIT_PER_MINUTE', 600, 1),
  queryApiUrl: env.string('QUERY_API_URL', 'http://localhost:8081'),
  relayEnabled: env.bool('RELAY_ENABLED', true),
  relayBatchSize: env.int('RELAY_BATCH_SIZE', 500, 1, 10_000),
  relayLingerMs: env.int('RELAY_LINGER_MS', 5, 0, 1000),
};
export type CommandApiConfig = ConfigOf<typeof commandApiConfigSpec>;

export const loadCommandApiConfig = (source?: Record<string, string | undefined>): CommandApiConfig =>
  loadConfig<CommandApiConfig>(commandApiConfigSpec, source);
