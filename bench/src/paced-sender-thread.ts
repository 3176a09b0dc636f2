// The open-loop sender on a thread of its own. The bench's main thread also reads the WebSocket stream (two
// messages per payment, each parsed) and keeps the samples; on one event loop a burst of those delayed the
// sender's timer, and an open-loop client's lateness counts as latency (sender lag up to 62 ms in the worst
// runs against 9-13 ms in good ones). Here the thread sends and stamps; the main thread is told of the
// responses in batches. Each thread's epoch milliseconds (clock.ts) come from its own start, and the wall
// clock drifts against the monotonic one (by ~3 ms within minutes here), so the two clocks are compared
// before the load starts and every time the thread reports is given on the calling thread's clock.
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { nowMs } from './clock.ts';
import { type PacedResult, sendAtFixedRate } from './paced-sender.ts';
import { type MerchantToken, PaymentRequestMix } from './payment-requests.ts';
import { newHistogram, recordMs } from './stats.ts';

export type PacedThreadOptions = {
  url: string;
  rate: number;
  durationMs: number;
  connections: number;
  /** The traffic: a PaymentRequestMix built on the thread from these. */
  mix: { runId: string; merchants: MerchantToken[] };
  tailTimeoutMs?: number;
  /** Unmeasured traffic right before, at the same rate (PacedOptions.leadIn), with a mix of this run id. */
  leadIn?: { durationMs: number; runId: string };
};

/** A response as the thread reports it: the payment id of a 202, parsed there. */
export type PacedResponse = { status: number; paymentId: string | null; intendedAt: number; ackAt: number };

type Report =
  | { ready: true }
  | { pong: number }
  | { measuring: true }
  | { responses: PacedResponse[] }
  | { done: Omit<PacedResult, 'latency'> }
  | { failed: string };
type Command = { ping: true } | { start: true };

const FLUSH_MS = 20;

/**
 * sendAtFixedRate on its own thread; `onResponses` receives every measured response, a batch at a time, and
 * `onMeasuring` is called as the measured requests begin (after the lead-in, if any).
 */
export async function sendAtFixedRateOnThread(
  options: PacedThreadOptions,
  onResponses: (batch: PacedResponse[]) => void,
  onMeasuring?: () => void,
): Promise<PacedResult> {
  const worker = new Worker(new URL(import.meta.url), { workerData: options });
  const latency = newHistogram();
  // the thread's clock minus ours, from the ping with the shortest round trip (the pong's time is taken as
  // the round trip's middle)
  let offset = 0;
  let bestRoundTrip = Number.POSITIVE_INFINITY;
  let pings = 0;
  let pingAt = 0;
  const ping = () => {
    pingAt = nowMs();
    worker.postMessage({ ping: true } satisfies Command);
  };
  const ours = (t: number) => t - offset;
  try {
    return await new Promise<PacedResult>((resolve, reject) => {
      worker.on('message', (report: Report) => {
        if ('ready' in report) ping();
        else if ('pong' in report) {
          const at = nowMs();
          if (at - pingAt < bestRoundTrip) {
            bestRoundTrip = at - pingAt;
            offset = report.pong - (pingAt + at) / 2;
          }
          if (++pings < 5) ping();
          else worker.postMessage({ start: true } satisfies Command);
        } else if ('measuring' in report) onMeasuring?.();
        else if ('responses' in report) {
          const batch = report.responses.map((r) => ({ ...r, intendedAt: ours(r.intendedAt), ackAt: ours(r.ackAt) }));
          for (const r of batch) if (r.status === 202) recordMs(latency, r.ackAt - r.intendedAt);
          onResponses(batch);
        } else if ('done' in report) {
          const { startedAt, loadEndedAt, finishedAt } = report.done;
          resolve({ ...report.done, startedAt: ours(startedAt), loadEndedAt: ours(loadEndedAt), finishedAt: ours(finishedAt), latency });
        } else reject(new Error(`paced sender thread failed: ${report.failed}`));
      });
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`paced sender thread exited (${code}) before it reported`)));
    });
  } finally {
    await worker.terminate();
  }
}

async function runOnThread(options: PacedThreadOptions): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('not on a worker thread');
  // answer the clock pings, then start when told
  await new Promise<void>((resolve) => {
    port.on('message', (command: Command) => {
      if ('ping' in command) port.postMessage({ pong: nowMs() } satisfies Report);
      else {
        port.removeAllListeners('message');
        resolve();
      }
    });
    port.postMessage({ ready: true } satisfies Report);
  });
  const trafficOf = (runId: string) => {
    const mix = new PaymentRequestMix(runId, options.mix.merchants);
    return () => mix.next();
  };
  let batch: PacedResponse[] = [];
  const flush = () => {
    if (batch.length) port.postMessage({ responses: batch } satisfies Report);
    batch = [];
  };
  const timer = setInterval(flush, FLUSH_MS);
  try {
    const { latency: _latency, ...done } = await sendAtFixedRate({
      ...options,
      next: trafficOf(options.mix.runId),
      leadIn: options.leadIn && { durationMs: options.leadIn.durationMs, next: trafficOf(options.leadIn.runId) },
      onMeasuring: () => port.postMessage({ measuring: true } satisfies Report),
      onResponse: ({ status, body, intendedAt, ackAt }) => {
        const paymentId = status === 202 ? (JSON.parse(body) as { paymentId: string }).paymentId : null;
        batch.push({ status, paymentId, intendedAt, ackAt });
      },
    });
    flush();
    port.postMessage({ done } satisfies Report);
  } catch (error) {
    port.postMessage({ failed: (error as Error).message } satisfies Report);
  } finally {
    clearInterval(timer);
  }
}

if (!isMainThread && (workerData as PacedThreadOptions | undefined)?.mix) await runOnThread(workerData as PacedThreadOptions);
