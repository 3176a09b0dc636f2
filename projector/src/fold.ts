// The projection fold, pure: given the current rows of the payments a batch touches and the batch's events
// (in log order), it returns the new rows and the counter, series and change-feed deltas. No SQL here; the
// writer turns the result into statements. Applying an event twice changes nothing: an event whose stream
// version is not newer than the row's is skipped, and counters move only with a row's status.
import { evolvePayment, type Outcome, type Payment, type PaymentStatus, type RecordedEvent } from '@payments/schemas';

export type StatDelta = { merchantId: string; currency: string; status: PaymentStatus; count: number; volumeMinor: bigint };
export type SeriesDelta = { bucket: number; merchantId: string; outcome: Outcome; count: number };

export type ProjectionResult = {
  /** Payments changed by the batch, in the order of their last change. */
  changed: Payment[];
  stats: StatDelta[];
  series: SeriesDelta[];
  /** Events that could not apply (a decision for a payment the read model has never seen). */
  orphans: RecordedEvent[];
};

const OUTCOME_OF: Record<RecordedEvent['type'], Outcome> = {
  PaymentRequested: 'requested',
  PaymentAuthorized: 'authorized',
  PaymentFlaggedForReview: 'review',
  PaymentApproved: 'approved',
  PaymentDeclined: 'declined',
};

export function projectEvents(current: ReadonlyMap<string, Payment>, events: readonly RecordedEvent[]): ProjectionResult {
  const rows = new Map(current);
  const changedOrder = new Map<string, true>();
  const stats = new Map<string, StatDelta>();
  const series = new Map<string, SeriesDelta>();
  const orphans: RecordedEvent[] = [];

  const moveStat = (p: Payment, status: PaymentStatus, sign: 1 | -1) => {
    const key = `${p.merchantId}\u0000${p.currency}\u0000${status}`;
    const delta = stats.get(key) ?? { merchantId: p.merchantId, currency: p.currency, status, count: 0, volumeMinor: 0n };
    delta.count += sign;
    delta.volumeMinor += BigInt(p.amountMinor) * BigInt(sign);
    stats.set(key, delta);
  };

  for (const event of events) {
    const before = rows.get(event.streamId);
    if (before && event.streamVersion <= before.version) continue; // already applied
    if (!before && event.type !== 'PaymentRequested') {
      orphans.push(event);
      continue;
    }
    const after = evolvePayment(before ?? { status: 'NONE' }, event);
    if (after.status === 'NONE') continue;
    rows.set(event.streamId, after);
    changedOrder.delete(event.streamId);
    changedOrder.set(event.streamId, true);
    if (before) moveStat(before, before.status, -1);
    moveStat(after, after.status, 1);
    const bucket = Math.floor(Date.parse(event.occurredAt) / 1000);
    const outcome = OUTCOME_OF[event.type];
    const key = `${bucket}\u0000${after.merchantId}\u0000${outcome}`;
    const point = series.get(key) ?? { bucket, merchantId: after.merchantId, outcome, count: 0 };
    point.count += 1;
    series.set(key, point);
  }

  return {
    changed: [...changedOrder.keys()].map((id) => rows.get(id) as Payment),
    stats: [...stats.values()].filter((d) => d.count !== 0 || d.volumeMinor !== 0n),
    series: [...series.values()],
    orphans,
  };
}
