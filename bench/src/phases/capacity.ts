// End-to-end capacity: the highest offered rate at which payments are seen decided on the WebSocket with a
// p99 of at most 150 ms and the pipeline drains within 2 s of the load stopping. A step search of short e2e
// passes (open loop, viewer WebSocket): the rate doubles from --capacity-start until a step fails, then
// bisects between the highest pass and the lowest failure until they are --capacity-resolution apart. Before
// each step the pipeline drains and PostgreSQL checkpoints, so no step inherits a failed step's backlog.
import { type BenchContext, waitForQuietPipeline } from '../context.ts';
import { type CpuPerItem, cpuPerItem } from '../cpu.ts';
import { round } from '../stats.ts';
import { runE2e } from './e2e.ts';

export const CAPACITY_P99_MS = 150;
export const CAPACITY_DRAIN_SECONDS = 2;
/** A step whose pipeline has not drained this long after its load fails anyway: stop waiting for it. */
const STEP_DRAIN_LIMIT_MS = 10_000;

export type CapacityStep = {
  rate: number;
  passed: boolean;
  /** why it failed, or null */
  reason: string | null;
  offered: number;
  accepted: number;
  decided: number;
  p50Ms: number | null;
  p99Ms: number | null;
  ackP99Ms: number | null;
  drainSeconds: number | null;
  maxSendLagMs: number;
  cpuMsPerPayment: CpuPerItem;
};

export type CapacityResult = {
  /** the highest passing rate (payments/s offered); null: not even the first step passed */
  ratePerSecond: number | null;
  /** the lowest failing rate; null: every step up to the bound passed */
  firstFailingRate: number | null;
  steps: CapacityStep[];
};

export type SearchBounds = { start: number; resolution: number; maxRate: number; maxSteps: number };

/** The next rate to try after `steps`, or null when the search is done. Pure: the search's whole policy. */
export function nextRate(steps: readonly Pick<CapacityStep, 'rate' | 'passed'>[], bounds: SearchBounds): number | null {
  if (steps.length >= bounds.maxSteps) return null;
  if (!steps.length) return Math.min(bounds.start, bounds.maxRate);
  const passed = steps.filter((s) => s.passed).map((s) => s.rate);
  const failed = steps.filter((s) => !s.passed).map((s) => s.rate);
  const low = passed.length ? Math.max(...passed) : 0;
  if (!failed.length) return low >= bounds.maxRate ? null : Math.min(low * 2, bounds.maxRate);
  const high = Math.min(...failed);
  if (high - low <= bounds.resolution) return null;
  // the middle, on a 50/s grid so the rates read well, and strictly inside the interval
  const middle = Math.round((low + high) / 2 / 50) * 50;
  return middle > low && middle < high ? middle : null;
}

/** Why a step fails, or null when it passes. */
export function verdict(step: Omit<CapacityStep, 'passed' | 'reason'>): string | null {
  if (step.accepted < step.offered) return `${step.offered - step.accepted} of ${step.offered} not accepted`;
  if (step.decided < step.accepted) return `${step.accepted - step.decided} never seen decided`;
  if (step.p99Ms === null || step.p99Ms > CAPACITY_P99_MS) return `p99 ${step.p99Ms} ms > ${CAPACITY_P99_MS}`;
  if (step.drainSeconds === null || step.drainSeconds > CAPACITY_DRAIN_SECONDS)
    return `drain ${step.drainSeconds ?? 'unfinished'} s > ${CAPACITY_DRAIN_SECONDS}`;
  return null;
}

export async function runCapacity(ctx: BenchContext, checkpoint: (before: string) => Promise<void>): Promise<CapacityResult> {
  const { options } = ctx;
  const bounds: SearchBounds = {
    start: options.capacityStart,
    resolution: options.capacityResolution,
    maxRate: options.capacityMaxRate,
    maxSteps: options.capacitySteps,
  };
  const steps: CapacityStep[] = [];
  for (let rate = nextRate(steps, bounds); rate !== null; rate = nextRate(steps, bounds)) {
    await waitForQuietPipeline(ctx);
    await checkpoint(`capacity step ${steps.length + 1} (${rate}/s)`);
    const e = await runE2e(ctx, {
      rate,
      seconds: options.capacityStepSeconds,
      name: `capacity-${rate}`,
      drainLimitMs: STEP_DRAIN_LIMIT_MS,
    });
    const measured = {
      rate,
      offered: e.offered,
      accepted: e.accepted,
      decided: e.decided,
      p50Ms: e.latency.p50Ms,
      p99Ms: e.latency.p99Ms,
      ackP99Ms: e.ack.p99Ms,
      drainSeconds: e.drainSeconds,
      maxSendLagMs: e.maxSendLagMs,
      cpuMsPerPayment: cpuPerItem(e.cpu, e.accepted),
    };
    const reason = verdict(measured);
    steps.push({ ...measured, passed: reason === null, reason });
    ctx.log(
      `capacity: ${rate}/s ${reason === null ? 'holds' : `fails (${reason})`}: p99 ${e.latency.p99Ms} ms, drain ${e.drainSeconds ?? 'unfinished'} s, machine ${round(e.cpu.machineBusyPct)}% busy`,
    );
  }
  const passed = steps.filter((s) => s.passed).map((s) => s.rate);
  const failed = steps.filter((s) => !s.passed).map((s) => s.rate);
  return {
    ratePerSecond: passed.length ? Math.max(...passed) : null,
    firstFailingRate: failed.length ? Math.min(...failed) : null,
    steps,
  };
}
