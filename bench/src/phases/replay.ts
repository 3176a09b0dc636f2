// Replay: a full rebuild of the payments read models from the event store, requested as an analyst through
// the query API and carried out by the projector; its own events-per-second figure, and ours from the wall
// clock around it.
import { nowMs, sleep } from '../clock.ts';
import type { BenchContext } from '../context.ts';
import { CpuMeter, type CpuUsage } from '../cpu.ts';
import { QUERY_API } from '../stack.ts';

type Rebuild = { id: number; status: string; eventsDone: number; eventsTotal: number; eventsPerSecond: number; error: string | null };
export type ReplayResult = {
  eventsPerSecond: number;
  events: number;
  seconds: number;
  status: string;
  error: string | null;
  cpu: CpuUsage;
};

const TIMEOUT_MS = 180_000;

async function call(ctx: BenchContext, method: string, path: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${QUERY_API}${path}`, {
    method,
    headers: { authorization: `Bearer ${ctx.tokens.analyst}` },
    signal: AbortSignal.timeout(10_000),
  });
  return { status: response.status, body: await response.json() };
}

export async function runReplay(ctx: BenchContext): Promise<ReplayResult> {
  const before = await ctx.cpu.sample();
  const started = nowMs();
  let requested = await call(ctx, 'POST', '/api/projections/payments/rebuild');
  if (requested.status === 409) {
    // someone else's rebuild is running: wait for it, then ask for ours
    ctx.log('replay: another rebuild is in progress; waiting for it first');
    const deadline = Date.now() + TIMEOUT_MS;
    while (requested.status === 409 && Date.now() < deadline) {
      await sleep(500);
      requested = await call(ctx, 'POST', '/api/projections/payments/rebuild');
    }
  }
  if (requested.status !== 202) throw new Error(`rebuild request answered ${requested.status}: ${JSON.stringify(requested.body)}`);
  const { id } = requested.body as Rebuild;
  let rebuild = requested.body as Rebuild;
  const deadline = Date.now() + TIMEOUT_MS;
  while (rebuild.status !== 'done' && rebuild.status !== 'failed') {
    if (Date.now() > deadline)
      throw new Error(`rebuild ${id} did not finish within ${TIMEOUT_MS / 1000} s (at ${rebuild.eventsDone} events)`);
    await sleep(100);
    rebuild = (await call(ctx, 'GET', `/api/projections/payments/rebuilds/${id}`)).body as Rebuild;
  }
  const seconds = (nowMs() - started) / 1000;
  const cpu = CpuMeter.diff(before, await ctx.cpu.sample());
  return {
    eventsPerSecond: rebuild.eventsPerSecond,
    events: rebuild.eventsTotal,
    seconds,
    status: rebuild.status,
    error: rebuild.error,
    cpu,
  };
}
