// @vitest-environment jsdom
import { act, renderHook } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mockFetch } from '../../../testing/fixtures.ts';
import { POLL_MS, useRebuildStore } from './rebuild-store.ts';

describe('rebuild store', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    useRebuildStore.getState().reset();
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('starts a rebuild and follows its progress until it completes', async () => {
    let polls = 0;
    const calls = mockFetch((call) => {
      if (call.method === 'POST') return [202, { id: 'r1', status: 'running' }];
      polls++;
      return [200, { id: 'r1', status: polls < 2 ? 'running' : 'done', eventsDone: polls * 50, eventsTotal: 100, eventsPerSecond: 5000 }];
    });
    const { result } = renderHook(() => useRebuildStore());
    await act(() => result.current.start());
    expect(calls[0]?.url.pathname).toBe('/api/projections/payments/rebuild');
    expect(result.current.job?.status).toBe('running');

    await act(() => vi.advanceTimersByTimeAsync(POLL_MS));
    expect(result.current.job).toMatchObject({ eventsDone: 50, eventsTotal: 100 });
    await act(() => vi.advanceTimersByTimeAsync(POLL_MS));
    expect(result.current.job?.status).toBe('done');
    await act(() => vi.advanceTimersByTimeAsync(POLL_MS * 5));
    expect(calls.filter((c) => c.url.pathname === '/api/projections/payments/rebuilds/r1')).toHaveLength(2);
  });

  it('shows why a rebuild could not start', async () => {
    mockFetch(() => [403, { error: 'forbidden', message: 'analysts only' }]);
    const { result } = renderHook(() => useRebuildStore());
    await act(() => result.current.start());
    expect(result.current.error).toBe('analysts only');
    expect(result.current.job).toBeNull();
  });
});

describe('rebuild store, one already running', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('a 409 on start follows the rebuild that is under way', async () => {
    useRebuildStore.getState().reset();
    mockFetch((call) => {
      if (call.method === 'POST') return [409, { error: 'conflict', message: 'a rebuild of payments is already under way' }];
      if (call.url.pathname === '/api/projections/payments')
        return [200, { name: 'payments', lastRebuild: { id: 7, status: 'running', eventsDone: 10, eventsTotal: 100 } }];
      return [200, { id: 7, status: 'running', eventsDone: 20, eventsTotal: 100 }];
    });
    const { result } = renderHook(() => useRebuildStore());
    await act(() => result.current.start());
    expect(result.current.error).toBe('A rebuild is already under way');
    expect(result.current.job).toMatchObject({ id: 7, status: 'running' });
    act(() => result.current.reset());
  });
});
