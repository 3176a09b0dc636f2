// The system under test: a stack that is already running (both APIs answer /health/ready) is reused as it is;
// otherwise `node scripts/start.ts` is started as a child, its ready box awaited, and at the end it is
// stopped with SIGTERM (it stops its services and the infrastructure it started). Only ever 127.0.0.1.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { commonConfigSpec, loadConfig } from '@payments/runtime/config';
import { DEV_CLIENTS } from '@payments/schemas';
import { sleep } from './clock.ts';
import type { MerchantToken } from './payment-requests.ts';

export const ROOT = join(import.meta.dirname, '..', '..');
export const COMMAND_API = 'http://127.0.0.1:8080';
export const QUERY_API = 'http://127.0.0.1:8081';
const START_TIMEOUT_MS = 240_000;
const STOP_TIMEOUT_MS = 30_000;

export type Stack = {
  startedByBench: boolean;
  databaseUrl: string;
  kafkaBrokers: string[];
  eventsTopic: string;
  stop: () => Promise<void>;
};

export type Tokens = { merchants: MerchantToken[]; viewer: string; analyst: string };

type Log = (line: string) => void;

async function ready(base: string): Promise<'ready' | 'not-ready' | 'down'> {
  try {
    const response = await fetch(`${base}/health/ready`, { signal: AbortSignal.timeout(2000) });
    await response.body?.cancel();
    return response.status === 200 ? 'ready' : 'not-ready';
  } catch {
    return 'down';
  }
}

export async function reuseOrStartStack(log: Log): Promise<Stack> {
  const config = loadConfig<{ databaseUrl: string; kafkaBrokers: string[]; eventsTopic: string }>({
    databaseUrl: commonConfigSpec.databaseUrl,
    kafkaBrokers: commonConfigSpec.kafkaBrokers,
    eventsTopic: commonConfigSpec.eventsTopic,
  });
  const states = await Promise.all([ready(COMMAND_API), ready(QUERY_API)]);
  if (states.every((s) => s === 'ready')) {
    log('stack: reusing the one running on :8080 and :8081');
    return { startedByBench: false, ...config, stop: async () => {} };
  }
  if (states.some((s) => s !== 'down')) {
    // something is there but not ready: give it a moment (it may be starting), never start a second one
    log('stack: an API answers but is not ready yet; waiting up to 60 s');
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if ((await Promise.all([ready(COMMAND_API), ready(QUERY_API)])).every((s) => s === 'ready')) {
        return { startedByBench: false, ...config, stop: async () => {} };
      }
      await sleep(1000);
    }
    throw new Error('the APIs on :8080/:8081 answer but never became ready; stop them or fix them first');
  }
  return startStack(log, config);
}

async function startStack(log: Log, config: Omit<Stack, 'startedByBench' | 'stop'>): Promise<Stack> {
  log('stack: nothing answers on :8080/:8081; starting one with `node scripts/start.ts`');
  const child: ChildProcess = spawn(process.execPath, [join('scripts', 'start.ts')], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    // the bench signs in once, and a long run outlasts the default 15-minute token (the stream closes at exp)
    env: { ...process.env, TOKEN_TTL_SECONDS: process.env.TOKEN_TTL_SECONDS ?? '3600' },
  });
  const lines: string[] = [];
  let exited: string | null = null;
  let databaseUrl = config.databaseUrl;
  let kafkaBrokers = config.kafkaBrokers;
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (line) => {
      lines.push(line);
      if (lines.length > 400) lines.shift();
      // the ready box names where PostgreSQL and Kafka ended up (an embedded PostgreSQL listens on 5433)
      const pgLine = /│\s*postgres\s+(\S+?):(\d+)\/(\S+)/.exec(line);
      if (pgLine && !process.env.DATABASE_URL) databaseUrl = `postgres://postgres@${pgLine[1]}:${pgLine[2]}/${pgLine[3]}`;
      const kafkaLine = /│\s*kafka\s+(\S+)/.exec(line);
      if (kafkaLine?.[1] && !process.env.KAFKA_BROKERS) kafkaBrokers = kafkaLine[1].split(',');
    });
  }
  child.on('exit', (code, signal) => {
    exited = signal ? `signal ${signal}` : `exit code ${code}`;
  });
  const stop = async () => {
    if (exited) return;
    log('stack: stopping the stack the bench started (SIGTERM)');
    child.kill('SIGTERM');
    const deadline = Date.now() + STOP_TIMEOUT_MS;
    while (!exited && Date.now() < deadline) await sleep(100);
    if (!exited) {
      log('stack: did not stop in time; SIGKILL');
      child.kill('SIGKILL');
    }
  };
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (exited) throw new Error(`scripts/start.ts exited (${exited}) before the stack was ready:\n${lines.slice(-30).join('\n')}`);
    const banner = lines.some((l) => l.includes('Payments platform is up'));
    if (banner && (await Promise.all([ready(COMMAND_API), ready(QUERY_API)])).every((s) => s === 'ready')) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the stack was not ready after ${START_TIMEOUT_MS / 1000} s:\n${lines.slice(-30).join('\n')}`);
    }
    await sleep(500);
  }
  log(`stack: ready (postgres ${new URL(databaseUrl).host}, kafka ${kafkaBrokers.join(',')})`);
  return { startedByBench: true, ...config, databaseUrl, kafkaBrokers, stop };
}

async function token(clientId: string, clientSecret: string): Promise<string> {
  const response = await fetch(`${COMMAND_API}/api/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ clientId, clientSecret }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await response.json()) as { accessToken?: string; message?: string };
  if (response.status !== 200 || !body.accessToken) throw new Error(`token for ${clientId}: ${response.status} ${body.message ?? ''}`);
  return body.accessToken;
}

/** Tokens of the development clients (seeded by `npm start`), for both merchants, the viewer and the analyst. */
export async function devTokens(): Promise<Tokens> {
  const merchants: MerchantToken[] = [];
  let viewer = '';
  let analyst = '';
  for (const client of DEV_CLIENTS) {
    const accessToken = await token(client.clientId, client.secret);
    if ('merchantId' in client) merchants.push({ merchantId: client.merchantId, token: accessToken });
    else if (client.role === 'viewer') viewer = accessToken;
    else if (client.role === 'analyst') analyst = accessToken;
  }
  return { merchants, viewer, analyst };
}
