// @vitest-environment jsdom
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { StreamClientState } from '../../../lib/stream-client.ts';
import { useConnectionStore } from '../stores/connection-store.ts';
import { ConnectionIndicator } from './connection-indicator.tsx';

const report = (patch: Partial<StreamClientState>) =>
  act(() =>
    useConnectionStore.getState().report({ status: 'idle', retries: 0, lastPosition: null, nextRetryAt: null, lastClose: null, ...patch }),
  );

describe('connection indicator', () => {
  afterEach(() => {
    cleanup();
    useConnectionStore.getState().reset();
  });

  it('reads Live, Reconnecting (n) and Offline, with data-state for tests', () => {
    const onReconnect = vi.fn();
    render(<ConnectionIndicator onReconnect={onReconnect} />);
    const indicator = () => screen.getByTestId('connection-state');

    report({ status: 'open', lastPosition: 3 });
    expect(indicator().dataset.state).toBe('live');
    expect(indicator().textContent).toBe('Live');
    expect(screen.queryByTestId('reconnect-now')).toBeNull();

    report({ status: 'reconnecting', retries: 2, lastPosition: 3 });
    expect(indicator().dataset.state).toBe('reconnecting');
    expect(indicator().textContent).toBe('Reconnecting (2)');
    act(() => screen.getByTestId('reconnect-now').click());
    expect(onReconnect).toHaveBeenCalledOnce();

    report({ status: 'offline' });
    expect(indicator().dataset.state).toBe('offline');
    expect(indicator().textContent).toBe('Offline');
  });
});
