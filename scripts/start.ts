// `npm start`: the whole system on one machine. Finds or starts PostgreSQL and Kafka (scripts/infra.ts),
// migrates, seeds the development clients, creates the topics, runs the four services and the dashboard with
// their logs as readable lines, waits until both APIs are ready and prints where everything is. Ctrl-C stops
// the children first (they drain into PostgreSQL and Kafka), then the infrastructure this run started.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { styleText } from 'node:util';
import { commonConfigSpec, loadConfig, env as setting } from '@payments/runtime/config';
import { createKafka, ensureTopics } from '@payments/runtime/kafka';
import { createLogger } from '@payments/runtime/logger';
import { DEV_CLIENTS } from '@payments/schemas';
import { setSessionWeight, withNice } from './cpu-priority.ts';
import { ensureInfra, type Infra, message, ROOT, redact } from './infra.ts';
import { prepareDatabase } from './migrate.ts';

const LOCK = join(ROOT, '.data', 'start.lock');
const SERVICES = ['command-api', 'query-api', 'authorizer', 'projector'] as const;
// the asynchronous pipeline yields a contended core to the command path (scripts/cpu-priority.ts)
const CONSUMERS = new Set<string>(['authorizer', 'projector']);
const APIS = [
  { name: 'command-api', port: 8080 },
  { name: 'query-api', port: 8081 },
] as const;
const DASHBOARD_PORT = 5173;
const READY_TIMEOUT_MS = 90_000;
const STOP_GRACE_MS = 10_000;

type Child = { name: string; process: ChildProcess; exited: boolean };

const startedAt = Date.now();
const children: Child[] = [];
let infra: Infra | undefined;
let pendingInfra: Promise<Infra> | undefined;
let stopping: Promise<never> | undefined;

const say = (line: string) => process.stdout.write(`${line}\n`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function main(): Promise<void> {
  acquireLock();
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void shutdown(0, signal));
  // Last resort if this process dies on an error: no child may outlive it.
  process.on('exit', () => {
    for (const child of children) signalGroup(child, 'SIGKILL');
    releaseLock();
  });

  const missing = SERVICES.filter((s) => !existsSync(join(ROOT, s, 'src', 'server.ts')));
  if (missing.length) throw new Error(`missing service entry point(s): ${missing.map((s) => `${s}/src/server.ts`).join(', ')}`);
  const dashboard = dashboardSkipReason();
  if (dashboard) say(`dashboard: skipped (${dashboard})`);
  const ports = [...APIS.map((a) => ({ name: a.name, port: a.port })), ...(dashboard ? [] : [{ name: 'dashboard', port: DASHBOARD_PORT }])];
  for (const { name, port } of ports) {
    if (await portTaken(port)) {
      throw new Error(
        `port ${port} (${name}) is already in use by another process. Find it with \`ss -ltnp 'sport = :${port}'\` ` +
          `or \`lsof -i :${port}\`, stop it, and run npm start again.`,
      );
    }
  }

  pendingInfra = ensureInfra(say);
  infra = await pendingInfra;
  if (stopping) return;
  const infraReadyAt = Date.now();
  say(`infra: ready in ${seconds(infraReadyAt - startedAt)} (${infra.mode})`);

  const { applied, seeded } = await prepareDatabase(infra.databaseUrl, { seedDevClients: true });
  say(
    `postgres: ${applied.length ? `applied ${applied.join(', ')}` : 'migrations up to date'}${seeded.length ? `; seeded ${seeded.join(', ')}` : ''}`,
  );
  const topics = loadConfig<{ eventsTopic: string; dlqTopic: string }>({
    eventsTopic: commonConfigSpec.eventsTopic,
    dlqTopic: commonConfigSpec.dlqTopic,
  });
  // 0 (as the APIs) to 19 (last); lowering a priority needs no privileges
  const { consumerNice } = loadConfig<{ consumerNice: number }>({ consumerNice: setting.int('CONSUMER_NICE', 10, 0, 19) });
  const kafka = createKafka({ brokers: infra.kafkaBrokers, clientId: 'npm-start', logger: createLogger('npm-start', 'silent') });
  await ensureTopics(kafka, topics);
  say(`kafka: topics ${topics.eventsTopic}, ${topics.dlqTopic} ready`);
  if (stopping) return;

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: infra.databaseUrl,
    KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
    NODE_ENV: 'development',
    // The dashboard may be opened under either name; CORS compares origins literally.
    CORS_ORIGINS: process.env.CORS_ORIGINS ?? `http://localhost:${DASHBOARD_PORT},http://127.0.0.1:${DASHBOARD_PORT}`,
  };
  for (const service of SERVICES) {
    const nice = CONSUMERS.has(service) ? consumerNice : 0;
    const [command, args] = withNice(nice, process.execPath, [join(service, 'src', 'server.ts')]);
    const proc = startChild(service, command, args, env);
    const refused = proc.pid === undefined ? null : setSessionWeight(proc.pid, nice);
    if (refused) say(`${service}: CPU priority of its session not set (${refused}); its threads run at nice ${nice}`);
  }
  if (!dashboard) {
    const args = ['--workspace', 'dashboard', 'run', 'dev', '--', '--port', String(DASHBOARD_PORT), '--strictPort', '--host', '127.0.0.1'];
    startChild('dashboard', 'npm', args, env);
  }

  await waitUntilReady();
  if (stopping) return;
  printBanner(infra, !dashboard);
}

