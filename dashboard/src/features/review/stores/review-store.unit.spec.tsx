// @vitest-environment jsdom
import { act, renderHook } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mockFetch, payment } from '../../../testing/fixtures.ts';
import { ALREADY_DECIDED, SETTLED_LINGER_MS, useReviewStore } from './review-store.ts';

describe('review store', () => {
  beforeEach(() => useReviewStore.getState().reset());
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('loads the payments in REVIEW', async () => {
    const waiting = [payment({ status: 'REVIEW', version: 2 }), payment({ status: 'REVIEW', version: 2 })];
    const calls = mockFetch(() => [200, { items: waiting, nextCursor: null }]);
    const { result } = renderHook(() => useReviewStore());
    await act(() => result.current.load());
    expect(calls[0]?.url.searchParams.get('status')).toBe('REVIEW');
    expect(result.current.ids).toEqual([waiting[1]?.paymentId, waiting[0]?.paymentId]);
  });

  it('adds payments that enter REVIEW from the stream, and lets settled ones go after a moment', () => {
    vi.useFakeTimers();
    const { result } = renderHook(() => useReviewStore());
    const p = payment({ status: 'REVIEW', version: 2 });
    act(() => result.current.apply([payment({ status: 'AUTHORIZED', version: 2 }), p]));
    expect(result.current.ids).toEqual([p.paymentId]);

    act(() => result.current.apply([{ ...p, status: 'APPROVED', version: 3, reviewer: 'analyst:bob' }]));
    expect(result.current.settled[p.paymentId]).toBe('APPROVED');
    expect(result.current.ids).toEqual([p.paymentId]);
    act(() => vi.advanceTimersByTime(SETTLED_LINGER_MS));
    expect(result.current.ids).toEqual([]);
  });

  it('approves with a reason through the command API and waits for the stream to settle the row', async () => {
    const p = payment({ status: 'REVIEW', version: 2 });
    const calls = mockFetch(() => [200, { paymentId: p.paymentId, status: 'APPROVED', position: 9 }]);
    const { result } = renderHook(() => useReviewStore());
    act(() => result.current.apply([p]));
    await act(() => result.current.approve(p.paymentId, '  known customer '));
    expect(calls[0]?.url.toString()).toBe(`http://localhost:8080/api/payments/${p.paymentId}/approve`);
    expect(calls[0]?.method).toBe('POST');
    expect(calls[0]?.body).toEqual({ reason: 'known customer' });
    expect(result.current.decisions[p.paymentId]).toEqual({ state: 'sent', decision: 'approve' });
    expect(result.current.settled[p.paymentId]).toBeUndefined();
  });

  it('shows a 409 plainly: someone else decided first', async () => {
    const p = payment({ status: 'REVIEW', version: 2 });
    mockFetch(() => [409, { error: 'conflict', message: 'payment is not in REVIEW' }]);
    const { result } = renderHook(() => useReviewStore());
    act(() => result.current.apply([p]));
    await act(() => result.current.decline(p.paymentId));
    expect(result.current.decisions[p.paymentId]).toMatchObject({ state: 'error', conflict: true, message: ALREADY_DECIDED });
  });

  it('does not send a second decision while one is in flight', async () => {
    const p = payment({ status: 'REVIEW', version: 2 });
    const calls = mockFetch(() => [200, { paymentId: p.paymentId, status: 'DECLINED', position: 3 }]);
    const { result } = renderHook(() => useReviewStore());
    act(() => result.current.apply([p]));
    await act(() => Promise.all([result.current.decline(p.paymentId), result.current.approve(p.paymentId)]));
    expect(calls).toHaveLength(1);
  });
});
