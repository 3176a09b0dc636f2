// The hub's delivery rules, with sockets we control: resume from a cursor without gaps or repeats, merchant
// scoping in the merchant's own numbering, the bounded buffer that closes a client that stops reading without
// touching the others, and the bounds: catch-up window, head, connections per principal, token expiry.
import { EventEmitter } from 'node:events';
import { createLogger } from '@payments/runtime/logger';
import type { PaymentView, Stats } from '@payments/schemas';
import { describe, expect, it, vi } from 'vitest';
import type { FeedEntry, FeedTail } from './feed-tail.ts';
import {
  CLOSE_SINCE_AHEAD,
  CLOSE_SINCE_TOO_OLD,
  CLOSE_TOKEN_EXPIRED,
  CLOSE_TOO_MANY_CONNECTIONS,
  CLOSE_TOO_SLOW,
  StreamHub,
} from './stream-hub.ts';

class FakeSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  bufferedAmount = 0;
  sent: { type: string; position: number }[] = [];
  closedWith: [number, string] | null = null;
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close(code: number, reason: string) {
    this.closedWith = [code, reason];
    this.readyState = 3;
  }
  terminate() {}
  ping() {}
}

class FakeTail extends EventEmitter {
  head = 0;
  entries: FeedEntry[] = [];
  publish(...positions: [number, string][]) {
    const added = positions.map(([position, merchantId]) => ({
      position,
      merchantPosition: 0,
      merchantId,
      payment: { paymentId: `p${position}`, merchantId } as unknown as PaymentView,
    }));
    for (const entry of added) {
      entry.merchantPosition = this.entries.filter((e) => e.merchantId === entry.merchantId).length + 1;
      this.entries.push(entry);
    }
    this.head = added.at(-1)?.position ?? this.head;
    this.emit('entries', added);
  }
  async since(after: number, upTo: number, merchantId: string | null) {
    return this.entries.filter(
      (e) => e.position <= upTo && (merchantId === null ? e.position > after : e.merchantId === merchantId && e.merchantPosition > after),
    );
  }
  async storedHead() {
    return this.head;
  }
  async merchantHead(merchantId: string) {
    return this.entries.filter((e) => e.merchantId === merchantId).length;
  }
}

const stats: Stats = { total: 0, byStatus: { PENDING: 0, AUTHORIZED: 0, REVIEW: 0, APPROVED: 0, DECLINED: 0 }, volume: [], position: 0 };
function hub(tail: FakeTail, maxBufferBytes = 1000, limits = { maxCatchUp: 100, maxConnectionsPerPrincipal: 10 }) {
  return new StreamHub({
    tail: tail as unknown as FeedTail,
    logger: createLogger('test', 'silent'),
    maxBufferBytes,
    ...limits,
    statsIntervalMs: 60_000,
    pingIntervalMs: 60_000,
    loadStats: async () => stats,
  });
}
const updates = (s: FakeSocket) => s.sent.filter((m) => m.type === 'payment.updated').map((m) => m.position);

