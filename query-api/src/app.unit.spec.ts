// The query API's HTTP edge in process (app.inject(), no PostgreSQL, no Kafka): the role each read needs, the
// query strings and params it refuses before touching the database, and the shapes of its answers, with a
// pool stub that records every statement. The WebSocket stream is checked only at its upgrade (its messages
// need the change feed: tests/hostile-stream.int.spec.ts), and read-your-writes waits (minPosition that the
// read model has not reached) need the feed tail: tests/read-side.int.spec.ts.
import type { App } from '@payments/runtime/http';
import type { EventStore } from '@payments/runtime/pg';
import { quietAppDeps, stubPool, testTokens } from '@payments/runtime/testing';
import { PaymentPageSchema, SeriesSchema, StatsSchema } from '@payments/schemas';
import { paymentEvents, recorded } from '@payments/schemas/testing';
import { Value } from 'typebox/value';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildQueryApi } from './app.ts';
import type { FeedTail } from './stream/feed-tail.ts';
import type { StreamHub } from './stream/stream-hub.ts';

const tokens = testTokens();
const payment = paymentEvents({ merchantId: 'M123' });

const db = stubPool();
let app: App;
let streamAdds: number;

beforeAll(async () => {
  app = await buildQueryApi({
    ...quietAppDeps(),
    pool: db.pool,
    eventStore: { readStream: async () => recorded([payment.requested(), payment.authorized()]) } as unknown as EventStore,
    verifier: tokens.verifier,
    // the routes reach the tail only to wait for a minPosition, and the hub only for an upgraded stream
    tail: {} as FeedTail,
    hub: { hasRoomFor: () => true, add: async () => void streamAdds++ } as unknown as StreamHub,
    minPositionMaxWaitMs: 100,
  });
  await app.ready();
});
afterAll(async () => {
  await app?.close();
});
beforeEach(() => {
  db.reset();
  streamAdds = 0;
});

const read = async (url: string, as: string | null, method: 'GET' | 'POST' = 'GET') =>
  app.inject({ method, url, headers: as ? await tokens.as(as) : {} });

/** Refused in JSON {error, message}, marked no-store, before any statement reached the pool. */
function expectRefusedEarly(res: Awaited<ReturnType<App['inject']>>, status: number, error: string, naming?: string) {
  expect({ status: res.statusCode, error: res.json().error, message: res.json().message }).toEqual({
    status,
    error,
    message: naming ? expect.stringContaining(naming) : expect.any(String),
  });
  expect(res.headers['cache-control']).toBe('no-store');
  expect(db.queries).toEqual([]);
}

describe('who may read what', () => {
  it.each([
    ['GET', '/api/payments'],
    ['GET', `/api/payments/${payment.paymentId}`],
    ['GET', `/api/payments/${payment.paymentId}/events`],
    ['GET', '/api/stats'],
    ['GET', '/api/stats/series'],
    ['GET', '/api/events'],
    ['GET', '/api/projections/payments'],
    ['GET', '/api/projections/payments/rebuilds/1'],
    ['POST', '/api/projections/payments/rebuild'],
  ] as const)('%s %s needs a token (401)', async (method, url) => {
    expectRefusedEarly(await read(url, null, method), 401, 'unauthorized');
  });

  it.each([
    ['GET', '/api/events', 'viewer'],
    ['GET', '/api/events', 'merchant-M123'],
    ['POST', '/api/projections/payments/rebuild', 'viewer'],
    ['POST', '/api/projections/payments/rebuild', 'merchant-M123'],
    ['GET', '/api/projections/payments', 'merchant-M123'],
  ] as const)('%s %s is not for %s (403)', async (method, url, as) => {
    expectRefusedEarly(await read(url, as, method), 403, 'forbidden');
  });

  it("refuses a merchant listing another merchant's payments (403)", async () => {
    expectRefusedEarly(await read('/api/payments?merchantId=M456', 'merchant-M123'), 403, 'forbidden');
  });

  it('refuses the stream upgrade without a token (401), before the hub sees it', async () => {
    await expect(app.injectWS('/api/stream')).rejects.toThrow(/401/);
    expect(streamAdds).toBe(0);
  });
});

describe('what is refused before the database', () => {
  it.each([
    ['/api/payments?limit=0', 'querystring.limit'],
    ['/api/payments?limit=1.5', 'querystring.limit'],
    ['/api/payments?status=LOST', 'querystring.status'],
    ['/api/payments?sort=asc', 'querystring.sort'],
    ['/api/payments?cursor=bm90LWEtY3Vyc29y', 'querystring.cursor'],
    ['/api/payments/not-a-uuid', 'params.id'],
    [`/api/payments/${payment.paymentId}?asOf=yesterday`, 'querystring.asOf'],
    ['/api/payments/not-a-uuid/events', 'params.id'],
    ['/api/stats/series?step=0', 'querystring.step'],
    ['/api/stats/series?from=2025-01-02T00:00:00Z&to=2025-01-01T00:00:00Z', 'querystring.from'],
    ['/api/stats/series?from=2025-01-01T00:00:00Z&to=2025-01-02T00:00:00Z&step=1', 'querystring.step'],
    ['/api/events?type=PaymentLost', 'querystring.type'],
    ['/api/events?from=soon', 'querystring.from'],
    ['/api/projections/payments/rebuilds/abc', 'params.id'],
  ])('GET %s (400, naming %s)', async (url, field) => {
    expectRefusedEarly(await read(url, 'analyst'), 400, 'validation_failed', field);
  });

  it('refuses a merchant a minPosition no merchant is ever shown (400)', async () => {
    const beyondCoded = 2 ** 52 + 1; // merchants are shown positions in [1, 2^52] (merchant-positions.ts)
    const res = await read(`/api/payments?minPosition=${beyondCoded}`, 'merchant-M123');
    expectRefusedEarly(res, 400, 'validation_failed', 'querystring.minPosition');
  });

  it('answers an unknown projection 404 without querying', async () => {
    expectRefusedEarly(await read('/api/projections/orders/rebuild', 'analyst', 'POST'), 404, 'not_found');
    expectRefusedEarly(await read('/api/projections/orders', 'viewer'), 404, 'not_found');
  });
});

