// The one WebSocket client of the dashboard: connects to the query API's /api/stream, hands every message
// on in position order, and reconnects after any drop with exponential backoff and jitter, resuming with
// `since=<last position seen>`. The server replays everything after `since` in order, so a resumed stream
// misses nothing; a message at or below the last position (a replay overlapping what we already had) is
// dropped here, so nothing is applied twice. Its state (status, retries, last position) is observable so
// the connection store can mirror it. No React and no stores in here: the app wires it.
import type { StreamMessage } from '@payments/schemas';

export type StreamStatus =
  /** Not started, or stopped. */
  | 'idle'
  /** First attempt of this start(), waiting for the server's hello. */
  | 'connecting'
  /** Hello received: live. */
  | 'open'
  /** Dropped; a retry is scheduled or under way. */
  | 'reconnecting'
  /** The browser says it has no network: waiting for it to come back. */
  | 'offline'
  /** The server refused the token (close code 4401): no retry until started again. */
  | 'unauthorized';

export interface StreamClientState {
  status: StreamStatus;
  /** Attempts since the last successful hello (0 while live). */
  retries: number;
  /** The last position received (hello or payment.updated): the `since` of the next connection. */
  lastPosition: number | null;
  /** When the next attempt is due (epoch ms), while reconnecting. */
  nextRetryAt: number | null;
  lastClose: { code: number; reason: string } | null;
}

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  factor: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 15_000, factor: 2 };

/**
 * Delay before retry number `attempt` (1-based): exponential, capped, with "equal jitter" (half fixed,
 * half random) so a server restart is not met by every console reconnecting in the same millisecond.
 */
export function backoffDelay(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF, random = Math.random): number {
  const base = Math.min(options.maxMs, options.initialMs * options.factor ** Math.max(0, attempt - 1));
  return Math.round(base / 2 + random() * (base / 2));
}

/** The subset of the browser WebSocket the client uses (tests pass a fake). */
export interface SocketLike {
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
  close(code?: number, reason?: string): void;
}

export interface NetworkWatcher {
  isOnline(): boolean;
  /** Calls back with true when the browser goes online, false when offline; returns an unsubscribe. */
  subscribe(listener: (online: boolean) => void): () => void;
}

export interface StreamClientOptions {
  /** ws(s):// base of the query API. */
  baseUrl: string;
  getToken: () => string | null;
  onMessage: (message: StreamMessage) => void;
  /** The server closed with 4401: the session's token is no good any more. */
  onUnauthorized?: () => void;
  /**
   * The server refused the position to resume after (4410: older than the stream keeps; 4416: past its head).
   * The caller reloads its snapshot and starts again from the snapshot's position; without this callback the
   * client resumes from the server's head.
   */
  onResync?: () => void;
  backoff?: Partial<BackoffOptions>;
  /** No hello within this long after connecting counts as a failed attempt. */
  helloTimeoutMs?: number;
  random?: () => number;
  now?: () => number;
  createSocket?: (url: string) => SocketLike;
  network?: NetworkWatcher;
}

export interface StreamClient {
  /** Connects; `since` is the position to resume after (omit for "from now", the server's head). */
  start(since?: number | null): void;
  stop(): void;
  /** Skips the current backoff wait (the "Reconnect now" button). */
  reconnectNow(): void;
  /** Closes the socket as a network drop would, and lets the normal reconnect take over (tests, drills). */
  drop(): void;
  getState(): StreamClientState;
  subscribe(listener: (state: StreamClientState) => void): () => void;
}

export const CLOSE_UNAUTHORIZED = 4401;
export const CLOSE_SINCE_TOO_OLD = 4410;
export const CLOSE_SINCE_AHEAD = 4416;
const CLOSE_CLIENT_DROP = 4000;

const browserNetwork: NetworkWatcher = {
  isOnline: () => typeof navigator === 'undefined' || navigator.onLine !== false,
  subscribe(listener) {
    if (typeof window === 'undefined') return () => {};
    const online = () => listener(true);
    const offline = () => listener(false);
    window.addEventListener('online', online);
    window.addEventListener('offline', offline);
    return () => {
      window.removeEventListener('online', online);
      window.removeEventListener('offline', offline);
    };
  },
};

const KNOWN_TYPES = new Set(['hello', 'payment.updated', 'stats']);

/** Parses one frame; null for anything that is not a well-formed message of a known type. */
export function parseStreamMessage(data: unknown): StreamMessage | null {
  if (typeof data !== 'string') return null;
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { type, position } = value as { type?: unknown; position?: unknown };
  if (typeof type !== 'string' || !KNOWN_TYPES.has(type)) return null;
  if (typeof position !== 'number' || !Number.isSafeInteger(position) || position < 0) return null;
  if (type === 'payment.updated' && typeof (value as { payment?: unknown }).payment !== 'object') return null;
  if (type === 'stats' && typeof (value as { stats?: unknown }).stats !== 'object') return null;
  return value as StreamMessage;
}

export function streamUrl(baseUrl: string, token: string, since: number | null): string {
  const url = new URL('/api/stream', baseUrl);
  url.searchParams.set('token', token);
  if (since !== null) url.searchParams.set('since', String(since));
  return url.toString();
}

