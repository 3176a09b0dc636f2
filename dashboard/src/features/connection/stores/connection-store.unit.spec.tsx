// @vitest-environment jsdom
import { act, renderHook } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import type { StreamClientState } from '../../../lib/stream-client.ts';
import { useConnectionStore } from './connection-store.ts';

const client = (patch: Partial<StreamClientState>): StreamClientState => ({
  status: 'idle',
  retries: 0,
  lastPosition: null,
  nextRetryAt: null,
  lastClose: null,
  ...patch,
});

describe('connection store', () => {
  beforeEach(() => useConnectionStore.getState().reset());

  it('shows live, reconnecting with the attempt number, and offline', () => {
    const { result } = renderHook(() => useConnectionStore());
    act(() => result.current.report(client({ status: 'open', lastPosition: 12 })));
    expect(result.current).toMatchObject({ state: 'live', retries: 0, lastPosition: 12 });

    act(() =>
      result.current.report(client({ status: 'reconnecting', retries: 3, lastPosition: 12, lastClose: { code: 1006, reason: '' } })),
    );
    expect(result.current).toMatchObject({ state: 'reconnecting', retries: 3, lastPosition: 12, connecting: false });
    expect(result.current.detail).toBe('Closed with code 1006');

    act(() => result.current.report(client({ status: 'offline', lastPosition: 12 })));
    expect(result.current.state).toBe('offline');
    act(() => result.current.report(client({ status: 'unauthorized' })));
    expect(result.current.state).toBe('offline');
  });

  it('the first attempt reads as connecting', () => {
    const { result } = renderHook(() => useConnectionStore());
    act(() => result.current.report(client({ status: 'connecting' })));
    expect(result.current).toMatchObject({ state: 'reconnecting', connecting: true });
  });
});
