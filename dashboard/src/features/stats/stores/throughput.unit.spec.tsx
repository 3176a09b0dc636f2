// @vitest-environment jsdom
import { act, renderHook } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import { payment } from '../../../testing/fixtures.ts';
import { emptyThroughput, recentRates, recordTransitions, windowSeries } from './throughput.ts';
import { useThroughputStore } from './throughput-store.ts';

const NOW = Date.UTC(2025, 0, 1, 12, 0, 0);
const at = (secondsAgo: number) => NOW - secondsAgo * 1000;

describe('throughput', () => {
  it('counts transitions per second by outcome', () => {
    const state = recordTransitions(
      emptyThroughput,
      [
        { outcome: 'requested', atMs: at(2) },
        { outcome: 'requested', atMs: at(2) + 500 },
        { outcome: 'authorized', atMs: at(1) },
      ],
      NOW,
    );
    const [t, requested, authorized] = windowSeries(state, NOW, 5);
    expect(t).toEqual([-5, -4, -3, -2, -1].map((d) => NOW / 1000 + d));
    expect(requested).toEqual([0, 0, 0, 2, 0]);
    expect(authorized).toEqual([0, 0, 0, 0, 1]);
  });

  it('drops what falls out of the window and clamps future times to now', () => {
    let state = recordTransitions(
      emptyThroughput,
      [
        { outcome: 'review', atMs: at(400) },
        { outcome: 'declined', atMs: NOW + 30_000 },
      ],
      NOW,
    );
    expect([...state.buckets.keys()]).toEqual([NOW / 1000]);
    state = recordTransitions(state, [], NOW + 301_000);
    expect(state.buckets.size).toBe(0);
  });

  it('averages the last seconds into rates', () => {
    const state = recordTransitions(
      emptyThroughput,
      Array.from({ length: 20 }, (_, i) => ({ outcome: 'approved' as const, atMs: at(1 + (i % 10)) })),
      NOW,
    );
    expect(recentRates(state, NOW, 10).approved).toBe(2);
  });

  describe('store', () => {
    beforeEach(() => useThroughputStore.getState().reset());

    it('records each changed payment under the outcome of its status, at its updatedAt', () => {
      const { result } = renderHook(() => useThroughputStore());
      const updatedAt = new Date(at(3)).toISOString();
      act(() => result.current.record([payment({ status: 'REVIEW', updatedAt }), payment({ status: 'APPROVED', updatedAt })], NOW));
      expect(result.current.buckets.get(NOW / 1000 - 3)).toEqual({ requested: 0, authorized: 0, review: 1, approved: 1, declined: 0 });
    });
  });
});
