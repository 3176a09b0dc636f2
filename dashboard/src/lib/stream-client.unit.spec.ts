import type { StreamMessage } from '@payments/schemas';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { hello, payment, updated } from '../testing/fixtures.ts';
import { backoffDelay, createStreamClient, type NetworkWatcher, type SocketLike, type StreamClientState } from './stream-client.ts';

class FakeSocket implements SocketLike {
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  closed: { code?: number; reason?: string } | null = null;
  readonly url: URL;
  constructor(url: URL) {
    this.url = url;
  }
  send(message: StreamMessage) {
    this.onmessage?.({ data: JSON.stringify(message) } as MessageEvent);
  }
  serverClose(code: number, reason = '') {
    this.onclose?.({ code, reason } as CloseEvent);
  }
  close(code?: number, reason?: string) {
    this.closed = { code, reason };
  }
}

function setup(options: { token?: string | null; online?: boolean } = {}) {
  const sockets: FakeSocket[] = [];
  const messages: StreamMessage[] = [];
  const states: StreamClientState[] = [];
  const onUnauthorized = vi.fn();
  let online = options.online ?? true;
  let networkListener: ((online: boolean) => void) | null = null;
  const network: NetworkWatcher = {
    isOnline: () => online,
    subscribe(listener) {
      networkListener = listener;
      return () => {
        networkListener = null;
      };
    },
  };
  const client = createStreamClient({
    baseUrl: 'ws://query.test:8081',
    getToken: () => (options.token === undefined ? 'jwt-1' : options.token),
    onMessage: (m) => messages.push(m),
    onUnauthorized,
    random: () => 0.5,
    createSocket: (url) => {
      const socket = new FakeSocket(new URL(url));
      sockets.push(socket);
      return socket;
    },
    network,
  });
  client.subscribe((s) => states.push(s));
  const last = () => sockets[sockets.length - 1] as FakeSocket;
  const setOnline = (value: boolean) => {
    online = value;
    networkListener?.(value);
  };
  return { client, sockets, messages, states, onUnauthorized, last, setOnline };
}

