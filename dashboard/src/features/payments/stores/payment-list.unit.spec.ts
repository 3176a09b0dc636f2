import type { PaymentView } from '@payments/schemas';
import { describe, expect, it } from 'vitest';
import { payment } from '../../../testing/fixtures.ts';
import { belongsInWindow, compareNewestFirst, insertSorted, matchesFilter, mergeIds } from './payment-list.ts';

const index = (...payments: PaymentView[]) => Object.fromEntries(payments.map((p) => [p.paymentId, p]));

describe('payment list', () => {
  const oldest = payment();
  const middle = payment();
  const newest = payment();
  const byId = index(oldest, middle, newest);

  it('orders newest first, by creation time then id', () => {
    expect([oldest, newest, middle].sort(compareNewestFirst)).toEqual([newest, middle, oldest]);
    const twin = { ...middle, paymentId: `${middle.paymentId}z` };
    expect(compareNewestFirst(twin, middle)).toBeLessThan(0);
  });

  it('inserts at the sorted place, once', () => {
    expect(insertSorted([newest.paymentId, oldest.paymentId], byId, middle.paymentId)).toEqual([
      newest.paymentId,
      middle.paymentId,
      oldest.paymentId,
    ]);
    expect(insertSorted([middle.paymentId], byId, newest.paymentId)).toEqual([newest.paymentId, middle.paymentId]);
    const ids = [newest.paymentId];
    expect(insertSorted(ids, byId, newest.paymentId)).toBe(ids);
  });

  it('merges a page into the list without duplicates', () => {
    expect(mergeIds([newest.paymentId, middle.paymentId], [middle.paymentId, oldest.paymentId], byId)).toEqual([
      newest.paymentId,
      middle.paymentId,
      oldest.paymentId,
    ]);
  });

  it('leaves a payment older than the loaded window to paging while more pages exist', () => {
    const ids = [newest.paymentId, middle.paymentId];
    expect(belongsInWindow(oldest, ids, byId, true)).toBe(false);
    expect(belongsInWindow(oldest, ids, byId, false)).toBe(true);
    expect(belongsInWindow(payment(), ids, byId, true)).toBe(true);
  });

  it('matches filters on status and merchant', () => {
    expect(matchesFilter(middle, { status: 'PENDING', merchantId: 'M123' })).toBe(true);
    expect(matchesFilter(middle, { status: 'REVIEW', merchantId: null })).toBe(false);
    expect(matchesFilter(middle, { status: null, merchantId: 'M456' })).toBe(false);
  });
});
