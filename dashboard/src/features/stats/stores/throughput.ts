// Payments per second by outcome over a rolling window: pure bucketing of stream transitions into
// one-second buckets keyed by epoch second, and the aligned arrays uPlot draws. A transition is placed at
// the payment's `updatedAt` (the server's time of the change), so a resumed stream's replay lands where it
// happened rather than piling up at "now"; times ahead of the local clock are clamped to now.
import { OUTCOMES, type Outcome } from '@payments/schemas';

export const LIVE_WINDOW_SECONDS = 300;

export type OutcomeCounts = Readonly<Record<Outcome, number>>;

export interface ThroughputState {
  /** Epoch second → transitions into each outcome during that second. */
  buckets: ReadonlyMap<number, OutcomeCounts>;
}

export interface Transition {
  outcome: Outcome;
  atMs: number;
}

export const emptyThroughput: ThroughputState = { buckets: new Map() };

const zero = (): Record<Outcome, number> => ({ requested: 0, authorized: 0, review: 0, approved: 0, declined: 0 });

export function recordTransitions(
  state: ThroughputState,
  transitions: readonly Transition[],
  nowMs: number,
  windowSeconds = LIVE_WINDOW_SECONDS,
): ThroughputState {
  const nowSec = Math.floor(nowMs / 1000);
  const oldest = nowSec - windowSeconds;
  const buckets = new Map<number, OutcomeCounts>();
  for (const [second, counts] of state.buckets) if (second > oldest) buckets.set(second, counts);
  for (const { outcome, atMs } of transitions) {
    if (!Number.isFinite(atMs)) continue;
    const second = Math.min(nowSec, Math.floor(atMs / 1000));
    if (second <= oldest) continue;
    const counts = { ...(buckets.get(second) ?? zero()) };
    counts[outcome] += 1;
    buckets.set(second, counts);
  }
  return { buckets };
}

/**
 * uPlot's aligned data for the window ending at the last complete second: [t, requested, authorized,
 * review, approved, declined], t in epoch seconds.
 */
export function windowSeries(state: ThroughputState, nowMs: number, windowSeconds = LIVE_WINDOW_SECONDS): [number[], ...number[][]] {
  const end = Math.floor(nowMs / 1000) - 1;
  const t: number[] = [];
  const series = OUTCOMES.map(() => [] as number[]);
  for (let second = end - windowSeconds + 1; second <= end; second++) {
    t.push(second);
    const counts = state.buckets.get(second);
    for (const [i, outcome] of OUTCOMES.entries()) series[i]?.push(counts?.[outcome] ?? 0);
  }
  return [t, ...series];
}

/** Mean per second over the last `seconds` complete seconds, per outcome. */
export function recentRates(state: ThroughputState, nowMs: number, seconds = 10): Record<Outcome, number> {
  const end = Math.floor(nowMs / 1000) - 1;
  const sums = zero();
  for (let second = end - seconds + 1; second <= end; second++) {
    const counts = state.buckets.get(second);
    if (counts) for (const outcome of OUTCOMES) sums[outcome] += counts[outcome];
  }
  for (const outcome of OUTCOMES) sums[outcome] /= seconds;
  return sums;
}
