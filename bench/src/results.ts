// The run's results as written to .data/bench/: the headline figures at the top level, then each phase in
// detail, the targets and where they stand, the machine and the settings.
import type { CpuPerItem } from './cpu.ts';
import type { BaselineRound } from './phases/baseline.ts';
import type { CapacityResult } from './phases/capacity.ts';
import type { CommandRound } from './phases/command.ts';
import type { E2eResult } from './phases/e2e.ts';
import type { HttpCeilingResult } from './phases/http-ceiling.ts';
import type { ReplayResult } from './phases/replay.ts';
import type { StagesResult } from './phases/stages.ts';
import { type LatencySummary, round, type Spread, spread } from './stats.ts';

export type Machine = {
  cpus: number;
  cpuModel: string;
  memoryGb: number;
  node: string;
  kernel: string;
  platform: string;
  loadAverage: number[];
};
export type Durability = Record<string, string>;
export type Settings = {
  commit: string;
  durationSeconds: number;
  warmupSeconds: number;
  roundSeconds: number;
  connections: number;
  rounds: number;
  fixedRate: number | 'half of the measured maximum';
  e2eRate: number;
  capacity: { stepSeconds: number; start: number; resolution: number; maxSteps: number };
  phases: string[];
  stack: 'reused' | 'started by the bench';
  stackEnvironment: Record<string, string>;
  /** Each stack process's CPU priority as measured (cpuPriorities). */
  cpuPriority: Record<string, string>;
  /** The stack's database when the run started: its size and the server's buffer cache. */
  database: { size: string; sharedBuffers: string };
  durability: Durability;
};

export type Target = { name: string; target: string; value: number | null; met: boolean | null; note: string };

/** The open-loop pass at a fixed offered rate: command latency (intended send → 202) and end to end. */
export type FixedRatePass = Omit<E2eResult, 'samples' | 'cpu' | 'window'> & {
  rateSource: string;
  cpuMsPerPayment: CpuPerItem;
  stages?: StagesResult;
};

export type PhaseData = {
  /** what each process burns with no load offered (timers, polls, heartbeats; other users of Kafka and PostgreSQL) */
  idle?: { seconds: number; cpuMsPerSecond: Record<string, number>; machineBusyPct: number };
  baseline?: { rounds: (Omit<BaselineRound, 'cpu'> & { cpuMsPerTx: CpuPerItem })[]; tps: Spread };
  command?: {
    rounds: (Omit<CommandRound, 'histogram' | 'cpu'> & { cpuMsPerPayment: CpuPerItem; settleSeconds: number })[];
    rps: Spread;
    saturatedLatency: LatencySummary;
    fixedRate?: FixedRatePass;
  };
  e2e?: Omit<E2eResult, 'samples' | 'cpu' | 'window'> & { cpuMsPerPayment: CpuPerItem; settleBeforeSeconds: number };
  stages?: StagesResult;
  capacity?: CapacityResult;
  http?: Omit<HttpCeilingResult, 'cpu'> & { cpuMsPerRequest: CpuPerItem };
  replay?: Omit<ReplayResult, 'cpu'> & { cpuMsPerEvent: CpuPerItem };
};

export type BenchResults = {
  generatedAt: string;
  baselineTps: number | null;
  commandRps: number | null;
  commandP50Ms: number | null;
  commandP99Ms: number | null;
  commandP999Ms: number | null;
  ratioCommandToBaseline: number | null;
  /** command / baseline of each round (the two ran back to back, so the machine's mood is shared) */
  ratioPerRound: number[];
  httpCeilingRps: number | null;
  ratioCommandToHttp: number | null;
  cpuMsPerPayment: Record<string, Record<string, number>>;
  e2eRate: number | null;
  e2eP50Ms: number | null;
  e2eP99Ms: number | null;
  e2eP999Ms: number | null;
  stages: StagesResult | null;
  drainSeconds: number | null;
  replayEventsPerSec: number | null;
  /** the highest offered rate with end-to-end p99 ≤ 150 ms and a drain ≤ 2 s (phases/capacity.ts) */
  e2eCapacityPerSec: number | null;
  targets: Target[];
  phases: PhaseData;
  errors: Record<string, string>;
  machine: Machine;
  settings: Settings;
};

const r1 = (v: number | null | undefined) => (v === null || v === undefined ? null : round(v, 1));
const r2 = (v: number | null | undefined) => (v === null || v === undefined ? null : round(v, 2));

