// The query API's configuration, read once at start-up.
import { apiConfigSpec, type ConfigOf, env, loadConfig } from '@payments/runtime/config';

const queryApiConfigSpec = {
  ...apiConfigSpec('QUERY_API', { port: 8081, opsPort: 9104 }),
  jwksUrl: env.string('JWKS_URL', 'http://127.0.0.1:8080/.well-known/jwks.json'),
  jwtPublicKey: env.optional('JWT_PUBLIC_KEY'),
  streamMaxBufferBytes: env.int('STREAM_MAX_BUFFER_BYTES', 1 << 20, 1024),
  // the changes kept in memory, and how far back a `since` may lie (further back: the REST history)
  streamCatchUpWindow: env.int('STREAM_CATCH_UP_WINDOW', 20_000, 1, 1_000_000),
  streamMaxConnectionsPerPrincipal: env.int('STREAM_MAX_CONNECTIONS_PER_PRINCIPAL', 10, 1, 10_000),
  streamStatsIntervalMs: env.int('STREAM_STATS_INTERVAL_MS', 1000, 50),
  streamPingIntervalMs: env.int('STREAM_PING_INTERVAL_MS', 15_000, 100),
  minPositionMaxWaitMs: env.int('MIN_POSITION_MAX_WAIT_MS', 5000, 0, 30_000),
};
export type QueryApiConfig = ConfigOf<typeof queryApiConfigSpec>;

export const loadQueryApiConfig = (source?: Record<string, string | undefined>): QueryApiConfig =>
  loadConfig<QueryApiConfig>(queryApiConfigSpec, source);