describe('stream hub', () => {
  it('a resuming client gets every change after since, once and in order, then the live ones', async () => {
    const tail = new FakeTail();
    tail.publish([1, 'A'], [2, 'B'], [3, 'A'], [5, 'A']);
    const h = hub(tail);
    const socket = new FakeSocket();
    await h.add(socket as never, { sub: 'viewer', role: 'viewer' }, 1);
    tail.publish([6, 'B'], [7, 'A']);
    tail.publish([7, 'A']); // a repeat never goes out twice
    expect(socket.sent[0]).toEqual({ type: 'hello', position: 1 });
    expect(updates(socket)).toEqual([2, 3, 5, 6, 7]);
    h.close();
  });

  it('a merchant receives only its own payments, numbered 1, 2, 3… whatever the others do', async () => {
    const tail = new FakeTail();
    tail.publish([1, 'A'], [2, 'B']);
    const h = hub(tail);
    const socket = new FakeSocket();
    await h.add(socket as never, { sub: 'merchant-A', role: 'merchant', merchantId: 'A' }, 0);
    tail.publish([3, 'B'], [4, 'A'], [5, 'B'], [6, 'B']);
    tail.publish([7, 'A']);
    expect(socket.sent[0]).toEqual({ type: 'hello', position: 0 });
    expect(updates(socket)).toEqual([1, 2, 3]);
    h.close();
  });

  it('a merchant resumes from its own position without gaps or repeats; a fresh one starts at its own head', async () => {
    const tail = new FakeTail();
    tail.publish([1, 'A'], [2, 'B'], [3, 'A'], [4, 'B'], [5, 'A']);
    const h = hub(tail);
    const resumed = new FakeSocket();
    const fresh = new FakeSocket();
    await h.add(resumed as never, { sub: 'merchant-A', role: 'merchant', merchantId: 'A' }, 1);
    await h.add(fresh as never, { sub: 'merchant-A', role: 'merchant', merchantId: 'A' }, null);
    tail.publish([6, 'B'], [7, 'A']);
    tail.publish([7, 'A']); // a repeat never goes out twice
    expect(resumed.sent[0]).toEqual({ type: 'hello', position: 1 });
    expect(updates(resumed)).toEqual([2, 3, 4]);
    expect(fresh.sent[0]).toEqual({ type: 'hello', position: 3 });
    expect(updates(fresh)).toEqual([4]);
    h.close();
  });

  it('a since further back than the window, or past the head, is refused with a close code and a reason', async () => {
    const tail = new FakeTail();
    tail.publish(...Array.from({ length: 30 }, (_, i) => [i + 1, i % 3 === 0 ? 'A' : 'B'] as [number, string]));
    const h = hub(tail, 1000, { maxCatchUp: 10, maxConnectionsPerPrincipal: 10 });
    const viewer = { sub: 'viewer', role: 'viewer' } as const;
    const merchant = { sub: 'merchant-A', role: 'merchant', merchantId: 'A' } as const;
    const cases: [typeof viewer | typeof merchant, number, number | null][] = [
      [viewer, 0, CLOSE_SINCE_TOO_OLD],
      [viewer, 19, CLOSE_SINCE_TOO_OLD],
      [viewer, 20, null],
      [viewer, 30, null],
      [viewer, 31, CLOSE_SINCE_AHEAD],
      [viewer, 1e23, CLOSE_SINCE_AHEAD],
      [merchant, 0, null], // A has 10 changes: within its window
      [merchant, 10, null],
      [merchant, 11, CLOSE_SINCE_AHEAD], // the global head is no excuse
    ];
    for (const [principal, since, code] of cases) {
      const socket = new FakeSocket();
      await h.add(socket as never, principal, since);
      expect([principal.sub, since, socket.closedWith?.[0] ?? null]).toEqual([principal.sub, since, code]);
      if (code === CLOSE_SINCE_TOO_OLD) expect(socket.closedWith?.[1]).toMatch(/GET \/api\/payments/);
      if (code !== null) expect(socket.sent).toEqual([]);
    }
    h.close();
  });

  it('past its connection cap a principal is refused; another principal is not', async () => {
    const tail = new FakeTail();
    const h = hub(tail, 1000, { maxCatchUp: 100, maxConnectionsPerPrincipal: 2 });
    const viewer = { sub: 'viewer', role: 'viewer' } as const;
    const sockets = [new FakeSocket(), new FakeSocket(), new FakeSocket()];
    for (const s of sockets) await h.add(s as never, viewer, null);
    expect(sockets.map((s) => s.closedWith?.[0] ?? null)).toEqual([null, null, CLOSE_TOO_MANY_CONNECTIONS]);
    expect(h.hasRoomFor(viewer)).toBe(false);
    expect(h.hasRoomFor({ sub: 'analyst', role: 'analyst' })).toBe(true);
    sockets[0]?.emit('close');
    expect(h.hasRoomFor(viewer)).toBe(true);
    h.close();
  });

  it('a socket is closed when the token it was opened with expires', async () => {
    vi.useFakeTimers();
    try {
      const tail = new FakeTail();
      const h = hub(tail);
      const socket = new FakeSocket();
      await h.add(socket as never, { sub: 'viewer', role: 'viewer', expiresAt: Date.now() + 5000 }, null);
      vi.advanceTimersByTime(4900);
      expect(socket.closedWith).toBeNull();
      vi.advanceTimersByTime(200);
      expect(socket.closedWith?.[0]).toBe(CLOSE_TOKEN_EXPIRED);
      expect(socket.closedWith?.[1]).toMatch(/token expired/);
      expect(h.size).toBe(0);
      h.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it('a client whose send buffer passes the bound is closed with a reason; the others keep receiving', async () => {
    const tail = new FakeTail();
    const h = hub(tail, 1000);
    const slow = new FakeSocket();
    const fast = new FakeSocket();
    await h.add(slow as never, { sub: 'viewer', role: 'viewer' }, null);
    await h.add(fast as never, { sub: 'viewer', role: 'viewer' }, null);
    tail.publish([1, 'A']);
    slow.bufferedAmount = 5000; // it stopped reading
    tail.publish([2, 'A'], [3, 'A']);
    expect(slow.closedWith?.[0]).toBe(CLOSE_TOO_SLOW);
    expect(slow.closedWith?.[1]).toMatch(/too slow/);
    expect(updates(slow)).toEqual([1]);
    expect(updates(fast)).toEqual([1, 2, 3]);
    expect(h.size).toBe(1);
    h.close();
  });
});
