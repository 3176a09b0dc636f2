// @vitest-environment jsdom
import type { PaymentView } from '@payments/schemas';
import { act, renderHook } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { deferred, hello, mockFetch, payment, updated } from '../../../testing/fixtures.ts';
import { MAX_ROWS, usePaymentsStore } from './payments-store.ts';

const page = (items: PaymentView[], nextCursor: string | null = null): [number, unknown] => [200, { items, nextCursor }];

describe('payments store', () => {
  beforeEach(() => usePaymentsStore.getState().reset());
  afterEach(() => vi.unstubAllGlobals());

  it('lists streamed payments newest first and updates rows in place', () => {
    const { result } = renderHook(() => usePaymentsStore());
    const a = payment();
    const b = payment();
    act(() => result.current.applyMessages([hello(0), updated(1, a), updated(2, b)]));
    expect(result.current.ids).toEqual([b.paymentId, a.paymentId]);

    act(() => result.current.applyMessages([updated(3, { ...a, version: 2, status: 'AUTHORIZED' })]));
    expect(result.current.ids).toEqual([b.paymentId, a.paymentId]);
    expect(result.current.feed.byId[a.paymentId]?.status).toBe('AUTHORIZED');
    expect(result.current.feed.lastPosition).toBe(3);
  });

  it('applies a duplicated message once (dedupe by position)', () => {
    const { result } = renderHook(() => usePaymentsStore());
    const a = payment();
    act(() => result.current.applyMessages([updated(1, a), updated(2, { ...a, version: 2, status: 'REVIEW' })]));
    const before = result.current.feed;
    act(() => result.current.applyMessages([updated(2, { ...a, version: 2, status: 'REVIEW' }), updated(1, a)]));
    expect(result.current.feed).toBe(before);
  });

  it('ignores a REST view older than the streamed one (version monotonicity)', () => {
    const { result } = renderHook(() => usePaymentsStore());
    const a = payment({ status: 'APPROVED', version: 3 });
    act(() => result.current.applyMessages([updated(9, a)]));
    act(() => result.current.apply([{ ...a, status: 'REVIEW', version: 2 }]));
    expect(result.current.feed.byId[a.paymentId]?.status).toBe('APPROVED');
  });

  it('loads the first page with the filter and merges what streamed in while it loaded', async () => {
    const listed = [payment(), payment()].reverse();
    const response = deferred<[number, unknown]>();
    const calls = mockFetch(() => response.promise);
    const { result } = renderHook(() => usePaymentsStore());

    let loading!: Promise<void>;
    act(() => {
      loading = result.current.setFilter({ status: 'PENDING' });
    });
    expect(result.current.loading).toBe(true);
    const streamed = payment();
    act(() => result.current.applyMessages([updated(5, streamed), updated(6, payment({ status: 'AUTHORIZED' }))]));
    await act(async () => {
      response.resolve(page(listed, 'c1'));
      await loading;
    });

    expect(calls[0]?.url.pathname).toBe('/api/payments');
    expect(calls[0]?.url.searchParams.get('status')).toBe('PENDING');
    expect(result.current.ids).toEqual([streamed.paymentId, ...listed.map((p) => p.paymentId)]);
    expect(result.current.nextCursor).toBe('c1');
  });

  it('pages with the cursor and leaves old stream arrivals to paging', async () => {
    const older = payment();
    const first = [payment(), payment()].reverse();
    mockFetch((call) => (call.url.searchParams.get('cursor') === 'c1' ? page([older], null) : page(first, 'c1')));
    const { result } = renderHook(() => usePaymentsStore());
    await act(() => result.current.load());

    // An update to a payment below the loaded window (more pages exist) is not listed out of order.
    act(() => result.current.applyMessages([updated(3, { ...older, version: 2, status: 'AUTHORIZED' })]));
    expect(result.current.ids).not.toContain(older.paymentId);

    await act(() => result.current.loadMore());
    expect(result.current.ids).toEqual([...first.map((p) => p.paymentId), older.paymentId]);
    // The page's older view did not replace the streamed one.
    expect(result.current.feed.byId[older.paymentId]?.status).toBe('AUTHORIZED');
    expect(result.current.nextCursor).toBeNull();
  });

  it('drops the response of a superseded request (the filter changed meanwhile)', async () => {
    const slow = deferred<[number, unknown]>();
    const stale = payment({ status: 'DECLINED' });
    const fresh = payment({ status: 'REVIEW' });
    mockFetch((call) => (call.url.searchParams.get('status') === 'DECLINED' ? slow.promise : page([fresh])));
    const { result } = renderHook(() => usePaymentsStore());
    let first!: Promise<void>;
    act(() => {
      first = result.current.setFilter({ status: 'DECLINED' });
    });
    await act(() => result.current.setFilter({ status: 'REVIEW' }));
    await act(async () => {
      slow.resolve(page([stale]));
      await first;
    });
    expect(result.current.ids).toEqual([fresh.paymentId]);
  });

  it('only lists new payments that match the filter, and a merchant session stays on its merchant', async () => {
    mockFetch(() => page([]));
    const { result } = renderHook(() => usePaymentsStore());
    act(() => result.current.reset('M123'));
    await act(() => result.current.setFilter({ merchantId: 'M456', status: 'REVIEW' }));
    expect(result.current.filter).toEqual({ merchantId: 'M123', status: 'REVIEW' });
    const mine = payment({ status: 'REVIEW' });
    act(() =>
      result.current.applyMessages([
        updated(1, mine),
        updated(2, payment({ status: 'REVIEW', merchantId: 'M456' })),
        updated(3, payment()),
      ]),
    );
    expect(result.current.ids).toEqual([mine.paymentId]);
  });

  it('keeps at most MAX_ROWS rows, letting the oldest go', () => {
    const { result } = renderHook(() => usePaymentsStore());
    const messages = Array.from({ length: MAX_ROWS + 5 }, (_, i) => updated(i + 1, payment()));
    act(() => result.current.applyMessages(messages));
    expect(result.current.ids).toHaveLength(MAX_ROWS);
    expect(result.current.trimmed).toBe(true);
    const newest = messages[messages.length - 1];
    expect(result.current.ids[0]).toBe(newest?.type === 'payment.updated' ? newest.payment.paymentId : undefined);
  });

  it('selects a payment for the drawer', () => {
    const { result } = renderHook(() => usePaymentsStore((s) => s.selectedId));
    act(() => usePaymentsStore.getState().select('p-1'));
    expect(result.current).toBe('p-1');
  });
});
