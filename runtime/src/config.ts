// Typed configuration, read once at start-up from the environment and validated as a whole: a bad start
// lists every bad variable at once instead of failing on the first. Nothing else reads process.env.
import { type PositionSecretConfig, positionSecretConfigSpec } from './merchant-positions.ts';

export class ConfigError extends Error {
  readonly code = 'invalid_config';
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.problems = problems;
  }
}

type Env = Readonly<Record<string, string | undefined>>;
/** Reads one variable; returns the value or pushes a problem. */
export type Reader<T> = (env: Env, problems: string[]) => T;
/** The configuration a spec of readers loads: each setting is declared once, in the spec. */
export type ConfigOf<S> = { [K in keyof S]: S[K] extends Reader<infer T> ? T : never };

const read =
  <T>(name: string, fallback: T | undefined, parse: (raw: string) => T | undefined, expected: string): Reader<T> =>
  (env, problems) => {
    const raw = env[name];
    if (raw === undefined || raw === '') {
      if (fallback === undefined) problems.push(`${name} is required (${expected})`);
      return fallback as T;
    }
    const value = parse(raw);
    if (value === undefined) problems.push(`${name}=${JSON.stringify(raw.slice(0, 80))} is not ${expected}`);
    return value as T;
  };

export const env = {
  string: (name: string, fallback?: string) => read(name, fallback, (raw) => raw, 'a string'),
  int: (name: string, fallback?: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
    read(
      name,
      fallback,
      (raw) => (/^-?\d+$/.test(raw) && Number(raw) >= min && Number(raw) <= max ? Number(raw) : undefined),
      `an integer in [${min}, ${max}]`,
    ),
  bool: (name: string, fallback?: boolean) =>
    read(
      name,
      fallback,
      (raw) => {
        const values: Record<string, boolean> = { true: true, '1': true, false: false, '0': false };
        return Object.hasOwn(values, raw) ? values[raw] : undefined;
      },
      'true or false',
    ),
  oneOf: <T extends string>(name: string, values: readonly T[], fallback?: T) =>
    read(name, fallback, (raw) => (values.includes(raw as T) ? (raw as T) : undefined), `one of ${values.join(', ')}`),
  list: (name: string, fallback?: string[]) =>
    read(
      name,
      fallback,
      (raw) => {
        const items = raw
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        return items.length ? items : undefined;
      },
      'a comma-separated list',
    ),
  optional: (name: string) => (e: Env) => (e[name] === '' ? undefined : e[name]),
};

export function loadConfig<T extends Record<string, unknown>>(spec: { [K in keyof T]: Reader<T[K]> }, source: Env = process.env): T {
  const problems: string[] = [];
  const out = {} as T;
  for (const key of Object.keys(spec) as (keyof T)[]) out[key] = spec[key](source, problems);
  if (problems.length) throw new ConfigError(problems);
  return Object.freeze(out);
}

/** Settings every service shares: where the infrastructure is and what it is called. */
export const commonConfigSpec = {
  nodeEnv: env.oneOf('NODE_ENV', ['development', 'production', 'test'], 'development'),
  logLevel: env.oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
  databaseUrl: env.string('DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/payments'),
  kafkaBrokers: env.list('KAFKA_BROKERS', ['127.0.0.1:9092']),
  eventsTopic: env.string('EVENTS_TOPIC', 'payments.events'),
  dlqTopic: env.string('DLQ_TOPIC', 'payments.events.dlq'),
};
/** How a Kafka consumer batches its fetches (authorizer and projector); see ConsumerRunner. */
export const consumerConfigSpec = {
  fetchMaxWaitMs: env.int('CONSUMER_FETCH_MAX_WAIT_MS', 100, 0, 10_000),
  fetchMinBytes: env.int('CONSUMER_FETCH_MIN_BYTES', 32_768, 1, 64 * 1024 * 1024),
};
export type ConsumerConfig = { fetchMaxWaitMs: number; fetchMinBytes: number };
/**
 * What both HTTP APIs share (runtime/src/http/base-app.ts): how long a client has to send a whole request,
 * headers and body, before it is answered 408 and its socket closed; and where their operations endpoint
 * (/metrics, runtime/src/ops-server.ts) listens, loopback unless said otherwise.
 */
export const httpConfigSpec = {
  httpRequestTimeoutMs: env.int('HTTP_REQUEST_TIMEOUT_MS', 10_000, 100, 600_000),
  opsHost: env.string('OPS_HOST', '127.0.0.1'),
};
export type HttpConfig = { httpRequestTimeoutMs: number; opsHost: string };

/** Everything both APIs read alike; `<PREFIX>_PORT` and `<PREFIX>_OPS_PORT` are each API's own. */
export const apiConfigSpec = (prefix: string, defaults: { port: number; opsPort: number }) => ({
  ...commonConfigSpec,
  ...httpConfigSpec,
  host: env.string('HOST', '0.0.0.0'),
  port: env.int(`${prefix}_PORT`, defaults.port, 0, 65535),
  // /metrics and /health/* for operators, on OPS_HOST (loopback by default)
  opsPort: env.int(`${prefix}_OPS_PORT`, defaults.opsPort, 0, 65535),
  jwtIssuer: env.string('JWT_ISSUER', 'payments-command-api'),
  jwtAudience: env.string('JWT_AUDIENCE', 'payments'),
  corsOrigins: env.list('CORS_ORIGINS', ['http://localhost:5173']),
  dbPoolMax: env.int('DB_POOL_MAX', 10, 1, 200),
  // the key of the positions merchants are shown and pass back: the same in both APIs
  ...positionSecretConfigSpec,
});
export type ApiConfig = CommonConfig &
  HttpConfig &
  PositionSecretConfig & {
    host: string;
    port: number;
    opsPort: number;
    jwtIssuer: string;
    jwtAudience: string;
    corsOrigins: string[];
    dbPoolMax: number;
  };
export type CommonConfig = {
  nodeEnv: 'development' | 'production' | 'test';
  logLevel: string;
  databaseUrl: string;
  kafkaBrokers: string[];
  eventsTopic: string;
  dlqTopic: string;
};