// ------------------------------------------------------------------------------------------------ Children

/** Each child leads its own process group: Ctrl-C reaches only us, and we stop the children in order. */
function startChild(name: string, command: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const proc = spawn(command, args, { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const child: Child = { name, process: proc, exited: false };
  children.push(child);
  for (const stream of [proc.stdout, proc.stderr]) {
    createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (line) => say(formatLine(name, line)));
  }
  proc.on('error', (error) => {
    child.exited = true;
    say(`${name}: could not start: ${message(error)}`);
    void shutdown(1, `${name} could not start`);
  });
  proc.on('exit', () => {
    child.exited = true;
  });
  // 'close' comes after the child's last output line, so the reason for the exit is printed above this.
  proc.on('close', (code, signal) => {
    if (stopping) return;
    say(`${name} exited unexpectedly (${signal ? `signal ${signal}` : `exit code ${code}`}); stopping everything`);
    void shutdown(1, `${name} exited`);
  });
  return proc;
}

function signalGroup(child: Child, signal: NodeJS.Signals | 0): boolean {
  if (child.process.pid === undefined) return false;
  try {
    process.kill(-child.process.pid, signal);
    return true;
  } catch {
    return false; // the whole group is gone
  }
}

const groupAlive = (child: Child) => signalGroup(child, 0);

async function stopChildren(): Promise<void> {
  const running = children.filter(groupAlive);
  if (!running.length) return;
  say(`stopping ${running.map((c) => c.name).join(', ')}...`);
  for (const child of running) signalGroup(child, 'SIGTERM');
  const deadline = Date.now() + STOP_GRACE_MS;
  while (Date.now() < deadline && running.some(groupAlive)) await sleep(100);
  for (const child of running.filter(groupAlive)) {
    say(`${child.name} did not stop within ${STOP_GRACE_MS / 1000} s; killing it`);
    signalGroup(child, 'SIGKILL');
  }
  while (running.some(groupAlive)) await sleep(50);
}

/** One way out: children first, then the infrastructure this run started, then the lock. */
function shutdown(code: number, reason: string): Promise<never> {
  if (stopping) {
    if (reason.startsWith('SIG')) say(`(${reason}: already stopping)`);
    return stopping;
  }
  stopping = (async () => {
    if (pendingInfra) say(`\nstopping (${reason})`);
    if (!infra && pendingInfra) {
      say('infra: waiting for start-up to finish so it can be stopped cleanly');
      infra = await pendingInfra.catch(() => undefined);
    }
    await stopChildren();
    await infra?.stop().catch((error: unknown) => say(`infra: stopping failed: ${message(error)}`));
    releaseLock();
    if (pendingInfra) say(`stopped after ${seconds(Date.now() - startedAt)}`);
    process.exit(code);
  })();
  return stopping;
}

// -------------------------------------------------------------------------------------------- Log lines

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const NOT_FIELDS = new Set(['level', 'time', 'pid', 'hostname', 'service', 'name', 'msg']);
const NAME_WIDTH = Math.max(...[...SERVICES, 'dashboard'].map((s) => s.length));

/** A pino JSON line as `HH:MM:SS service LEVEL msg key=value…`; anything else as `[name] line`. */
export function formatLine(name: string, line: string): string {
  let record: Record<string, unknown> | undefined;
  if (line.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(line);
      if (parsed && typeof parsed === 'object' && 'level' in parsed) record = parsed as Record<string, unknown>;
    } catch {}
  }
  if (!record) return `${styleText('dim', `[${name}]`)} ${line}`;

  const time = new Date(typeof record.time === 'string' || typeof record.time === 'number' ? record.time : Date.now());
  const level = typeof record.level === 'number' ? record.level : 30;
  const label = (LEVELS[level] ?? String(record.level)).padEnd(5);
  const service = (typeof record.service === 'string' ? record.service : name).padEnd(NAME_WIDTH);
  const fields: string[] = [];
  let stack = '';
  for (const [key, value] of Object.entries(record)) {
    if (NOT_FIELDS.has(key) || value === undefined) continue;
    if (key === 'err' && value && typeof value === 'object' && 'message' in value) {
      fields.push(`err=${JSON.stringify((value as { message: unknown }).message)}`);
      const s = (value as { stack?: unknown }).stack;
      if (level >= 50 && typeof s === 'string')
        stack = `\n    ${s
          .split('\n')
          .slice(1, 8)
          .map((l) => l.trim())
          .join('\n    ')}`;
      continue;
    }
    const text = typeof value === 'string' ? (/[\s"=]/.test(value) || value === '' ? JSON.stringify(value) : value) : JSON.stringify(value);
    fields.push(`${key}=${text.length > 300 ? `${text.slice(0, 300)}…` : text}`);
  }
  const color = level >= 50 ? 'red' : level >= 40 ? 'yellow' : level <= 20 ? 'gray' : 'green';
  const msg = typeof record.msg === 'string' ? record.msg : '';
  return [
    styleText('dim', time.toTimeString().slice(0, 8)),
    styleText('cyan', service),
    styleText(color, label),
    msg,
    fields.length ? styleText('dim', fields.join(' ')) : '',
  ]
    .filter(Boolean)
    .join(' ')
    .concat(stack);
}

// ----------------------------------------------------------------------------------------------- Checks

function dashboardSkipReason(): string | undefined {
  const pkgFile = join(ROOT, 'dashboard', 'package.json');
  if (!existsSync(pkgFile)) return 'dashboard/package.json is missing';
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { scripts?: Record<string, string> };
  if (!pkg.scripts?.dev) return 'dashboard/package.json has no dev script';
  if (!existsSync(join(ROOT, 'dashboard', 'index.html'))) return 'dashboard/index.html does not exist yet';
  return undefined;
}

/** Taken if something answers on it, or if we cannot listen on it on every interface ourselves. */
async function portTaken(port: number): Promise<boolean> {
  const answers = await new Promise<boolean>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (v: boolean) => {
      socket.destroy();
      resolve(v);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
  if (answers) return true;
  return new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(true));
    server.listen({ port, exclusive: true }, () => server.close(() => resolve(false)));
  });
}

