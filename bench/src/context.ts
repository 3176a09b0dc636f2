// What every phase gets: the options, the stack, tokens, a pool on the stack's database, the CPU meter, the
// live-stream watcher and a progress log (stderr; stdout is for the report).
import type pg from 'pg';
import { nowMs, sleep } from './clock.ts';
import type { CpuMeter } from './cpu.ts';
import type { BenchOptions } from './options.ts';
import type { Stack, Tokens } from './stack.ts';
import type { StreamWatcher } from './stream-watcher.ts';

export type BenchContext = {
  runId: string;
  options: BenchOptions;
  stack: Stack;
  tokens: Tokens;
  /** a small pool on the stack's database, for the bench's own queries */
  db: pg.Pool;
  cpu: CpuMeter;
  watcher: StreamWatcher;
  log: (line: string) => void;
};

export type Settled = { seconds: number; settled: boolean };

/**
 * Waits until the pipeline behind the API has caught up with what earlier phases left: the outbox is empty
 * and the live stream has been quiet for half a second. Bounded; reports how long it took.
 */
export async function waitForQuietPipeline(ctx: BenchContext, timeoutMs = 60_000): Promise<Settled> {
  const start = nowMs();
  const deadline = start + timeoutMs;
  while (nowMs() < deadline) {
    const { rows } = await ctx.db.query<{ waiting: boolean }>('select exists (select 1 from es.outbox) as waiting');
    if (!rows[0]?.waiting && ctx.watcher.quietFor(500)) {
      return { seconds: Math.max(0, (ctx.watcher.lastUpdateAt - start) / 1000), settled: true };
    }
    await sleep(100);
  }
  ctx.log(`pipeline: still busy after ${timeoutMs / 1000} s; going on`);
  return { seconds: timeoutMs / 1000, settled: false };
}
