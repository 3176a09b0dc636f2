// HTTP ceiling: the same autocannon settings (connections, duration, request mix and headers) against a bare
// fastify route served from a worker thread, so the share of the cost that is HTTP itself, rather than what
// the command API does behind it, shows as the ratio command / ceiling.
import { Worker } from 'node:worker_threads';
import type { BenchContext } from '../context.ts';
import { CpuMeter, type CpuUsage } from '../cpu.ts';
import { PaymentRequestMix } from '../payment-requests.ts';
import type { LatencySummary } from '../stats.ts';
import { closedLoop } from './command.ts';

export type HttpCeilingResult = { rps: number; requests: number; seconds: number; latency: LatencySummary; cpu: CpuUsage };

export async function runHttpCeiling(ctx: BenchContext, seconds: number): Promise<HttpCeilingResult> {
  const worker = new Worker(new URL('../echo-server.ts', import.meta.url));
  try {
    const port = await new Promise<number>((resolve, reject) => {
      worker.once('message', (message: { port: number }) => resolve(message.port));
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`echo server exited (${code})`)));
    });
    const mix = new PaymentRequestMix(`${ctx.runId}-http`, ctx.tokens.merchants);
    const url = `http://127.0.0.1:${port}/echo`;
    await closedLoop({ url, connections: ctx.options.connections, seconds: 1, mix });
    const before = await ctx.cpu.sample();
    const result = await closedLoop({ url, connections: ctx.options.connections, seconds, mix });
    const cpu = CpuMeter.diff(before, await ctx.cpu.sample());
    return { rps: result.rps, requests: result.accepted, seconds: result.seconds, latency: result.latency, cpu };
  } finally {
    worker.postMessage('close');
    await Promise.race([new Promise((resolve) => worker.once('exit', resolve)), new Promise((resolve) => setTimeout(resolve, 2000))]);
    await worker.terminate();
  }
}
