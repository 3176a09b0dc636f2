// `npm run bench`: the load benchmark (docs/PERFORMANCE.md). Reuses the running stack or starts one, then in
// one run: baseline and command alternating in short rounds, a fixed-rate command pass, end to end with
// per-stage timing, the end-to-end capacity search, the HTTP ceiling and a replay. Prints a table; writes the
// run to .data/bench/ (JSON and an HTML page with charts). Every wait is bounded; all traffic goes to 127.0.0.1.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { reliableProducerConfig } from '@payments/runtime/kafka';
import { createPool } from '@payments/runtime/pg';
import { type BenchContext, waitForQuietPipeline } from './src/context.ts';
import { CpuMeter, cpuPerItem, cpuPriorities, findStackProcesses, type StackProcesses } from './src/cpu.ts';
import { renderHtml } from './src/html-report.ts';
import { type BenchOptions, DEFAULT_FIXED_RATE, type Phase, parseOptions, roundSeconds, USAGE } from './src/options.ts';
import { Baseline } from './src/phases/baseline.ts';
import { runCapacity } from './src/phases/capacity.ts';
import { CommandPhase, mergedLatency } from './src/phases/command.ts';
import { runE2e } from './src/phases/e2e.ts';
import { runHttpCeiling } from './src/phases/http-ceiling.ts';
import { runReplay } from './src/phases/replay.ts';
import { measureStages } from './src/phases/stages.ts';
import { renderReport } from './src/report.ts';
import { assemble, type FixedRatePass, type Machine, type PhaseData, type Settings } from './src/results.ts';
import { devTokens, reuseOrStartStack, type Stack } from './src/stack.ts';
import { type Histogram, round, spread } from './src/stats.ts';
import { StreamWatcher } from './src/stream-watcher.ts';

const RESULTS_DIR = join(import.meta.dirname, '..', '.data', 'bench');
const log = (line: string) => process.stderr.write(`[bench ${new Date().toTimeString().slice(0, 8)}] ${line}\n`);

let cleanup: (() => Promise<void>) | null = null;

