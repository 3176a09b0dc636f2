// The live stream's health as the UI shows it: mirrored from the stream client's state by the app, read by
// the connection indicator. Three states people understand: live, reconnecting (with the attempt number),
// offline (not trying: no network, signed out, or the token was refused).
import { create } from 'zustand';
import type { StreamClientState } from '../../../lib/stream-client.ts';

export type ConnectionState = 'live' | 'reconnecting' | 'offline';

export interface ConnectionStoreState {
  state: ConnectionState;
  /** Failed attempts since the stream was last live. */
  retries: number;
  /** Last stream position received: what a reconnect resumes after. */
  lastPosition: number | null;
  nextRetryAt: number | null;
  /** True until the first hello of this session (shown as "Connecting"). */
  connecting: boolean;
  detail: string | null;
  report(client: StreamClientState): void;
  reset(): void;
}

export function toConnectionState(client: StreamClientState): ConnectionState {
  switch (client.status) {
    case 'open':
      return 'live';
    case 'connecting':
    case 'reconnecting':
      return 'reconnecting';
    case 'idle':
    case 'offline':
    case 'unauthorized':
      return 'offline';
  }
}

function detailOf(client: StreamClientState): string | null {
  if (client.status === 'offline') return 'The browser is offline';
  if (client.status === 'unauthorized') return 'The stream refused the session token';
  if (client.lastClose && client.status === 'reconnecting') {
    return `Closed with code ${client.lastClose.code}${client.lastClose.reason ? `: ${client.lastClose.reason}` : ''}`;
  }
  return null;
}

const initial = { state: 'offline' as const, retries: 0, lastPosition: null, nextRetryAt: null, connecting: false, detail: null };

export const useConnectionStore = create<ConnectionStoreState>()((set) => ({
  ...initial,
  report(client) {
    set({
      state: toConnectionState(client),
      retries: client.retries,
      lastPosition: client.lastPosition,
      nextRetryAt: client.nextRetryAt,
      connecting: client.status === 'connecting',
      detail: detailOf(client),
    });
  },
  reset() {
    set(initial);
  },
}));
