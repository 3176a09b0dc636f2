// Command: POST /api/payments as fast as `connections` closed-loop clients can go (autocannon), for the
// sustainable rate. Latency without coordinated omission is the open-loop passes' (e2e.ts).
import autocannon from 'autocannon';
import { nowMs } from '../clock.ts';
import type { BenchContext } from '../context.ts';
import { CpuMeter, type CpuUsage } from '../cpu.ts';
import { PaymentRequestMix } from '../payment-requests.ts';
import { COMMAND_API } from '../stack.ts';
import { type Histogram, type LatencySummary, newHistogram, recordMs, summarize } from '../stats.ts';

export type ClosedLoopResult = {
  /** accepted (202) per second */
  rps: number;
  accepted: number;
  seconds: number;
  statuses: Record<string, number>;
  errors: number;
  latency: LatencySummary;
  histogram: Histogram;
};

export type CommandRound = ClosedLoopResult & { cpu: CpuUsage };

/** Runs autocannon for `seconds` against `url` with the payment mix; counts and times 202s only. */
export async function closedLoop(options: {
  url: string;
  connections: number;
  seconds: number;
  mix: PaymentRequestMix;
  accepted?: (status: number) => boolean;
}): Promise<ClosedLoopResult> {
  const histogram = newHistogram();
  const statuses: Record<string, number> = {};
  const isAccepted = options.accepted ?? ((status: number) => status === 202);
  let accepted = 0;
  const start = nowMs();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        method: 'POST',
        connections: options.connections,
        duration: options.seconds,
        timeout: 10,
        requests: [
          {
            method: 'POST',
            setupRequest: (request) => {
              const payment = options.mix.next();
              return { ...request, headers: { ...request.headers, ...payment.headers }, body: payment.body };
            },
          },
        ],
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
      if (isAccepted(statusCode)) {
        accepted++;
        recordMs(histogram, responseTime);
      }
    });
  });
  const seconds = (nowMs() - start) / 1000;
  return {
    rps: accepted / seconds,
    accepted,
    seconds,
    statuses,
    errors: result.errors,
    latency: summarize(histogram),
    histogram,
  };
}

/** Closed-loop payments against the command API; each phase its own mix, so its idempotency keys are its own. */
export class CommandPhase {
  private readonly ctx: BenchContext;
  private readonly mix: PaymentRequestMix;

  constructor(ctx: BenchContext, name = 'command') {
    this.ctx = ctx;
    this.mix = new PaymentRequestMix(`${ctx.runId}-${name}`, ctx.tokens.merchants);
  }

  /** Unmeasured load, so the first round does not pay for JIT compilation and pool warm-up. */
  async warmUp(seconds: number): Promise<void> {
    await this.run(seconds);
  }

  async round(seconds: number): Promise<CommandRound> {
    const before = await this.ctx.cpu.sample();
    const result = await this.run(seconds);
    return { ...result, cpu: CpuMeter.diff(before, await this.ctx.cpu.sample()) };
  }

  private run(seconds: number): Promise<ClosedLoopResult> {
    return closedLoop({ url: `${COMMAND_API}/api/payments`, connections: this.ctx.options.connections, seconds, mix: this.mix });
  }
}

export function mergedLatency(rounds: readonly { histogram: Histogram }[]): LatencySummary {
  const all = newHistogram();
  for (const r of rounds) all.add(r.histogram);
  return summarize(all);
}