async function main(): Promise<number> {
  const parsed = parseOptions(process.argv.slice(2));
  if (parsed === 'help') {
    console.log(USAGE);
    return 0;
  }
  const options: BenchOptions = parsed;
  const runId = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  log(`run ${runId}: phases ${options.phases.join(',')}, ${options.connections} connections, ${options.durationSeconds} s per phase`);

  const stack: Stack = await reuseOrStartStack(log);
  const watcher = new StreamWatcher();
  const db = createPool(stack.databaseUrl, { max: 3, name: 'bench' });
  let baseline: Baseline | null = null;
  let cleaned = false;
  cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    watcher.close();
    await baseline?.teardown();
    await db.end().catch(() => {});
    await stack.stop();
  };

  const errors: Record<string, string> = {};
  const phases: PhaseData = {};
  let settings: Settings | undefined;
  try {
    const tokens = await devTokens();
    const kafkaPort = Number(stack.kafkaBrokers[0]?.split(':')[1] ?? 9092);
    const processes = findStackProcesses({ commandApi: 8080, queryApi: 8081, kafka: kafkaPort });
    const missing = ['command-api', 'query-api', 'authorizer', 'projector', 'kafka'].filter((g) => !(g in processes));
    if (missing.length) log(`cpu: could not find the process of ${missing.join(', ')}; its CPU is not counted`);
    const database = new URL(stack.databaseUrl).pathname.slice(1);
    const cpu = new CpuMeter(db, [database], processes);
    await watcher.connect(tokens.viewer);
    const ctx: BenchContext = { runId, options, stack, tokens, db, cpu, watcher, log };
    settings = await describeSettings(ctx, processes);
    const seconds = roundSeconds(options);

    const wants = (phase: Phase) => options.phases.includes(phase);
    /** Runs one phase; a failure is recorded and logged, and the run goes on with the next phase. */
    const phase = async (name: string, run: () => Promise<void>) => {
      try {
        await run();
      } catch (error) {
        errors[name] = message(error);
        log(`${name} failed: ${message(error)}`);
      }
    };

    // a checkpoint before each measured section, as pgbench does before a run: otherwise one PostgreSQL starts
    // itself (at full speed this machine reaches max_wal_size in ~40 s) lands in one phase and not another
    const checkpoint = async (before: string) => {
      try {
        await db.query('CHECKPOINT');
        log(`postgres: checkpoint before ${before}`);
      } catch (error) {
        log(`postgres: no checkpoint before ${before} (${message(error)}); one may land in it`);
      }
    };
    await checkpoint('the warm-up');

    // ---- warm-up: a cold stack (JIT, caches, connections) runs well below its steady state ----
    if ((wants('command') || wants('e2e') || wants('capacity')) && options.warmupSeconds > 0) {
      log(`warm-up: ${options.warmupSeconds} s of payments at full speed through the whole pipeline (not measured)`);
      // its own idempotency keys: a warm-up that shared the rounds' keys would turn round 1 into replays
      await new CommandPhase(ctx, 'warmup').warmUp(options.warmupSeconds);
      const settled = await waitForQuietPipeline(ctx);
      log(`warm-up: pipeline caught up ${round(settled.seconds, 1)} s later`);
    }

    // after the warm-up: a just-started JVM and just-started services still compile and load
    await waitForQuietPipeline(ctx);
    const idleBefore = await cpu.sample();
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const idle = CpuMeter.diff(idleBefore, await cpu.sample());
    phases.idle = {
      seconds: round(idle.seconds, 2),
      cpuMsPerSecond: Object.fromEntries(Object.entries(idle.ms).map(([g, ms]) => [g, round(ms / idle.seconds, 1)])),
      machineBusyPct: round(idle.machineBusyPct, 1),
    };
    log(`idle: machine ${phases.idle.machineBusyPct}% busy with no load offered`);

    // ---- baseline and command, alternating in short rounds, then the command's fixed-rate pass ----
    if (wants('baseline') || wants('command'))
      await phase(wants('command') ? 'command' : 'baseline', async () => {
        const command = wants('command') ? new CommandPhase(ctx) : null;
        try {
          if (wants('baseline')) {
            baseline = new Baseline(ctx);
            await baseline.setup();
            if (options.warmupSeconds > 0) {
              log('baseline: warm-up (2 s, not measured)');
              await baseline.round(2);
            }
          }
          await checkpoint('the rounds');
          const baselineRounds: NonNullable<PhaseData['baseline']>['rounds'] = [];
          const commandRounds: NonNullable<PhaseData['command']>['rounds'] = [];
          const histograms: { histogram: Histogram }[] = [];
          for (let i = 1; i <= options.rounds; i++) {
            if (baseline) {
              const { cpu: usage, ...b } = await baseline.round(seconds);
              log(`round ${i}/${options.rounds} baseline: ${round(b.tps)} tx/s (p99 ${b.latency.p99Ms} ms)`);
              baselineRounds.push({ ...b, cpuMsPerTx: cpuPerItem(usage, b.transactions) });
            }
            if (command) {
              const { cpu: usage, histogram, ...c } = await command.round(seconds);
              const settled = await waitForQuietPipeline(ctx);
              log(
                `round ${i}/${options.rounds} command: ${round(c.rps)} accepted/s (p99 ${c.latency.p99Ms} ms, statuses ${JSON.stringify(c.statuses)}); pipeline caught up ${round(settled.seconds, 1)} s later`,
              );
              histograms.push({ histogram });
              commandRounds.push({ ...c, cpuMsPerPayment: cpuPerItem(usage, c.accepted), settleSeconds: round(settled.seconds, 2) });
            }
          }
          if (baseline) phases.baseline = { rounds: baselineRounds, tps: spread(baselineRounds.map((r) => r.tps)) };
          if (!command) return;
          const rps = spread(commandRounds.map((r) => r.rps));
          phases.command = { rounds: commandRounds, rps, saturatedLatency: mergedLatency(histograms) };
          const rate = options.rate ?? (rps.median > 0 ? Math.max(1, Math.round(rps.median / 2)) : DEFAULT_FIXED_RATE);
          log(`command: fixed rate ${rate}/s for ${options.durationSeconds} s (open loop, each payment followed to its decision)`);
          await waitForQuietPipeline(ctx);
          await checkpoint('the fixed-rate pass');
          const e = await runE2e(ctx, { rate, seconds: options.durationSeconds, name: 'fixed' });
          const { cpu: usage, samples: _samples, window: _window, ...f } = e;
          const pass: FixedRatePass = {
            ...f,
            rateSource: options.rate ? '--rate' : 'half of the measured maximum',
            cpuMsPerPayment: cpuPerItem(usage, f.accepted),
          };
          phases.command.fixedRate = pass;
          log(
            `command: at ${rate}/s 202 p50 ${f.ack.p50Ms} ms, p99 ${f.ack.p99Ms} ms, p99.9 ${f.ack.p999Ms} ms; decided p50 ${f.latency.p50Ms} ms, p99 ${f.latency.p99Ms} ms`,
          );
          await phase('stagesAtFixedRate', async () => {
            pass.stages = await measureStages(ctx, e);
          });
        } finally {
          await baseline?.close(); // its database is dropped by cleanup, after the last phase
        }
      });

    // ---- end to end, with the stages of its sample ----
    if (wants('e2e'))
      await phase('e2e', async () => {
        const settled = await waitForQuietPipeline(ctx);
        await checkpoint('the e2e pass');
        log(`e2e: ${options.e2eRate}/s offered for ${options.durationSeconds} s`);
        const e = await runE2e(ctx, { rate: options.e2eRate, seconds: options.durationSeconds, name: 'e2e' });
        const { cpu: usage, samples: _samples, window: _window, ...rest } = e;
        phases.e2e = { ...rest, cpuMsPerPayment: cpuPerItem(usage, e.accepted), settleBeforeSeconds: round(settled.seconds, 2) };
        log(
          `e2e: ${e.decided}/${e.accepted} decided; p50 ${e.latency.p50Ms} ms, p99 ${e.latency.p99Ms} ms, p99.9 ${e.latency.p999Ms} ms; drain ${e.drainSeconds ?? 'unfinished'} s`,
        );
        await phase('stages', async () => {
          phases.stages = await measureStages(ctx, e);
        });
      });

    // ---- end-to-end capacity: a step search over offered rates ----
    if (wants('capacity'))
      await phase('capacity', async () => {
        log(
          `capacity: step search from ${options.capacityStart}/s, ${options.capacityStepSeconds} s per step, at most ${options.capacitySteps} steps`,
        );
        const c = await runCapacity(ctx, checkpoint);
        phases.capacity = c;
        log(
          `capacity: ${c.ratePerSecond === null ? 'no step held' : `${c.ratePerSecond}/s holds`}; first failure ${c.firstFailingRate ?? 'none'}/s`,
        );
      });

    // ---- HTTP ceiling ----
    if (wants('http'))
      await phase('http', async () => {
        await waitForQuietPipeline(ctx);
        log(`http: bare fastify route, ${options.connections} connections, ${options.durationSeconds} s`);
        const { cpu: usage, ...h } = await runHttpCeiling(ctx, options.durationSeconds);
        phases.http = { ...h, cpuMsPerRequest: cpuPerItem(usage, h.requests) };
        log(`http: ${round(h.rps)} req/s`);
      });

    // ---- replay ----
    if (wants('replay'))
      await phase('replay', async () => {
        await waitForQuietPipeline(ctx);
        log('replay: rebuilding the payments projection');
        const { cpu: usage, ...r } = await runReplay(ctx);
        phases.replay = { ...r, cpuMsPerEvent: cpuPerItem(usage, r.events) };
        log(`replay: ${r.status}, ${r.events} events at ${round(r.eventsPerSecond)} events/s`);
      });
  } finally {
    await cleanup();
  }

  if (!settings) throw new Error('the bench could not get as far as its first phase');
  const results = assemble(phases, errors, machine(), settings);
  const text = renderReport(results);
  console.log(`\n${text}`);
  // one pair of files per run (named by its start, so they sort), and latest.* for the last one
  mkdirSync(RESULTS_DIR, { recursive: true });
  const name = `${results.generatedAt.replaceAll(':', '').slice(0, 17)}-${runId}`;
  const json = `${JSON.stringify(results, null, 2)}\n`;
  const html = renderHtml(results, text);
  for (const base of [name, 'latest']) {
    writeAtomically(join(RESULTS_DIR, `${base}.json`), json);
    writeAtomically(join(RESULTS_DIR, `${base}.html`), html);
  }
  log(`wrote .data/bench/${name}.{json,html} (and latest.*)`);
  return Object.keys(errors).length ? 1 : 0;
}