async function waitUntilReady(): Promise<void> {
  const pending = new Map<string, { port: number; last: string }>(APIS.map((a) => [a.name, { port: a.port, last: 'not tried' }]));
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (pending.size && !stopping) {
    for (const [name, api] of pending) {
      try {
        const response = await fetch(`http://127.0.0.1:${api.port}/health/ready`, { signal: AbortSignal.timeout(2000) });
        await response.body?.cancel();
        if (response.status === 200) {
          pending.delete(name);
          say(`${name}: ready on :${api.port} after ${seconds(Date.now() - startedAt)}`);
        } else api.last = `/health/ready answers ${response.status}`;
      } catch (error) {
        api.last = `no answer (${message((error as { cause?: unknown }).cause ?? error)})`;
      }
    }
    if (!pending.size || stopping) return;
    if (Date.now() > deadline) {
      const detail = [...pending].map(([name, api]) => `${name} on :${api.port}: ${api.last}`).join('; ');
      throw new Error(`not ready after ${READY_TIMEOUT_MS / 1000} s: ${detail}`);
    }
    await sleep(500);
  }
}

// ------------------------------------------------------------------------------------------------- Lock

function acquireLock(): void {
  mkdirSync(dirname(LOCK), { recursive: true });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(LOCK, `${process.pid}\n`, { flag: 'wx' });
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== 'EEXIST') throw error;
    }
    const pid = Number.parseInt(readFileSync(LOCK, 'utf8'), 10);
    if (Number.isSafeInteger(pid) && pid > 0 && isStarter(pid)) {
      say(`npm start is already running (pid ${pid})`);
      process.exit(1);
    }
    say(`removing a stale ${LOCK.slice(ROOT.length + 1)} (pid ${pid || '?'} is gone)`);
    rmSync(LOCK, { force: true });
  }
  throw new Error(`could not take ${LOCK}`);
}

/** Alive, and (where /proc tells) really an `npm start`, not an unrelated process that reused the pid. */
function isStarter(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as { code?: string }).code !== 'EPERM') return false;
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('start.ts');
  } catch {
    return true; // no /proc: trust the signal check
  }
}

function releaseLock(): void {
  try {
    if (Number.parseInt(readFileSync(LOCK, 'utf8'), 10) === process.pid) rmSync(LOCK, { force: true });
  } catch {}
}

// ----------------------------------------------------------------------------------------------- Output

function printBanner(infra: Infra, withDashboard: boolean): void {
  const lines = [
    `Payments platform is up (started in ${seconds(Date.now() - startedAt)})`,
    '',
    'command API   http://localhost:8080',
    'query API     http://localhost:8081   (WebSocket /api/stream)',
    withDashboard ? `dashboard     http://localhost:${DASHBOARD_PORT}` : 'dashboard     (not started: see above)',
    '',
    `postgres      ${redact(infra.databaseUrl)}`,
    `kafka         ${infra.kafkaBrokers.join(',')} (${infra.mode})`,
    '',
    'development clients (POST :8080/api/auth/token {"clientId","clientSecret"}):',
    ...DEV_CLIENTS.map((c) => `  ${`${c.clientId} / ${c.secret}`.padEnd(36)} ${c.role}${'merchantId' in c ? ` ${c.merchantId}` : ''}`),
    '',
    'Ctrl-C stops everything npm start started.',
  ];
  const width = Math.max(...lines.map((l) => l.length));
  say(`┌${'─'.repeat(width + 2)}┐`);
  for (const line of lines) say(`│ ${line.padEnd(width)} │`);
  say(`└${'─'.repeat(width + 2)}┘`);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

main().catch((error: unknown) => {
  say(`npm start failed: ${message(error)}`);
  void shutdown(1, 'start-up failed');
});
