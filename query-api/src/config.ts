// The query API's configuration, read once at start-up.
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

export type QueryApiConfig = CommonConfig &
  HttpConfig &
  PositionSecretConfig & {
    host: string;
    port: number;
    opsPort: number;
    jwksUrl: string;
    jwtPublicKey: string | undefined;
    jwtIssuer: string;
    jwtAudience: string;
    corsOrigins: string[];
    dbPoolMax: number;
    streamMaxBufferBytes: number;
    streamCatchUpWindow: number;
    streamMaxConnectionsPerPrincipal: number;
    streamStatsIntervalMs: number;
    streamPingIntervalMs: number;
    minPositionMaxWaitMs: number;
  };

export const loadQueryApiConfig = (source?: Record<string, string | undefined>): QueryApiConfig =>
  loadConfig<QueryApiConfig>(
    {
      ...commonConfigSpec,
      ...httpConfigSpec,
      // the key of the positions merchants are shown (runtime/src/merchant-positions.ts), shared with the command API
      ...positionSecretConfigSpec,
      host: env.string('HOST', '0.0.0.0'),
      port: env.int('QUERY_API_PORT', 8081, 0, 65535),
      // /metrics and /health/* for operators, on OPS_HOST (loopback by default)
      opsPort: env.int('QUERY_API_OPS_PORT', 9104, 0, 65535),
      jwksUrl: env.string('JWKS_URL', 'http://127.0.0.1:8080/.well-known/jwks.json'),
      jwtPublicKey: env.optional('JWT_PUBLIC_KEY'),
      jwtIssuer: env.string('JWT_ISSUER', 'payments-command-api'),
      jwtAudience: env.string('JWT_AUDIENCE', 'payments'),
      corsOrigins: env.list('CORS_ORIGINS', ['http://localhost:5173']),
      dbPoolMax: env.int('DB_POOL_MAX', 10, 1, 200),
      streamMaxBufferBytes: env.int('STREAM_MAX_BUFFER_BYTES', 1 << 20, 1024),
      // the changes kept in memory, and how far back a `since` may lie (further back: the REST history)
      streamCatchUpWindow: env.int('STREAM_CATCH_UP_WINDOW', 20_000, 1, 1_000_000),
      streamMaxConnectionsPerPrincipal: env.int('STREAM_MAX_CONNECTIONS_PER_PRINCIPAL', 10, 1, 10_000),
      streamStatsIntervalMs: env.int('STREAM_STATS_INTERVAL_MS', 1000, 50),
      streamPingIntervalMs: env.int('STREAM_PING_INTERVAL_MS', 15_000, 100),
      minPositionMaxWaitMs: env.int('MIN_POSITION_MAX_WAIT_MS', 5000, 0, 30_000),
    },
    source,
  );