export function createStreamClient(options: StreamClientOptions): StreamClient {
  const backoff: BackoffOptions = { ...DEFAULT_BACKOFF, ...options.backoff };
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const helloTimeoutMs = options.helloTimeoutMs ?? 10_000;
  const createSocket = options.createSocket ?? ((url: string) => new WebSocket(url));
  const network = options.network ?? browserNetwork;

  let state: StreamClientState = { status: 'idle', retries: 0, lastPosition: null, nextRetryAt: null, lastClose: null };
  const listeners = new Set<(state: StreamClientState) => void>();
  let socket: SocketLike | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let helloTimer: ReturnType<typeof setTimeout> | null = null;
  let unwatchNetwork: (() => void) | null = null;
  let running = false;

  const setState = (patch: Partial<StreamClientState>) => {
    state = { ...state, ...patch };
    for (const listener of listeners) listener(state);
  };

  const clearTimers = () => {
    if (retryTimer !== null) clearTimeout(retryTimer);
    if (helloTimer !== null) clearTimeout(helloTimer);
    retryTimer = null;
    helloTimer = null;
  };

  const detach = (s: SocketLike) => {
    s.onopen = null;
    s.onmessage = null;
    s.onclose = null;
    s.onerror = null;
  };

  const closeSocket = (code: number, reason: string) => {
    const current = socket;
    socket = null;
    if (current === null) return;
    detach(current);
    try {
      current.close(code, reason);
    } catch {
      // already closing
    }
  };

  const deliver = (message: StreamMessage) => {
    const last = state.lastPosition;
    if (message.type === 'hello') {
      setState({
        status: 'open',
        retries: 0,
        nextRetryAt: null,
        lastPosition: last === null ? message.position : Math.max(last, message.position),
      });
      if (helloTimer !== null) clearTimeout(helloTimer);
      helloTimer = null;
    } else if (message.type === 'payment.updated') {
      // The server sends changes in position order and replays after `since`; anything at or below what
      // we have is an overlap after a resume, already applied.
      if (last !== null && message.position <= last) return;
      setState({ lastPosition: message.position });
    }
    options.onMessage(message);
  };

  const scheduleRetry = () => {
    if (!running) return;
    if (!network.isOnline()) {
      setState({ status: 'offline', nextRetryAt: null });
      return;
    }
    const retries = state.retries + 1;
    const delay = backoffDelay(retries, backoff, random);
    setState({ status: 'reconnecting', retries, nextRetryAt: now() + delay });
    retryTimer = setTimeout(() => {
      retryTimer = null;
      connect();
    }, delay);
  };

  const connect = () => {
    clearTimers();
    closeSocket(1000, 'reconnecting');
    const token = options.getToken();
    if (token === null) {
      setState({ status: 'unauthorized', nextRetryAt: null });
      return;
    }
    if (state.status !== 'reconnecting') setState({ status: state.retries === 0 ? 'connecting' : 'reconnecting' });

    let s: SocketLike;
    try {
      s = createSocket(streamUrl(options.baseUrl, token, state.lastPosition));
    } catch {
      scheduleRetry();
      return;
    }
    socket = s;
    helloTimer = setTimeout(() => {
      helloTimer = null;
      if (socket !== s) return;
      closeSocket(CLOSE_CLIENT_DROP, 'no hello');
      setState({ lastClose: { code: CLOSE_CLIENT_DROP, reason: 'no hello from server' } });
      scheduleRetry();
    }, helloTimeoutMs);

    s.onmessage = (event) => {
      if (socket !== s) return;
      const message = parseStreamMessage(event.data);
      if (message !== null) deliver(message);
    };
    s.onerror = () => {
      // A close event always follows; the retry is scheduled there.
    };
    s.onclose = (event) => {
      if (socket !== s) return;
      socket = null;
      detach(s);
      if (helloTimer !== null) clearTimeout(helloTimer);
      helloTimer = null;
      setState({ lastClose: { code: event.code, reason: event.reason } });
      if (event.code === CLOSE_UNAUTHORIZED) {
        setState({ status: 'unauthorized', nextRetryAt: null });
        options.onUnauthorized?.();
        return;
      }
      if (event.code === CLOSE_SINCE_TOO_OLD || event.code === CLOSE_SINCE_AHEAD) {
        // retrying with the same since would be refused forever
        setState({ lastPosition: null });
        if (options.onResync) {
          running = false;
          clearTimers();
          setState({ status: 'reconnecting', nextRetryAt: null });
          options.onResync();
          return;
        }
      }
      // Everything else (server restart 1001/1006, slow consumer 4408/1008, network loss) is retried.
      scheduleRetry();
    };
  };

  const onNetwork = (online: boolean) => {
    if (!running) return;
    if (online) {
      if (state.status === 'offline' || state.status === 'reconnecting') connect();
    } else {
      clearTimers();
      closeSocket(CLOSE_CLIENT_DROP, 'browser offline');
      setState({ status: 'offline', nextRetryAt: null });
    }
  };

  return {
    start(since) {
      this.stop();
      running = true;
      setState({ status: 'idle', retries: 0, lastPosition: since ?? null, nextRetryAt: null, lastClose: null });
      unwatchNetwork = network.subscribe(onNetwork);
      if (network.isOnline()) connect();
      else setState({ status: 'offline' });
    },
    stop() {
      running = false;
      clearTimers();
      unwatchNetwork?.();
      unwatchNetwork = null;
      closeSocket(1000, 'client stopped');
      if (state.status !== 'idle') setState({ status: 'idle', nextRetryAt: null });
    },
    reconnectNow() {
      if (!running || state.status === 'open') return;
      connect();
    },
    drop() {
      if (!running || socket === null) return;
      closeSocket(CLOSE_CLIENT_DROP, 'dropped by client');
      clearTimers();
      setState({ lastClose: { code: CLOSE_CLIENT_DROP, reason: 'dropped by client' } });
      scheduleRetry();
    },
    getState: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
