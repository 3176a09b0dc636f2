// CPU time per process group, from /proc/<pid>/stat (utime + stime) sampled before and after a phase. On a
// shared 2-core machine CPU milliseconds per payment are steadier than rates: they do not depend on what
// else ran meanwhile. PostgreSQL backends are attributed through pg_stat_activity to the database and
// application (pool name) they serve, so other databases on the same server (parallel test runs) are kept
// apart; a backend that exits during the phase hands its time to the postmaster (cutime): shown apart, as
// it cannot be told which database it served.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import type pg from 'pg';

export type ProcessGroup = 'command-api' | 'query-api' | 'authorizer' | 'projector' | 'kafka' | 'postgres' | 'bench' | 'launcher';

type Sample = {
  at: number;
  /** pid → [group, detail, ticks] */
  processes: Map<number, { group: string; detail: string; ticks: number }>;
  benchMicros: number;
  machine: { busy: number; total: number };
  pg: PgCounters;
};

/** Commits in our databases; WAL flushes (fsyncs) and bytes of the whole server (pg_stat_wal, PostgreSQL 14+). */
export type PgCounters = { commits: number; walSyncs: number; walBytes: number };

export type CpuUsage = {
  seconds: number;
  /**
   * CPU ms per group: command-api (API + relay), query-api, authorizer, projector, kafka, postgres, bench (the
   * load generator, and the pg client in the baseline), launcher (scripts/start.ts: it formats the services' logs)
   */
  ms: Record<ProcessGroup, number>;
  /** PostgreSQL ms by what the backend serves: `<application_name>` of its client, or `background` */
  postgresMs: Record<string, number>;
  /** PostgreSQL ms spent on other databases on the same server (not ours; noise) */
  otherDatabasesMs: number;
  /** PostgreSQL ms of backends that exited during the phase, any database (not in `postgres`) */
  exitedBackendsMs: number;
  /** share of both cores busy, from /proc/stat (everything on the machine, ours or not) */
  machineBusyPct: number;
  /** PostgreSQL counters over the phase (statistics are flushed about once a second: approximate) */
  pg: PgCounters;
};

let ticksPerSecond: number | undefined;
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** utime, stime, cutime, cstime and ppid of a process, or null when it is gone. */
function readStat(pid: number): { ppid: number; own: number; children: number; nice: number } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) is in parentheses and may contain spaces: fields resume after the last ')'
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const n = (i: number) => Number(fields[i] ?? 0);
    return { ppid: n(1), own: n(11) + n(12), children: n(13) + n(14), nice: n(16) };
  } catch {
    return null;
  }
}

/**
 * How each stack process stands when cores are contended: its nice value and, where the kernel groups
 * scheduling by session (autogroup), its session's, e.g. "nice 10, session 10" (set by its supervisor).
 */
export function cpuPriorities(stack: StackProcesses): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [group, pid] of Object.entries(stack)) {
    if (group === 'launcher' || pid === undefined) continue;
    const nice = readStat(pid)?.nice;
    const session = /nice (-?\d+)/.exec(readText(`/proc/${pid}/autogroup`))?.[1];
    out[group] = nice === undefined ? 'unknown' : `nice ${nice}${session === undefined ? '' : `, session ${session}`}`;
  }
  return out;
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function machineTicks(): { busy: number; total: number } {
  const line = readText('/proc/stat').split('\n')[0] ?? '';
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const total = values.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  return { busy: total - idle, total };
}

/** The pid listening on a local TCP port (from /proc/net/tcp{,6} and the owners' socket descriptors). */
export function listenerPid(port: number): number | null {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readText(table).split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[1]?.endsWith(`:${hex}`) && f[3] === '0A' && f[9]) inodes.add(`socket:[${f[9]}]`);
    }
  }
  if (!inodes.size) return null;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        if (inodes.has(readlinkSync(`/proc/${entry}/fd/${fd}`))) return Number(entry);
      } catch {}
    }
  }
  return null;
}

function cmdlineOf(pid: number): string {
  return readText(`/proc/${pid}/cmdline`).replaceAll('\0', ' ');
}