export function assemble(phases: PhaseData, errors: Record<string, string>, machine: Machine, settings: Settings): BenchResults {
  const baselineTps = phases.baseline ? r1(phases.baseline.tps.median) : null;
  const commandRps = phases.command ? r1(phases.command.rps.median) : null;
  const fixed = phases.command?.fixedRate;
  const httpCeilingRps = phases.http ? r1(phases.http.rps) : null;
  const cpuMsPerPayment: Record<string, Record<string, number>> = {};
  if (phases.baseline) cpuMsPerPayment.baseline = medianCpu(phases.baseline.rounds.map((r) => r.cpuMsPerTx)).perItem;
  if (phases.command) cpuMsPerPayment.command = medianCpu(phases.command.rounds.map((r) => r.cpuMsPerPayment)).perItem;
  if (fixed) cpuMsPerPayment.commandFixedRate = fixed.cpuMsPerPayment.perItem;
  if (phases.e2e) cpuMsPerPayment.e2e = phases.e2e.cpuMsPerPayment.perItem;
  const results: BenchResults = {
    generatedAt: new Date().toISOString(),
    baselineTps,
    commandRps,
    commandP50Ms: fixed?.ack.p50Ms ?? null,
    commandP99Ms: fixed?.ack.p99Ms ?? null,
    commandP999Ms: fixed?.ack.p999Ms ?? null,
    ratioCommandToBaseline: baselineTps && commandRps !== null ? r2(commandRps / baselineTps) : null,
    ratioPerRound:
      phases.baseline && phases.command
        ? phases.command.rounds.map((c, i) => round(c.rps / (phases.baseline?.rounds[i]?.tps || Number.NaN), 2)).filter(Number.isFinite)
        : [],
    httpCeilingRps,
    ratioCommandToHttp: httpCeilingRps && commandRps !== null ? round(commandRps / httpCeilingRps, 3) : null,
    cpuMsPerPayment,
    e2eRate: phases.e2e?.offeredRate ?? null,
    e2eP50Ms: phases.e2e?.latency.p50Ms ?? null,
    e2eP99Ms: phases.e2e?.latency.p99Ms ?? null,
    e2eP999Ms: phases.e2e?.latency.p999Ms ?? null,
    stages: phases.stages ?? null,
    drainSeconds: phases.e2e?.drainSeconds ?? null,
    replayEventsPerSec: phases.replay ? r1(phases.replay.eventsPerSecond) : null,
    e2eCapacityPerSec: phases.capacity?.ratePerSecond ?? null,
    targets: [],
    phases,
    errors,
    machine,
    settings,
  };
  results.targets = targets(results);
  return results;
}

/** Each figure's median over the rounds. */
export function medianCpu(list: CpuPerItem[]): CpuPerItem {
  const m = (pick: (c: CpuPerItem) => number) => round(spread(list.map(pick)).median, 3);
  const medianOf = (pick: (c: CpuPerItem) => Record<string, number>) => {
    const out: Record<string, number> = {};
    for (const key of new Set(list.flatMap((c) => Object.keys(pick(c))))) out[key] = m((c) => pick(c)[key] ?? 0);
    return out;
  };
  return {
    perItem: medianOf((c) => c.perItem),
    postgresByClient: medianOf((c) => c.postgresByClient),
    pgCommitsPerItem: m((c) => c.pgCommitsPerItem),
    walFlushesPerItem: m((c) => c.walFlushesPerItem),
    walKbPerItem: m((c) => c.walKbPerItem),
    machineBusyPct: m((c) => c.machineBusyPct),
    items: m((c) => c.items),
  };
}

function targets(r: BenchResults): Target[] {
  const atMost = (value: number | null, limit: number) => (value === null ? null : value <= limit);
  const atLeast = (value: number | null, limit: number) => (value === null ? null : value >= limit);
  const fixed = r.phases.command?.fixedRate;
  const e2e = r.phases.e2e;
  return [
    {
      name: 'ratioCommandToBaseline',
      target: '>= 1.0',
      value: r.ratioCommandToBaseline,
      met: atLeast(r.ratioCommandToBaseline, 1),
      note: 'API accepts vs bare transactions per payment',
    },
    {
      name: 'commandP99Ms',
      target: '<= 25 at half the sustainable rate',
      value: r.commandP99Ms,
      met: atMost(r.commandP99Ms, 25),
      note: fixed ? `offered ${round(fixed.offeredRate)}/s (${fixed.rateSource})` : 'not measured',
    },
    {
      name: 'e2eP99Ms',
      target: '<= 150 at 1000/s offered',
      value: r.e2eP99Ms,
      met: r.e2eRate !== null && r.e2eRate >= 1000 ? atMost(r.e2eP99Ms, 150) : null,
      note: e2e ? `offered ${e2e.offeredRate}/s, ${e2e.decided}/${e2e.accepted} seen decided` : 'not measured',
    },
    {
      name: 'drainSeconds',
      target: '<= 2',
      value: r.drainSeconds,
      met: e2e ? (r.drainSeconds === null ? false : r.drainSeconds <= 2) : null,
      note: e2e && r.drainSeconds === null ? `${e2e.undecided} payments never seen decided` : 'after the offered load stops',
    },
    {
      name: 'e2eCapacityPerSec',
      target: '>= 1000',
      value: r.e2eCapacityPerSec,
      met: r.phases.capacity ? (r.e2eCapacityPerSec ?? 0) >= 1000 : null, // no step held: not met
      note: r.phases.capacity
        ? `highest offered rate with e2e p99 <= 150 ms and drain <= 2 s; first failure ${r.phases.capacity.firstFailingRate ?? 'none'}/s`
        : 'not measured',
    },
    {
      name: 'replayEventsPerSec',
      target: '>= 20000',
      value: r.replayEventsPerSec,
      met: atLeast(r.replayEventsPerSec, 20_000),
      note: r.phases.replay ? `${r.phases.replay.events} events` : 'not measured',
    },
  ];
}
