// The ordered, filtered list of payments the table shows: pure helpers over ids + the views by id.
// Newest first (createdAt, then paymentId as the tiebreak: payment ids are time-ordered UUIDv7).
import type { PaymentStatus, PaymentView } from '@payments/schemas';

export interface ListFilter {
  status: PaymentStatus | null;
  merchantId: string | null;
}

export const NO_FILTER: ListFilter = { status: null, merchantId: null };

export const matchesFilter = (payment: PaymentView, filter: ListFilter): boolean =>
  (filter.status === null || payment.status === filter.status) && (filter.merchantId === null || payment.merchantId === filter.merchantId);

/** Negative when `a` comes before `b` in the list (a is newer). */
export function compareNewestFirst(a: PaymentView, b: PaymentView): number {
  if (a.createdAt !== b.createdAt) {
    const ta = Date.parse(a.createdAt);
    const tb = Date.parse(b.createdAt);
    if (ta !== tb && !Number.isNaN(ta) && !Number.isNaN(tb)) return tb - ta;
  }
  return a.paymentId < b.paymentId ? 1 : a.paymentId > b.paymentId ? -1 : 0;
}

/** Inserts `id` at its sorted place (binary search); the list must already be sorted. No-op if present. */
export function insertSorted(ids: readonly string[], byId: Readonly<Record<string, PaymentView>>, id: string): string[] {
  const payment = byId[id];
  if (payment === undefined || ids.includes(id)) return ids as string[];
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const other = byId[ids[mid] as string];
    if (other !== undefined && compareNewestFirst(other, payment) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return [...ids.slice(0, lo), id, ...ids.slice(lo)];
}

/** The union of the listed ids and a page's ids, sorted newest first, without duplicates. */
export function mergeIds(ids: readonly string[], pageIds: readonly string[], byId: Readonly<Record<string, PaymentView>>): string[] {
  const unique = [...new Set([...ids, ...pageIds])].filter((id) => byId[id] !== undefined);
  return unique.sort((a, b) => compareNewestFirst(byId[a] as PaymentView, byId[b] as PaymentView));
}

/**
 * Whether a payment that just appeared on the stream belongs in the listed window. Older than the oldest
 * listed row while more pages exist, it is left for "Load more" to bring in its place (listing it now
 * would show it out of sequence above rows not yet loaded).
 */
export function belongsInWindow(
  payment: PaymentView,
  ids: readonly string[],
  byId: Readonly<Record<string, PaymentView>>,
  hasMorePages: boolean,
): boolean {
  if (!hasMorePages || ids.length === 0) return true;
  const oldest = byId[ids[ids.length - 1] as string];
  return oldest === undefined || compareNewestFirst(payment, oldest) < 0;
}