export type StackProcesses = Partial<Record<Exclude<ProcessGroup, 'postgres' | 'bench'>, number>>;

/**
 * The stack's processes: the APIs and the broker by the ports they listen on, the consumers as the
 * `<service>/src/server.ts` processes started next to the command API (same parent, as `npm start` does),
 * so another copy of a service run by a parallel test is not counted.
 */
export function findStackProcesses(ports: { commandApi: number; queryApi: number; kafka: number }): StackProcesses {
  const found: StackProcesses = {};
  const commandApi = listenerPid(ports.commandApi);
  const queryApi = listenerPid(ports.queryApi);
  const kafka = listenerPid(ports.kafka);
  if (commandApi) found['command-api'] = commandApi;
  if (queryApi) found['query-api'] = queryApi;
  if (kafka) found.kafka = kafka;
  const parent = commandApi ? readStat(commandApi)?.ppid : undefined;
  if (parent && cmdlineOf(parent).includes('scripts/start.ts')) found.launcher = parent;
  const candidates = new Map<string, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = cmdlineOf(Number(entry));
    for (const service of ['authorizer', 'projector'] as const) {
      if (cmdline.includes(`${service}/src/server.ts`)) candidates.set(service, [...(candidates.get(service) ?? []), Number(entry)]);
    }
  }
  for (const service of ['authorizer', 'projector'] as const) {
    const pids = candidates.get(service) ?? [];
    const sibling = pids.find((pid) => readStat(pid)?.ppid === parent);
    const pid = sibling ?? (pids.length === 1 ? pids[0] : undefined);
    if (pid) found[service] = pid;
  }
  return found;
}

export class CpuMeter {
  private readonly admin: pg.Pool;
  private readonly databases: Set<string>;
  private readonly stack: StackProcesses;

  /** `databases`: the ones whose backends count as ours (the stack's and the baseline's). */
  constructor(admin: pg.Pool, databases: string[], stack: StackProcesses) {
    this.admin = admin;
    this.databases = new Set(databases);
    this.stack = stack;
  }

  addDatabase(name: string): void {
    this.databases.add(name);
  }

  async sample(): Promise<Sample> {
    const activity = new Map<number, { datname: string | null; app: string; type: string }>();
    try {
      const { rows } = await this.admin.query<{ pid: number; datname: string | null; application_name: string; backend_type: string }>(
        'select pid, datname, application_name, backend_type from pg_stat_activity',
      );
      for (const r of rows) activity.set(r.pid, { datname: r.datname, app: r.application_name || 'unnamed', type: r.backend_type });
    } catch {
      // without pg_stat_activity every postgres process counts as ours
    }
    const processes: Sample['processes'] = new Map();
    for (const [group, pid] of Object.entries(this.stack)) {
      const stat = readStat(pid);
      if (stat) processes.set(pid, { group, detail: group, ticks: stat.own });
    }
    const postgresPids: number[] = [];
    for (const entry of readdirSync('/proc')) {
      if (/^\d+$/.test(entry) && readText(`/proc/${entry}/comm`).trim() === 'postgres') postgresPids.push(Number(entry));
    }
    const postgresSet = new Set(postgresPids);
    for (const pid of postgresPids) {
      const stat = readStat(pid);
      if (!stat) continue;
      const seen = activity.get(pid);
      if (!postgresSet.has(stat.ppid)) {
        // the postmaster: its own time is background, its children's time is that of backends that exited
        processes.set(pid, { group: 'postgres', detail: 'background', ticks: stat.own });
        processes.set(-pid, { group: 'exited-backends', detail: 'exited backends', ticks: stat.children });
      } else if (seen?.type !== 'client backend') {
        processes.set(pid, { group: 'postgres', detail: 'background', ticks: stat.own });
      } else if (seen.datname && this.databases.has(seen.datname)) {
        processes.set(pid, { group: 'postgres', detail: seen.app, ticks: stat.own });
      } else {
        processes.set(pid, { group: 'other-databases', detail: seen.datname ?? '?', ticks: stat.own });
      }
    }
    const usage = process.cpuUsage();
    return { at: Date.now(), processes, benchMicros: usage.user + usage.system, machine: machineTicks(), pg: await this.pgCounters() };
  }

