import { describe, expect, it } from 'vitest';
import { hello, payment, stats, updated } from '../../../testing/fixtures.ts';
import { applyPayment, initialFeedState, reduceStream, reduceStreamBatch } from './stream-reducer.ts';

describe('stream reducer', () => {
  it('applies payment.updated messages in position order and remembers the last position', () => {
    const a = payment();
    const b = payment();
    let state = reduceStream(initialFeedState, updated(10, a));
    state = reduceStream(state, updated(11, b));
    expect(state.lastPosition).toBe(11);
    expect(Object.keys(state.byId)).toEqual([a.paymentId, b.paymentId]);
  });

  it('drops a message at or below the last position as a duplicate', () => {
    const p = payment();
    const once = reduceStream(initialFeedState, updated(5, p));
    const again = reduceStream(once, updated(5, { ...p, version: 2, status: 'AUTHORIZED' }));
    const older = reduceStream(once, updated(4, { ...p, version: 3, status: 'REVIEW' }));
    expect(again).toBe(once);
    expect(older).toBe(once);
    expect(once.byId[p.paymentId]?.status).toBe('PENDING');
  });

  it('a fresh stream starts at the hello position; a resumed one never moves back', () => {
    const fresh = reduceStream(initialFeedState, hello(42));
    expect(fresh.lastPosition).toBe(42);
    // The server's head is 42: a replayed change at 40 is already reflected in what we loaded.
    expect(reduceStream(fresh, updated(40, payment()))).toBe(fresh);
    const resumed = reduceStream({ ...fresh, lastPosition: 50 }, hello(42));
    expect(resumed.lastPosition).toBe(50);
  });

  it('after a resume, the overlap is applied once and the rest in order', () => {
    const p = payment();
    let state = reduceStream(initialFeedState, hello(0));
    state = reduceStream(state, updated(1, p));
    state = reduceStream(state, updated(2, { ...p, version: 2, status: 'REVIEW' }));
    // Reconnect with since=2: the server says hello(2) and replays from 3; a repeated 2 is ignored.
    state = reduceStream(state, hello(2));
    state = reduceStream(state, updated(2, { ...p, version: 2, status: 'REVIEW' }));
    state = reduceStream(state, updated(3, { ...p, version: 3, status: 'APPROVED' }));
    expect(state.lastPosition).toBe(3);
    expect(state.byId[p.paymentId]).toMatchObject({ version: 3, status: 'APPROVED' });
  });

  it('keeps versions monotonic: an older view never replaces a newer one', () => {
    const p = payment({ version: 3, status: 'APPROVED' });
    const state = applyPayment(initialFeedState, p);
    expect(applyPayment(state, { ...p, version: 2, status: 'REVIEW' })).toBe(state);
    expect(applyPayment(state, { ...p, version: 3, status: 'REVIEW' })).toBe(state);
    // On the stream too: a new position carrying a stale view advances the position but not the view.
    const next = reduceStream({ ...state, lastPosition: 7 }, updated(8, { ...p, version: 1, status: 'PENDING' }));
    expect(next.lastPosition).toBe(8);
    expect(next.byId[p.paymentId]).toBe(p);
  });

  it('ignores stats messages (the stats store orders those)', () => {
    const state = reduceStream(initialFeedState, { type: 'stats', position: 9, stats: stats(9) });
    expect(state).toBe(initialFeedState);
  });

  it('a batch is applied in position order whatever order it was assembled in, reporting what changed', () => {
    const p = payment();
    const { state, applied } = reduceStreamBatch(initialFeedState, [
      updated(3, { ...p, version: 3, status: 'DECLINED' }),
      updated(1, p),
      updated(2, { ...p, version: 2, status: 'REVIEW' }),
      updated(2, { ...p, version: 2, status: 'REVIEW' }),
    ]);
    expect(state.lastPosition).toBe(3);
    expect(state.byId[p.paymentId]?.status).toBe('DECLINED');
    expect(applied.map((v) => v.version)).toEqual([1, 2, 3]);
  });
});