/** Durability and the stack's own settings, read from the server and the command API's environment. */
async function describeSettings(ctx: BenchContext, processes: StackProcesses): Promise<Settings> {
  const commandApiPid = processes['command-api'];
  const durability: Record<string, string> = {};
  for (const name of ['synchronous_commit', 'fsync', 'wal_sync_method', 'commit_delay', 'full_page_writes']) {
    const { rows } = await ctx.db.query<Record<string, string>>(`show ${name}`);
    durability[name] = Object.values(rows[0] ?? {})[0] ?? '?';
  }
  // kafkajs refuses an idempotent producer unless acks is -1 (all): the relay's config says which
  durability.producer = reliableProducerConfig().idempotent ? 'idempotent, acks=all' : 'not idempotent';
  durability.kafka = 'single broker, replication factor 1';
  // the figures degrade once the tables and indexes every payment touches outgrow PostgreSQL's buffer cache
  // (docs/PERFORMANCE.md), so a run says how big the database was when it started
  const { rows: sizes } = await ctx.db.query<{ size: string; shared_buffers: string }>(
    `select pg_size_pretty(pg_database_size(current_database())) as size, current_setting('shared_buffers') as shared_buffers`,
  );
  const database = { size: sizes[0]?.size ?? '?', sharedBuffers: sizes[0]?.shared_buffers ?? '?' };
  const stackEnvironment: Record<string, string> = {};
  const environ = commandApiPid ? readEnviron(commandApiPid) : {};
  for (const [name, fallback] of [
    ['DB_POOL_MAX', '10'],
    ['RELAY_BATCH_SIZE', '500'],
    ['RELAY_LINGER_MS', '5'],
    ['GROUP_COMMIT_LINGER_MS', '6'],
    ['GROUP_COMMIT_CONCURRENCY', '1'],
    ['CONSUMER_FETCH_MAX_WAIT_MS', '100'],
    ['CONSUMER_FETCH_MIN_BYTES', '32768'],
    ['LOG_LEVEL', 'info'],
    ['NODE_ENV', 'development'],
  ] as const) {
    stackEnvironment[name] = environ[name] ?? `${fallback} (default)`;
  }
  const o = ctx.options;
  return {
    commit: gitCommit(),
    durationSeconds: o.durationSeconds,
    warmupSeconds: o.warmupSeconds,
    roundSeconds: round(roundSeconds(o), 2),
    connections: o.connections,
    rounds: o.rounds,
    fixedRate: o.rate ?? 'half of the measured maximum',
    e2eRate: o.e2eRate,
    capacity: { stepSeconds: o.capacityStepSeconds, start: o.capacityStart, resolution: o.capacityResolution, maxSteps: o.capacitySteps },
    phases: o.phases,
    stack: ctx.stack.startedByBench ? 'started by the bench' : 'reused',
    stackEnvironment,
    cpuPriority: cpuPriorities(processes),
    database,
    durability,
  };
}

