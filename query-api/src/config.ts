// The query API's configuration, read once at start-up.
import { type CommonConfig, commonConfigSpec, env, loadConfig } from '@payments/runtime';

export type QueryApiConfig = CommonConfig & {
  host: string;
  port: number;
  jwksUrl: string;
  jwtPublicKey: string | undefined;
  jwtIssuer: string;
  jwtAudience: string;
  corsOrigins: string[];
  dbPoolMax: number;
  streamMaxBufferBytes: number;
  streamStatsIntervalMs: number;
  streamPingIntervalMs: number;
  minPositionMaxWaitMs: number;
};

export const loadQueryApiConfig = (source?: Record<string, string | undefined>): QueryApiConfig =>
  loadConfig<QueryApiConfig>(
    {
      ...commonConfigSpec,
      host: env.string('HOST', '0.0.0.0'),
      port: env.int('QUERY_API_PORT', 8081, 0, 65535),
      jwksUrl: env.string('JWKS_URL', 'http://127.0.0.1:8080/.well-known/jwks.json'),
      jwtPublicKey: env.optional('JWT_PUBLIC_KEY'),
      jwtIssuer: env.string('JWT_ISSUER', 'payments-command-api'),
      jwtAudience: env.string('JWT_AUDIENCE', 'payments'),
      corsOrigins: env.list('CORS_ORIGINS', ['http://localhost:5173']),
      dbPoolMax: env.int('DB_POOL_MAX', 10, 1, 200),
      streamMaxBufferBytes: env.int('STREAM_MAX_BUFFER_BYTES', 1 << 20, 1024),
      streamStatsIntervalMs: env.int('STREAM_STATS_INTERVAL_MS', 1000, 50),
      streamPingIntervalMs: env.int('STREAM_PING_INTERVAL_MS', 15_000, 100),
      minPositionMaxWaitMs: env.int('MIN_POSITION_MAX_WAIT_MS', 5000, 0, 30_000),
    },
    source,
  );
