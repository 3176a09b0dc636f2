// The command API's configuration, read once at start-up.
import {
  type CommonConfig,
  commonConfigSpec,
  env,
  type HttpConfig,
  httpConfigSpec,
  loadConfig,
  type PositionSecretConfig,
  positionSecretConfigSpec,
} from '@payments/runtime';

export type CommandApiConfig = CommonConfig &
  HttpConfig &
  PositionSecretConfig & {
    host: string;
    port: number;
    opsPort: number;
    dataDir: string;
    jwtPrivateKey: string | undefined;
    jwtIssuer: string;
    jwtAudience: string;
    tokenTtlSeconds: number;
    idempotencyTtlSeconds: number;
    groupCommitConcurrency: number;
    groupCommitLingerMs: number;
    rateLimitPerMinute: number;
    tokenRateLimitPerMinute: number;
    queryApiUrl: string;
    corsOrigins: string[];
    relayEnabled: boolean;
    relayBatchSize: number;
    relayLingerMs: number;
    dbPoolMax: number;
  };

export const loadCommandApiConfig = (source?: Record<string, string | undefined>): CommandApiConfig =>
  loadConfig<CommandApiConfig>(
    {
      ...commonConfigSpec,
      ...httpConfigSpec,
      // the key of the positions merchants are shown (runtime/src/merchant-positions.ts), shared with the query API
      ...positionSecretConfigSpec,
      host: env.string('HOST', '0.0.0.0'),
      port: env.int('COMMAND_API_PORT', 8080, 0, 65535),
      // /metrics and /health/* for operators, on OPS_HOST (loopback by default)
      opsPort: env.int('COMMAND_API_OPS_PORT', 9103, 0, 65535),
      dataDir: env.string('DATA_DIR', '.data'),
      jwtPrivateKey: env.optional('JWT_PRIVATE_KEY'),
      jwtIssuer: env.string('JWT_ISSUER', 'payments-command-api'),
      jwtAudience: env.string('JWT_AUDIENCE', 'payments'),
      tokenTtlSeconds: env.int('TOKEN_TTL_SECONDS', 900, 30, 86_400),
      idempotencyTtlSeconds: env.int('IDEMPOTENCY_TTL_SECONDS', 86_400, 60),
      groupCommitConcurrency: env.int('GROUP_COMMIT_CONCURRENCY', 1, 1, 16),
      groupCommitLingerMs: env.int('GROUP_COMMIT_LINGER_MS', 6, 0, 100),
      rateLimitPerMinute: env.int('RATE_LIMIT_PER_MINUTE', 120_000, 1),
      tokenRateLimitPerMinute: env.int('TOKEN_RATE_LIMIT_PER_MINUTE', 600, 1),
      queryApiUrl: env.string('QUERY_API_URL', 'http://localhost:8081'),
      corsOrigins: env.list('CORS_ORIGINS', ['http://localhost:5173']),
      relayEnabled: env.bool('RELAY_ENABLED', true),
      relayBatchSize: env.int('RELAY_BATCH_SIZE', 500, 1, 10_000),
      relayLingerMs: env.int('RELAY_LINGER_MS', 5, 0, 1000),
      dbPoolMax: env.int('DB_POOL_MAX', 10, 1, 200),
    },
    source,
  );
