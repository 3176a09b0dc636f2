// The open-loop sender at a fixed offered rate (as wrk2): request i is due at start + i/rate and its latency
// runs from that intended start, so a server that stalls shows its stall in every request due meanwhile
// instead of slowing the sender down (coordinated omission); requests beyond `connections` in flight wait in
// the client's queue, and that wait counts too. It runs on a thread of its own, because the main thread's
// WebSocket reading delayed its timer, and a late open-loop sender reports its own lateness as latency.
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { nowMs, sleep } from './clock.ts';
import { LeanHttpClient } from './lean-http.ts';
import { type MerchantToken, PaymentRequestMix } from './payment-requests.ts';
import { type Histogram, newHistogram, recordMs } from './stats.ts';

export type PacedOptions = {
  url: string;
  rate: number;
  durationMs: number;
  connections: number;
  /** The traffic: a PaymentRequestMix built on the thread from these. */
  mix: { runId: string; merchants: MerchantToken[] };
  /** How long to wait for the last in-flight responses after the offered load ends. */
  tailTimeoutMs?: number;
  /**
   * Traffic at the same rate, on the same connections and schedule, right before the measured requests, with
   * a mix of its own run id, neither counted nor reported: the measured window starts in the steady state.
   */
  leadIn?: { durationMs: number; runId: string };
};

/** A measured response: the payment id of a 202, the intended start and the full response's arrival. */
export type PacedResponse = { status: number; paymentId: string | null; intendedAt: number; ackAt: number };

export type PacedResult = {
  offered: number;
  accepted: number;
  statuses: Record<string, number>;
  errors: number;
  startedAt: number;
  /** When the last request was due: the offered load stops here. */
  loadEndedAt: number;
  finishedAt: number;
  /** intended start → response, 202s only */
  latency: Histogram;
  /** How far behind schedule the sender itself fell at worst (a load generator short of CPU shows here). */
  maxSendLagMs: number;
};

type Done = Omit<PacedResult, 'latency'>;
type Report =
  | { ready: true }
  | { pong: number }
  | { measuring: true }
  | { responses: PacedResponse[] }
  | { done: Done }
  | { failed: string };
type Command = { ping: true } | { start: true };

const FLUSH_MS = 20;

/**
 * Sends on a new thread; `onResponses` receives every measured response, a batch at a time, with times on
 * this thread's clock, and `onMeasuring` is called as the measured requests begin (after any lead-in).
 */
export async function sendAtFixedRate(
  options: PacedOptions,
  onResponses: (batch: PacedResponse[]) => void,
  onMeasuring?: () => void,
): Promise<PacedResult> {
  const worker = new Worker(new URL(import.meta.url), { workerData: options });
  const latency = newHistogram();
  // each thread's epoch time starts from its own start and the wall clock drifts against the monotonic one,
  // so the thread's clock minus ours comes from the ping with the shortest round trip (pong at its middle)
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

/** The thread's side: answer the clock pings, then send when told and report in batches. */
async function runOnThread(options: PacedOptions, port: NonNullable<typeof parentPort>): Promise<Done> {
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
  const target = new URL(options.url);
  if (target.hostname !== '127.0.0.1' && target.hostname !== 'localhost') throw new Error('the bench only sends to 127.0.0.1');
  const client = new LeanHttpClient({ host: target.hostname, port: Number(target.port) }, options.connections);
  const measuredMix = new PaymentRequestMix(options.mix.runId, options.mix.merchants);
  const leadInMix = options.leadIn && new PaymentRequestMix(options.leadIn.runId, options.mix.merchants);
  const total = Math.max(1, Math.round((options.rate * options.durationMs) / 1000));
  const leadInTotal = options.leadIn ? Math.round((options.rate * options.leadIn.durationMs) / 1000) : 0;
  const interval = 1000 / options.rate;
  const statuses: Record<string, number> = {};
  let accepted = 0;
  let errors = 0;
  let inFlight = 0;
  /** measured requests not answered yet: counted as errors if the tail wait ends first */
  let pending = 0;
  let maxSendLagMs = 0;
  let batch: PacedResponse[] = [];
  const flush = () => {
    if (batch.length) port.postMessage({ responses: batch } satisfies Report);
    batch = [];
  };

  const fire = (intendedAt: number, measured: boolean) => {
    const payment = (measured || !leadInMix ? measuredMix : leadInMix).next();
    inFlight++;
    if (measured) {
      pending++;
      maxSendLagMs = Math.max(maxSendLagMs, nowMs() - intendedAt);
    }
    client.post(target.pathname, payment.headers, payment.body).then(
      ({ status, body }) => {
        const ackAt = nowMs();
        inFlight--;
        if (!measured) return;
        pending--;
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (status === 202) accepted++;
        const paymentId = status === 202 ? (JSON.parse(body) as { paymentId: string }).paymentId : null;
        batch.push({ status, paymentId, intendedAt, ackAt });
      },
      () => {
        inFlight--;
        if (!measured) return;
        pending--;
        errors++;
      },
    );
  };

  const flusher = setInterval(flush, FLUSH_MS);
  const scheduleStart = nowMs() + 5;
  const startedAt = scheduleStart + leadInTotal * interval;
  // a 1 ms timer catches up on every request that has come due, each stamped with its own intended start:
  // the lead-in's first, then the measured ones on the same schedule
  let issued = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const due = Math.min(leadInTotal + total, Math.floor((nowMs() - scheduleStart) / interval) + 1);
      for (; issued < due; issued++) {
        if (issued === leadInTotal) port.postMessage({ measuring: true } satisfies Report);
        fire(scheduleStart + issued * interval, issued >= leadInTotal);
      }
      if (issued >= leadInTotal + total) {
        clearInterval(timer);
        resolve();
      }
    }, 1);
  });
  const deadline = Date.now() + (options.tailTimeoutMs ?? 30_000);
  while (inFlight > 0 && Date.now() < deadline) await sleep(5);
  client.close();
  clearInterval(flusher);
  flush();
  return {
    offered: total,
    accepted,
    statuses,
    errors: errors + pending,
    startedAt,
    loadEndedAt: startedAt + (total - 1) * interval,
    finishedAt: nowMs(),
    maxSendLagMs,
  };
}

if (!isMainThread && parentPort && (workerData as PacedOptions | undefined)?.mix) {
  const port = parentPort;
  await runOnThread(workerData as PacedOptions, port).then(
    (done) => port.postMessage({ done } satisfies Report),
    (error: unknown) => port.postMessage({ failed: (error as Error).message } satisfies Report),
  );
}
