// The system as real child processes, so faults are real: SIGKILL a service and start it again on the
// same ports, restart the Kafka broker, restart PostgreSQL.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { poll } from '@payments/runtime/poll';

export const ROOT = join(import.meta.dirname, '..', '..');
const run = promisify(execFile);

export type ServiceName = 'command-api' | 'query-api' | 'authorizer' | 'projector';
export const SERVICES: ServiceName[] = ['command-api', 'query-api', 'authorizer', 'projector'];

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export class ServiceProcesses {
  private readonly children = new Map<ServiceName, ChildProcess>();
  private readonly env: Record<string, string>;
  private readonly logDir: string;
  readonly ports: Record<'command' | 'query' | 'authorizerOps' | 'projectorOps', number>;

  constructor(env: Record<string, string>, ports: ServiceProcesses['ports']) {
    this.ports = ports;
    this.logDir = join(ROOT, '.data', 'faults');
    mkdirSync(this.logDir, { recursive: true });
    this.env = {
      ...env,
      COMMAND_API_PORT: String(ports.command),
      QUERY_API_PORT: String(ports.query),
      AUTHORIZER_OPS_PORT: String(ports.authorizerOps),
      PROJECTOR_OPS_PORT: String(ports.projectorOps),
      // the APIs' operations endpoints are not probed here: any free port
      COMMAND_API_OPS_PORT: '0',
      QUERY_API_OPS_PORT: '0',
      JWKS_URL: `http://127.0.0.1:${ports.command}/.well-known/jwks.json`,
      LOG_LEVEL: 'info',
    };
  }

  get commandUrl() {
    return `http://127.0.0.1:${this.ports.command}`;
  }
  get queryUrl() {
    return `http://127.0.0.1:${this.ports.query}`;
  }

  private readyUrl(name: ServiceName): string {
    const port = {
      'command-api': this.ports.command,
      'query-api': this.ports.query,
      authorizer: this.ports.authorizerOps,
      projector: this.ports.projectorOps,
    }[name];
    return `http://127.0.0.1:${port}/health/ready`;
  }

  async start(name: ServiceName): Promise<void> {
    const log = createWriteStream(join(this.logDir, `${name}.log`), { flags: 'a' });
    const child = spawn(process.execPath, [join(ROOT, name, 'src', 'server.ts')], {
      cwd: ROOT,
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    this.children.set(name, child);
    await poll(async () => (await fetch(this.readyUrl(name))).status === 200, { timeoutMs: 60_000, what: `${name} ready` });
  }

  kill(name: ServiceName): void {
    this.children.get(name)?.kill('SIGKILL');
    this.children.delete(name);
  }

  async stopAll(): Promise<void> {
    await Promise.all(
      [...this.children].map(
        ([, child]) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
            setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
          }),
      ),
    );
    this.children.clear();
  }
}

/** Whether the broker is the local one this checkout's kafka.sh runs (so this run may restart it). */
export async function ownsKafka(): Promise<boolean> {
  try {
    await run(join(ROOT, 'infra', 'kafka', 'kafka.sh'), ['status'], { cwd: ROOT });
    return true;
  } catch {
    return false;
  }
}

export async function restartKafka(): Promise<void> {
  const script = join(ROOT, 'infra', 'kafka', 'kafka.sh');
  await run(script, ['stop'], { cwd: ROOT });
  await run(script, ['start'], { cwd: ROOT });
}

/** Whether this run may restart PostgreSQL: a local Debian cluster that pg_ctlcluster controls. */
export async function postgresCluster(): Promise<string | null> {
  try {
    const { stdout } = await run('pg_lsclusters', ['-h']);
    const line = stdout.split('\n').find((l) => /\s5432\s+online/.test(l));
    if (!line) return null;
    const [version, cluster] = line.trim().split(/\s+/);
    return `${version} ${cluster}`;
  } catch {
    return null;
  }
}

export async function restartPostgres(cluster: string): Promise<void> {
  const [version, name] = cluster.split(' ') as [string, string];
  await run('pg_ctlcluster', ['--skip-systemctl-redirect', version, name, 'restart', '-m', 'fast']);
}