describe('stream client', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('connects with the token and since, and is live once the server says hello', () => {
    const { client, last } = setup();
    client.start(41);
    expect(last().url.pathname).toBe('/api/stream');
    expect(last().url.searchParams.get('token')).toBe('jwt-1');
    expect(last().url.searchParams.get('since')).toBe('41');
    expect(client.getState().status).toBe('connecting');
    last().send(hello(41));
    expect(client.getState()).toMatchObject({ status: 'open', retries: 0, lastPosition: 41 });
  });

  it('a fresh start sends no since and takes the hello position', () => {
    const { client, last } = setup();
    client.start();
    expect(last().url.searchParams.has('since')).toBe(false);
    last().send(hello(100));
    expect(client.getState().lastPosition).toBe(100);
  });

  it('drops messages at or below the last position and passes the rest on in order', () => {
    const { client, last, messages } = setup();
    client.start(0);
    last().send(hello(0));
    const p = payment();
    last().send(updated(1, p));
    last().send(updated(1, p));
    last().send(updated(2, { ...p, version: 2 }));
    last().send({
      type: 'stats',
      position: 2,
      stats: { total: 1, byStatus: { PENDING: 1, AUTHORIZED: 0, REVIEW: 0, APPROVED: 0, DECLINED: 0 }, volume: [], position: 2 },
    });
    expect(messages.map((m) => `${m.type}@${m.position}`)).toEqual(['hello@0', 'payment.updated@1', 'payment.updated@2', 'stats@2']);
    expect(client.getState().lastPosition).toBe(2);
  });

  it('ignores frames that are not well-formed messages', () => {
    const { client, last, messages } = setup();
    client.start(0);
    last().onmessage?.({ data: 'not json' } as MessageEvent);
    last().onmessage?.({ data: JSON.stringify({ type: 'mystery', position: 1 }) } as MessageEvent);
    last().onmessage?.({ data: JSON.stringify({ type: 'payment.updated', position: 'x' }) } as MessageEvent);
    expect(messages).toEqual([]);
  });

  it('after a drop, reconnects with backoff and resumes after the last position seen', () => {
    const { client, sockets, last } = setup();
    client.start(0);
    last().send(hello(0));
    last().send(updated(7, payment()));
    last().serverClose(1006);
    expect(client.getState()).toMatchObject({ status: 'reconnecting', retries: 1 });
    expect(sockets).toHaveLength(1);

    vi.advanceTimersByTime(backoffDelay(1, undefined, () => 0.5));
    expect(sockets).toHaveLength(2);
    expect(last().url.searchParams.get('since')).toBe('7');

    // The second attempt fails too: the wait grows.
    last().serverClose(1006);
    expect(client.getState().retries).toBe(2);
    vi.advanceTimersByTime(backoffDelay(1, undefined, () => 0.5));
    expect(sockets).toHaveLength(2);
    vi.advanceTimersByTime(backoffDelay(2, undefined, () => 0.5));
    expect(sockets).toHaveLength(3);

    last().send(hello(7));
    expect(client.getState()).toMatchObject({ status: 'open', retries: 0, lastPosition: 7 });
  });

  it('a replay overlapping what was delivered before the drop is not delivered twice', () => {
    const { client, last, messages } = setup();
    client.start(0);
    last().send(hello(0));
    const p = payment();
    last().send(updated(1, p));
    last().send(updated(2, { ...p, version: 2 }));
    client.drop();
    vi.runOnlyPendingTimers();
    last().send(hello(2));
    last().send(updated(2, { ...p, version: 2 }));
    last().send(updated(3, { ...p, version: 3 }));
    expect(messages.filter((m) => m.type === 'payment.updated').map((m) => m.position)).toEqual([1, 2, 3]);
  });

  it('treats slow-consumer closes (4408, 1008) as drops to resume from', () => {
    const { client, sockets, last } = setup();
    client.start(3);
    last().send(hello(3));
    last().serverClose(4408, 'too slow');
    expect(client.getState()).toMatchObject({ status: 'reconnecting', lastClose: { code: 4408, reason: 'too slow' } });
    vi.runOnlyPendingTimers();
    expect(sockets).toHaveLength(2);
    last().serverClose(1008, 'backpressure');
    vi.runOnlyPendingTimers();
    expect(sockets).toHaveLength(3);
    expect(last().url.searchParams.get('since')).toBe('3');
  });

  it('stops on 4401 and reports the token as refused', () => {
    const { client, sockets, last, onUnauthorized } = setup();
    client.start(0);
    last().serverClose(4401, 'bad token');
    expect(client.getState().status).toBe('unauthorized');
    expect(onUnauthorized).toHaveBeenCalledOnce();
    vi.advanceTimersByTime(60_000);
    expect(sockets).toHaveLength(1);
  });

  it.each([4410, 4416])('on %i (a since the server refuses) asks for a resync instead of retrying the same since', (code) => {
    const onResync = vi.fn();
    const sockets: FakeSocket[] = [];
    const client = createStreamClient({
      baseUrl: 'ws://query.test:8081',
      getToken: () => 'jwt-1',
      onMessage: () => {},
      onResync,
      createSocket: (url) => {
        const socket = new FakeSocket(new URL(url));
        sockets.push(socket);
        return socket;
      },
      network: { isOnline: () => true, subscribe: () => () => {} },
    });
    client.start(5);
    sockets[0]?.serverClose(code, 'since refused');
    expect(onResync).toHaveBeenCalledOnce();
    vi.advanceTimersByTime(60_000);
    expect(sockets).toHaveLength(1);
    client.start(900);
    expect(sockets[1]?.url.searchParams.get('since')).toBe('900');
  });

  it('without a resync callback, resumes from the server head after a refused since', () => {
    const { client, sockets, last } = setup();
    client.start(5);
    last().serverClose(4410, 'since too old');
    vi.runOnlyPendingTimers();
    expect(sockets).toHaveLength(2);
    expect(last().url.searchParams.has('since')).toBe(false);
  });

  it('counts a connection without hello in time as a failed attempt', () => {
    const { client, sockets, last } = setup();
    client.start(0);
    vi.advanceTimersByTime(10_000);
    expect(last().closed).not.toBeNull();
    expect(client.getState()).toMatchObject({ status: 'reconnecting', retries: 1 });
    vi.runOnlyPendingTimers();
    expect(sockets).toHaveLength(2);
  });

  it('waits while the browser is offline and reconnects as soon as it is back', () => {
    const { client, sockets, last, setOnline } = setup();
    client.start(0);
    last().send(hello(0));
    setOnline(false);
    expect(client.getState().status).toBe('offline');
    vi.advanceTimersByTime(60_000);
    expect(sockets).toHaveLength(1);
    setOnline(true);
    expect(sockets).toHaveLength(2);
    expect(last().url.searchParams.get('since')).toBe('0');
  });

  it('reconnectNow skips the backoff wait; stop closes and stays closed', () => {
    const { client, sockets, last } = setup();
    client.start(0);
    last().serverClose(1006);
    client.reconnectNow();
    expect(sockets).toHaveLength(2);
    client.stop();
    expect(last().closed?.code).toBe(1000);
    expect(client.getState().status).toBe('idle');
    vi.advanceTimersByTime(60_000);
    expect(sockets).toHaveLength(2);
  });

  it('backoff grows exponentially with jitter, capped', () => {
    const options = { initialMs: 500, maxMs: 15_000, factor: 2 };
    expect(backoffDelay(1, options, () => 0)).toBe(250);
    expect(backoffDelay(1, options, () => 1)).toBe(500);
    expect(backoffDelay(3, options, () => 1)).toBe(2000);
    expect(backoffDelay(30, options, () => 1)).toBe(15_000);
    expect(backoffDelay(30, options, () => 0)).toBe(7500);
  });
});
