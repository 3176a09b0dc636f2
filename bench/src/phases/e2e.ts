// End to end: payments offered at a fixed rate (open loop), each timed from its intended send to its 202 and
// to the moment the WebSocket client sees it decided (AUTHORIZED or REVIEW); the drain is how long after the
// offered load stops until every accepted payment was seen decided. The fixed-rate command pass and each
// capacity step are passes of this too.
import { nowMs, waitUntil } from '../clock.ts';
import type { BenchContext } from '../context.ts';
import { CpuMeter, type CpuUsage } from '../cpu.ts';
import { sendAtFixedRate } from '../paced-sender.ts';
import { COMMAND_API } from '../stack.ts';
import { type LatencySummary, newHistogram, percentile, recordMs, round, summarize } from '../stats.ts';

export type E2eSample = { paymentId: string; intendedAt: number; ackAt: number; decidedAt: number | null };

export type E2eResult = {
  offeredRate: number;
  offered: number;
  accepted: number;
  statuses: Record<string, number>;
  errors: number;
  decided: number;
  /** intended send → HTTP 202 */
  ack: LatencySummary;
  /** intended send → seen decided on the WebSocket */
  latency: LatencySummary;
  /** seconds from the end of the offered load until the last accepted payment was seen decided; null: never */
  drainSeconds: number | null;
  undecided: number;
  maxSendLagMs: number;
  /** Per second of intended sends: end-to-end p50/p99 and the 202's p99, so a bad second shows as one. */
  timeline: { second: number; sent: number; p50Ms: number | null; p99Ms: number | null; ackP99Ms: number | null }[];
  cpu: CpuUsage;
  samples: E2eSample[];
  window: { startedAt: number; endedAt: number };
};

const LEAD_IN_SECONDS = 3;

export type E2ePass = { rate: number; seconds: number; name: string; drainLimitMs?: number };

export async function runE2e(ctx: BenchContext, pass: E2ePass): Promise<E2eResult> {
  const { options, watcher } = ctx;
  const samples = new Map<string, E2eSample>();
  watcher.startTracking();
  // a system that cannot accept the offered rate queues requests at the sender: let them finish (bounded)
  const drainLimitMs = pass.drainLimitMs ?? Math.max(30_000, 3 * pass.seconds * 1000);
  // CPU is counted from the first measured request on (the thread says when, after its lead-in)
  const measured: { cpuBefore?: ReturnType<CpuMeter['sample']> } = {};
  const sent = await sendAtFixedRate(
    {
      tailTimeoutMs: drainLimitMs,
      url: `${COMMAND_API}/api/payments`,
      rate: pass.rate,
      durationMs: pass.seconds * 1000,
      connections: options.connections,
      mix: { runId: `${ctx.runId}-${pass.name}`, merchants: [...ctx.tokens.merchants] },
      // the steady state at this rate, not the aftermath of what ran before (grown heaps, dirty buffers)
      leadIn: options.warmupSeconds > 0 ? { durationMs: LEAD_IN_SECONDS * 1000, runId: `${ctx.runId}-${pass.name}-lead-in` } : undefined,
    },
    (responses) => {
      for (const { status, paymentId, intendedAt, ackAt } of responses) {
        if (status !== 202 || paymentId === null) continue;
        samples.set(paymentId, { paymentId, intendedAt, ackAt, decidedAt: null });
        watcher.track(paymentId);
      }
    },
    () => {
      measured.cpuBefore = ctx.cpu.sample();
    },
  );
  const drained = await waitUntil(() => watcher.decidedAt.size >= samples.size, drainLimitMs, 20);
  const cpu = CpuMeter.diff(await (measured.cpuBefore ?? ctx.cpu.sample()), await ctx.cpu.sample());
  watcher.stopTracking();

  const latency = newHistogram();
  let lastDecidedAt = 0;
  const perSecond = new Map<number, { sent: number; latencies: number[]; acks: number[] }>();
  for (const sample of samples.values()) {
    sample.decidedAt = watcher.decidedAt.get(sample.paymentId) ?? null;
    const second = Math.floor((sample.intendedAt - sent.startedAt) / 1000);
    const bucket = perSecond.get(second) ?? { sent: 0, latencies: [], acks: [] };
    perSecond.set(second, bucket);
    bucket.sent++;
    bucket.acks.push(sample.ackAt - sample.intendedAt);
    if (sample.decidedAt === null) continue;
    recordMs(latency, sample.decidedAt - sample.intendedAt);
    bucket.latencies.push(sample.decidedAt - sample.intendedAt);
    lastDecidedAt = Math.max(lastDecidedAt, sample.decidedAt);
  }
  const decided = [...samples.values()].filter((s) => s.decidedAt !== null).length;
  return {
    offeredRate: pass.rate,
    offered: sent.offered,
    accepted: sent.accepted,
    statuses: sent.statuses,
    errors: sent.errors,
    decided,
    // the sender's own histogram of intended send → 202
    ack: summarize(sent.latency),
    latency: summarize(latency),
    drainSeconds: drained && samples.size ? round(Math.max(0, lastDecidedAt - sent.loadEndedAt) / 1000, 3) : null,
    undecided: samples.size - decided,
    maxSendLagMs: round(sent.maxSendLagMs, 1),
    timeline: [...perSecond.entries()]
      .sort(([a], [b]) => a - b)
      .map(([second, { sent, latencies, acks }]) => ({
        second,
        sent,
        p50Ms: roundOrNull(percentile(latencies, 50)),
        p99Ms: roundOrNull(percentile(latencies, 99)),
        ackP99Ms: roundOrNull(percentile(acks, 99)),
      })),
    cpu,
    samples: [...samples.values()],
    window: { startedAt: sent.startedAt, endedAt: nowMs() },
  };
}

const roundOrNull = (value: number | null) => (value === null ? null : round(value, 1));
