// An open-loop sender at a fixed offered rate (as wrk2 does): request i is due at start + i/rate, and its
// latency is measured from that intended start, not from when a free connection finally sent it. A server
// that stalls therefore shows its stall in every request that should have gone out meanwhile, instead of
// quietly slowing the sender down (coordinated omission). Requests beyond `connections` in flight wait in
// the client's queue, and that wait counts too. The client is our own lean one (lean-http.ts): the load
// generator shares the machine with what it measures.
import { nowMs, sleep } from './clock.ts';
import { LeanHttpClient } from './lean-http.ts';
import type { PaymentRequest } from './payment-requests.ts';
import { type Histogram, newHistogram, recordMs } from './stats.ts';

export type PacedOptions = {
  url: string;
  rate: number;
  durationMs: number;
  connections: number;
  next: () => PaymentRequest;
  /** Every completed response, with the intended start and the arrival of the full response (epoch ms). */
  onResponse?: (response: { status: number; body: string; intendedAt: number; sentAt: number; ackAt: number }) => void;
  /** How long to wait for the last in-flight responses after the offered load ends. */
  tailTimeoutMs?: number;
  /**
   * Traffic at the same rate, on the same connections and schedule, before the measured requests: neither
   * counted nor reported. With no pause between the two, the measured window starts in the steady state
   * rather than after an idle gap with a cold sender (the first measured second's 202 p99 was 87 ms once,
   * against 10-15 after it, when the lead-in ran apart from the measured pass).
   */
  leadIn?: { durationMs: number; next: () => PaymentRequest };
  /** Called once, as the first measured request comes due. */
  onMeasuring?: () => void;
};

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

export async function sendAtFixedRate(options: PacedOptions): Promise<PacedResult> {
  const target = new URL(options.url);
  if (target.hostname !== '127.0.0.1' && target.hostname !== 'localhost') throw new Error('the bench only sends to 127.0.0.1');
  const client = new LeanHttpClient({ host: target.hostname, port: Number(target.port) }, options.connections);
  const total = Math.max(1, Math.round((options.rate * options.durationMs) / 1000));
  const interval = 1000 / options.rate;
  const latency = newHistogram();
  const statuses: Record<string, number> = {};
  let accepted = 0;
  let errors = 0;
  let sent = 0;
  let inFlight = 0;
  let maxSendLagMs = 0;

  const leadIn = options.leadIn;
  const leadInTotal = leadIn ? Math.round((options.rate * leadIn.durationMs) / 1000) : 0;
  let leadInFlight = 0;

  const fireLeadIn = (payment: PaymentRequest) => {
    leadInFlight++;
    const settle = () => leadInFlight--;
    client.post(target.pathname, payment.headers, payment.body).then(settle, settle);
  };

  const fire = (intendedAt: number) => {
    const payment = options.next();
    inFlight++;
    const sentAt = nowMs();
    maxSendLagMs = Math.max(maxSendLagMs, sentAt - intendedAt);
    client.post(target.pathname, payment.headers, payment.body).then(
      ({ status, body }) => {
        const ackAt = nowMs();
        inFlight--;
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (status === 202) {
          accepted++;
          recordMs(latency, ackAt - intendedAt);
        }
        options.onResponse?.({ status, body, intendedAt, sentAt, ackAt });
      },
      () => {
        inFlight--;
        errors++;
      },
    );
  };

  const scheduleStart = nowMs() + 5;
  const startedAt = scheduleStart + leadInTotal * interval;
  // A 1 ms timer catches up on every request that has come due, each stamped with its own intended start:
  // the lead-in's first, then the measured ones (`sent` counts these) on the same schedule.
  let issued = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const due = Math.min(leadInTotal + total, Math.floor((nowMs() - scheduleStart) / interval) + 1);
      for (; issued < due; issued++) {
        if (leadIn && issued < leadInTotal) {
          fireLeadIn(leadIn.next());
          continue;
        }
        if (sent === 0) options.onMeasuring?.();
        fire(startedAt + sent++ * interval);
      }
      if (sent >= total) {
        clearInterval(timer);
        resolve();
      }
    }, 1);
  });
  const loadEndedAt = startedAt + (total - 1) * interval;
  const deadline = Date.now() + (options.tailTimeoutMs ?? 30_000);
  while ((inFlight > 0 || leadInFlight > 0) && Date.now() < deadline) await sleep(5);
  client.close();
  return {
    offered: total,
    accepted,
    statuses,
    errors: errors + inFlight,
    startedAt,
    loadEndedAt,
    finishedAt: nowMs(),
    latency,
    maxSendLagMs,
  };
}