/** The commit the figures belong to (`-dirty` with uncommitted changes), so runs can be compared over time. */
function gitCommit(): string {
  try {
    const run = (args: string[]) => execFileSync('git', args, { cwd: join(import.meta.dirname, '..'), encoding: 'utf8' }).trim();
    return `${run(['rev-parse', '--short', 'HEAD'])}${run(['status', '--porcelain', '--untracked-files=no']) ? '-dirty' : ''}`;
  } catch {
    return 'unknown';
  }
}

function readEnviron(pid: number): Record<string, string> {
  try {
    const out: Record<string, string> = {};
    for (const entry of readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')) {
      const at = entry.indexOf('=');
      if (at > 0) out[entry.slice(0, at)] = entry.slice(at + 1);
    }
    return out;
  } catch {
    return {};
  }
}

function machine(): Machine {
  const list = cpus();
  return {
    cpus: list.length,
    cpuModel: list[0]?.model.trim() ?? '?',
    memoryGb: round(totalmem() / 1024 ** 3, 1),
    node: process.version,
    kernel: release(),
    platform: process.platform,
    loadAverage: loadavg().map((v) => round(v, 2)),
  };
}

function writeAtomically(path: string, content: string): void {
  writeFileSync(`${path}.tmp`, content);
  renameSync(`${path}.tmp`, path);
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: cleaning up`);
    const done = cleanup ? cleanup() : Promise.resolve();
    void done.finally(() => process.exit(130));
  });
}

main().then(
  (code) => process.exit(code),
  async (error: unknown) => {
    console.error(`bench failed: ${message(error)}`);
    await cleanup?.().catch(() => {});
    process.exit(1);
  },
);