  private async pgCounters(): Promise<PgCounters> {
    const counters: PgCounters = { commits: 0, walSyncs: 0, walBytes: 0 };
    try {
      const { rows } = await this.admin.query<{ commits: string }>(
        'select coalesce(sum(xact_commit), 0)::text as commits from pg_stat_database where datname = any($1)',
        [[...this.databases]],
      );
      counters.commits = Number(rows[0]?.commits ?? 0);
      const wal = await this.admin.query<{ wal_sync: string; wal_bytes: string }>(
        'select wal_sync::text, wal_bytes::text from pg_stat_wal',
      );
      counters.walSyncs = Number(wal.rows[0]?.wal_sync ?? 0);
      counters.walBytes = Number(wal.rows[0]?.wal_bytes ?? 0);
    } catch {
      // an older server without pg_stat_wal: commits only
    }
    return counters;
  }

  static diff(before: Sample, after: Sample): CpuUsage {
    const toMs = 1000 / clockTicks();
    const ms: Record<ProcessGroup, number> = {
      'command-api': 0,
      'query-api': 0,
      authorizer: 0,
      projector: 0,
      kafka: 0,
      postgres: 0,
      launcher: 0,
      bench: (after.benchMicros - before.benchMicros) / 1000,
    };
    const postgresMs: Record<string, number> = {};
    let otherDatabasesMs = 0;
    let exitedBackendsMs = 0;
    for (const [pid, now] of after.processes) {
      // a process that started during the phase counts from zero
      const delta = (now.ticks - (before.processes.get(pid)?.ticks ?? 0)) * toMs;
      if (delta <= 0) continue;
      if (now.group === 'other-databases') otherDatabasesMs += delta;
      else if (now.group === 'exited-backends') exitedBackendsMs += delta;
      else ms[now.group as ProcessGroup] += delta;
      if (now.group === 'postgres') postgresMs[now.detail] = (postgresMs[now.detail] ?? 0) + delta;
    }
    const total = after.machine.total - before.machine.total;
    return {
      seconds: (after.at - before.at) / 1000,
      ms,
      postgresMs,
      otherDatabasesMs,
      exitedBackendsMs,
      machineBusyPct: total > 0 ? (100 * (after.machine.busy - before.machine.busy)) / total : 0,
      pg: {
        commits: after.pg.commits - before.pg.commits,
        walSyncs: after.pg.walSyncs - before.pg.walSyncs,
        walBytes: after.pg.walBytes - before.pg.walBytes,
      },
    };
  }
}

/**
 * Rounded CPU ms per item for each process group, PostgreSQL's split by client, and PostgreSQL's commits
 * (our databases) and WAL flushes and kilobytes (whole server) per item: group commit shows in the last two.
 */
export type CpuPerItem = {
  perItem: Record<string, number>;
  postgresByClient: Record<string, number>;
  pgCommitsPerItem: number;
  walFlushesPerItem: number;
  walKbPerItem: number;
  machineBusyPct: number;
  items: number;
};

export function cpuPerItem(usage: CpuUsage, items: number): CpuPerItem {
  const per = (value: number, digits = 3) => (items > 0 ? Math.round((value / items) * 10 ** digits) / 10 ** digits : 0);
  const perItem: Record<string, number> = {};
  for (const [group, ms] of Object.entries(usage.ms)) if (ms > 0) perItem[group] = per(ms);
  const postgresByClient: Record<string, number> = {};
  for (const [client, ms] of Object.entries(usage.postgresMs)) postgresByClient[client] = per(ms);
  return {
    perItem,
    postgresByClient,
    pgCommitsPerItem: per(usage.pg.commits, 2),
    walFlushesPerItem: per(usage.pg.walSyncs),
    walKbPerItem: per(usage.pg.walBytes / 1024, 2),
    machineBusyPct: Math.round(usage.machineBusyPct * 10) / 10,
    items,
  };
}
