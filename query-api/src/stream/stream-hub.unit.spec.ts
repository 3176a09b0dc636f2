// The hub's delivery rules, with sockets we control: resume from a cursor without gaps or repeats, merchant
// scoping, and the bounded buffer that closes a client that stops reading without touching the others.
import { EventEmitter } from 'node:events';
import { createLogger } from '@payments/runtime';
import type { PaymentView, Stats } from '@payments/schemas';
import { describe, expect, it } from 'vitest';
import type { FeedEntry, FeedTail } from './feed-tail.ts';
import { CLOSE_TOO_SLOW, StreamHub } from './stream-hub.ts';

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
      merchantId,
      payment: { paymentId: `p${position}`, merchantId } as unknown as PaymentView,
    }));
    this.entries.push(...added);
    this.head = added.at(-1)?.position ?? this.head;
    this.emit('entries', added);
  }
  async since(after: number, upTo: number, merchantId: string | null) {
    return this.entries.filter((e) => e.position > after && e.position <= upTo && (!merchantId || e.merchantId === merchantId));
  }
}

const stats: Stats = { total: 0, byStatus: { PENDING: 0, AUTHORIZED: 0, REVIEW: 0, APPROVED: 0, DECLINED: 0 }, volume: [], position: 0 };
function hub(tail: FakeTail, maxBufferBytes = 1000) {
  return new StreamHub({
    tail: tail as unknown as FeedTail,
    logger: createLogger('test', 'silent'),
    maxBufferBytes,
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

  it('a merchant receives only its own payments', async () => {
    const tail = new FakeTail();
    tail.publish([1, 'A'], [2, 'B']);
    const h = hub(tail);
    const socket = new FakeSocket();
    await h.add(socket as never, { sub: 'merchant-A', role: 'merchant', merchantId: 'A' }, 0);
    tail.publish([3, 'B'], [4, 'A']);
    expect(updates(socket)).toEqual([1, 4]);
    h.close();
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