describe('answers, in their schemas', () => {
  it("GET /api/stats: the counters, scoped to a merchant's own for a merchant token", async () => {
    db.answer = () => ({ rows: [{ currency: 'INR', status: 'AUTHORIZED', count: 3, volume: '150000', head: 9 }] });
    const res = await read('/api/stats', 'merchant-M123');
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(Value.Check(StatsSchema, res.json())).toBe(true);
    expect(res.json()).toMatchObject({ total: 3, position: 9, volume: [{ currency: 'INR', count: 3, totalMinor: '150000' }] });
    expect(db.queries.map((q) => q.params)).toEqual([['M123']]);
    await read('/api/stats', 'viewer');
    expect(db.queries.at(-1)?.params).toEqual([null]);
  });

  it('GET /api/stats/series: one bucket per step', async () => {
    const res = await read('/api/stats/series?from=2025-01-01T00:00:00Z&to=2025-01-01T00:00:10Z&step=5', 'viewer');
    expect(res.statusCode).toBe(200);
    expect(Value.Check(SeriesSchema, res.json())).toBe(true);
    expect(res.json()).toMatchObject({ stepSeconds: 5, t: [1735689600, 1735689605] });
  });

  it('GET /api/payments: an empty page for a merchant, filtered to its own payments', async () => {
    const res = await read('/api/payments?status=AUTHORIZED&limit=10', 'merchant-M123');
    expect(res.statusCode).toBe(200);
    expect(Value.Check(PaymentPageSchema, res.json())).toBe(true);
    expect(res.json()).toEqual({ items: [], nextCursor: null });
    expect(db.queries[0]?.params).toEqual(['AUTHORIZED', 'M123', null, null, 11]);
  });

  it("GET /api/payments/:id/events: the payment's events to an analyst, a 404 to another merchant", async () => {
    const res = await read(`/api/payments/${payment.paymentId}/events`, 'analyst');
    expect(res.statusCode).toBe(200);
    expect(res.json().items.map((e: { type: string }) => e.type)).toEqual(['PaymentRequested', 'PaymentAuthorized']);
    const hidden = await read(`/api/payments/${payment.paymentId}/events`, 'merchant-M456');
    expect({ status: hidden.statusCode, error: hidden.json().error }).toEqual({ status: 404, error: 'not_found' });
  });

  it('GET /api/payments/:id: a 404 in JSON for a payment the read model does not have', async () => {
    const res = await read(`/api/payments/${payment.paymentId}`, 'viewer');
    expect({ status: res.statusCode, error: res.json().error }).toEqual({ status: 404, error: 'not_found' });
  });

  it('POST /api/projections/:name/rebuild: 202 with its location, 409 while one is queued', async () => {
    const at = new Date('2025-01-01T00:00:00Z');
    const row = { id: 3, projection: 'payments', status: 'queued', requested_by: 'analyst', events_done: 0, events_total: 0 };
    db.answer = ({ sql }) =>
      sql.startsWith('insert')
        ? { rows: [{ ...row, events_per_second: '0', error: null, requested_at: at, started_at: null, finished_at: null }] }
        : { rows: [] };
    const res = await read('/api/projections/payments/rebuild', 'analyst', 'POST');
    expect({ status: res.statusCode, location: res.headers.location }).toEqual({
      status: 202,
      location: '/api/projections/payments/rebuilds/3',
    });
    expect(res.json()).toMatchObject({ id: 3, requestedBy: 'analyst', requestedAt: at.toISOString() });
    db.answer = () => {
      throw Object.assign(new Error('duplicate key'), { code: '23505' });
    };
    const again = await read('/api/projections/payments/rebuild', 'analyst', 'POST');
    expect({ status: again.statusCode, error: again.json().error }).toEqual({ status: 409, error: 'rebuild_in_progress' });
  });
});

describe('the routes as a whole', () => {
  it('answers an unknown path 404 in JSON, never cached', async () => {
    expectRefusedEarly(await read('/api/nowhere', 'analyst'), 404, 'not_found');
  });

  it('answers a wrong method on a known path 405 with Allow', async () => {
    for (const [method, url, allow] of [
      ['POST', '/api/stats', 'GET, HEAD'],
      ['DELETE', `/api/payments/${payment.paymentId}`, 'GET, HEAD'],
      ['GET', '/api/projections/payments/rebuild', 'POST'],
      ['PUT', '/api/stream', 'GET, HEAD'],
    ] as const) {
      const res = await app.inject({ method, url });
      expect({ url, status: res.statusCode, allow: res.headers.allow }).toEqual({ url, status: 405, allow });
    }
    expect(db.queries).toEqual([]);
  });
});
