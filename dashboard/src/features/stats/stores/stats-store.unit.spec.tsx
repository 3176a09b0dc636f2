// @vitest-environment jsdom
import { act, renderHook } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mockFetch, stats } from '../../../testing/fixtures.ts';
import { useStatsStore } from './stats-store.ts';

describe('stats store', () => {
  beforeEach(() => useStatsStore.getState().reset());
  afterEach(() => vi.unstubAllGlobals());

  it('loads a snapshot and returns its position for the stream to resume from', async () => {
    const calls = mockFetch(() => [200, stats(40)]);
    const { result } = renderHook(() => useStatsStore());
    let position: number | null = null;
    await act(async () => {
      position = await result.current.load();
    });
    expect(calls[0]?.url.toString()).toBe('http://localhost:8081/api/stats');
    expect(position).toBe(40);
    expect(result.current.stats?.total).toBe(3);
  });

  it('never replaces newer figures with older ones', () => {
    const { result } = renderHook(() => useStatsStore());
    act(() => result.current.apply(stats(50, { total: 9 })));
    act(() => result.current.apply(stats(45, { total: 7 })));
    expect(result.current.stats?.total).toBe(9);
    act(() => result.current.apply(stats(51, { total: 10 })));
    expect(result.current.stats?.total).toBe(10);
  });

  it('reports a failed load', async () => {
    mockFetch(() => [503, { error: 'not_ready', message: 'read model rebuilding' }]);
    const { result } = renderHook(() => useStatsStore());
    await act(() => result.current.load());
    expect(result.current.error).toBe('read model rebuilding');
    expect(result.current.loading).toBe(false);
  });
});
