// Test harness: each test file gets its own PostgreSQL database, its own Kafka topics and consumer groups,
// and the four services started in-process against them (or as child processes, for crash tests). Nothing
// is mocked: this is the real system on the real infrastructure `npm test` brought up.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAuthorizerConfig, startAuthorizer } from '@payments/authorizer';
import { loadCommandApiConfig, startCommandApi } from '@payments/command-api';
import { loadProjectorConfig, startProjector } from '@payments/projector';
import { loadQueryApiConfig, startQueryApi } from '@payments/query-api';
import { createKafka, ensureTopics } from '@payments/runtime/kafka';
import { createLogger } from '@payments/runtime/logger';
import { createPool, migrate, type Pool } from '@payments/runtime/pg';
import { devToken } from '@payments/schemas';
import pg from 'pg';

export const adminUrl = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const kafkaBrokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
export const logger = createLogger('test', process.env.TEST_LOG_LEVEL ?? 'warn');

export type TestDatabase = { url: string; pool: Pool; drop: () => Promise<void> };

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const pool = createPool(url.toString(), { max: 5, name: 'test' });
  await migrate(pool);
  return {
    url: url.toString(),
    pool,
    async drop() {
      await pool.end();
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export type Env = Record<string, string>;

/** Environment for one test file's system: its database, its topics, its groups, free ports. */
export async function testEnvironment(db: TestDatabase): Promise<Env> {
  const id = randomBytes(4).toString('hex');
  const env: Env = {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    DATABASE_URL: db.url,
    KAFKA_BROKERS: kafkaBrokers.join(','),
    EVENTS_TOPIC: `test.${id}.payments.events`,
    DLQ_TOPIC: `test.${id}.payments.events.dlq`,
    AUTHORIZER_GROUP_ID: `test.${id}.authorizer`,
    PROJECTOR_GROUP_ID: `test.${id}.projector`,
    HOST: '127.0.0.1',
    COMMAND_API_PORT: '0',
    QUERY_API_PORT: '0',
    COMMAND_API_OPS_PORT: '0',
    QUERY_API_OPS_PORT: '0',
    AUTHORIZER_OPS_PORT: '0',
    PROJECTOR_OPS_PORT: '0',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'payments-test-')),
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
  };
  const kafka = createKafka({ brokers: kafkaBrokers, clientId: 'test-setup', logger });
  await ensureTopics(kafka, { eventsTopic: env.EVENTS_TOPIC as string, dlqTopic: env.DLQ_TOPIC as string });
  return env;
}

export type Stack = {
  env: Env;
  db: TestDatabase;
  commandUrl: string;
  queryUrl: string;
  /** The APIs' operations endpoints (/metrics, /health/*), on loopback. */
  commandOpsUrl: string;
  queryOpsUrl: string;
  token: (clientId: string) => Promise<string>;
  stop: () => Promise<void>;
  stopPart: (part: 'authorizer' | 'projector' | 'command' | 'query') => Promise<void>;
  startPart: (part: 'authorizer' | 'projector' | 'command' | 'query') => Promise<void>;
};

/** Starts the whole system in this process. `parts` leaves some out (e.g. to run one as a child process). */
export async function startStack(
  options: { parts?: ('authorizer' | 'projector' | 'command' | 'query')[]; env?: Env } = {},
): Promise<Stack> {
  const db = await createTestDatabase();
  const env = { ...(await testEnvironment(db)), ...options.env };
  const handles = new Map<string, { stop: () => Promise<void> }>();
  let commandUrl = '';
  let queryUrl = '';
  let commandOpsUrl = '';
  let queryOpsUrl = '';
  const starters = {
    command: async () => {
      const config = loadCommandApiConfig({ ...env, ...(commandUrl ? { COMMAND_API_PORT: new URL(commandUrl).port } : {}) });
      const h = await startCommandApi(config, logger.child({ service: 'command-api' }));
      commandUrl = h.url;
      commandOpsUrl = h.opsUrl;
      handles.set('command', h);
    },
    query: async () => {
      const config = loadQueryApiConfig({
        ...env,
        JWKS_URL: `${commandUrl}/.well-known/jwks.json`,
        ...(queryUrl ? { QUERY_API_PORT: new URL(queryUrl).port } : {}),
      });
      const h = await startQueryApi(config, logger.child({ service: 'query-api' }));
      queryUrl = h.url;
      queryOpsUrl = h.opsUrl;
      handles.set('query', h);
    },
    authorizer: async () =>
      handles.set('authorizer', await startAuthorizer(loadAuthorizerConfig(env), logger.child({ service: 'authorizer' }))),
    projector: async () => handles.set('projector', await startProjector(loadProjectorConfig(env), logger.child({ service: 'projector' }))),
  };
  const parts = options.parts ?? ['command', 'query', 'authorizer', 'projector'];
  for (const part of ['command', 'query', 'authorizer', 'projector'] as const) if (parts.includes(part)) await starters[part]();

  const tokens = new Map<string, string>();
  return {
    env,
    db,
    get commandUrl() {
      return commandUrl;
    },
    get queryUrl() {
      return queryUrl;
    },
    get commandOpsUrl() {
      return commandOpsUrl;
    },
    get queryOpsUrl() {
      return queryOpsUrl;
    },
    async token(clientId) {
      const cached = tokens.get(clientId);
      if (cached) return cached;
      const accessToken = await devToken(commandUrl, clientId);
      tokens.set(clientId, accessToken);
      return accessToken;
    },
    async stopPart(part) {
      await handles.get(part)?.stop();
      handles.delete(part);
    },
    async startPart(part) {
      await starters[part]();
    },
    async stop() {
      for (const part of ['command', 'query', 'authorizer', 'projector'])
        await handles
          .get(part)
          ?.stop()
          .catch(() => {});
      await db.drop();
    },
  } as Stack;
}

export type Json = Record<string, unknown>;

export async function post(url: string, token: string | null, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : null) as Json };
}

export async function get(url: string, token: string | null) {
  const res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const text = await res.text();
  let body: Json = {};
  try {
    body = JSON.parse(text) as Json;
  } catch {
    body = { text };
  }
  return { status: res.status, headers: res.headers, body };
}

/**
 * Polls (vi.waitFor) until `check` returns a value (not undefined), or fails after `timeoutMs`. vitest is loaded
 * here, not at the top: the fault suite runs outside vitest and imports this file for its other helpers.
 */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const { vi } = await import('vitest');
  return vi.waitFor(
    async () => {
      const value = await check();
      if (value === undefined) throw new Error(`timed out waiting for ${what}`);
      return value;
    },
    { timeout: timeoutMs, interval: 50 },
  );
}

export async function countRows(pool: Pool): Promise<{ events: number; outbox: number; keys: number }> {
  const { rows } = await pool.query<{ events: number; outbox: number; keys: number }>(
    `select (select count(*) from es.events)::int8 as events, (select count(*) from es.outbox)::int8 as outbox,
            (select count(*) from es.idempotency_keys)::int8 as keys`,
  );
  return rows[0] as { events: number; outbox: number; keys: number };
}
