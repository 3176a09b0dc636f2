// The read side against real Kafka and PostgreSQL: counters equal the event store, a rebuild reproduces the
// live read models row for row, WebSocket clients resume without gaps or repeats, as-of views, and a slow
// client does not hold up the others.
import { hashSecret } from '@payments/runtime/auth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, get, post, type Stack, startStack } from './support/stack.ts';
import { StreamTestClient } from './support/stream-client.ts';

let stack: Stack;
const M789_SECRET = 'test-merchant-M789-secret';
beforeAll(async () => {
  stack = await startStack();
  // a third merchant beside the development ones
  await stack.db.pool.query(
    `insert into auth.clients (client_id, secret_hash, role, merchant_id) values ('merchant-M789', $1, 'merchant', 'M789')`,
    [await hashSecret(M789_SECRET)],
  );
});
afterAll(async () => {
  await stack?.stop();
});

const MERCHANTS = ['M123', 'M456', 'M789'];
const CURRENCIES = ['INR', 'EUR', 'JPY', 'BHD'];

async function token(clientId: string) {
  if (clientId === 'merchant-M789') {
    const res = await post(`${stack.commandUrl}/api/auth/token`, null, { clientId, clientSecret: M789_SECRET });
    return res.body.accessToken as string;
  }
  return stack.token(clientId);
}

/** Submits `count` payments across merchants and currencies, `concurrency` at a time; about 20% go to review. */
async function submitPayments(count: number, concurrency = 16): Promise<{ paymentId: string; amount: number; position: number }[]> {
  const tokens = Object.fromEntries(await Promise.all(MERCHANTS.map(async (m) => [m, await token(`merchant-${m}`)])));
  const results: { paymentId: string; amount: number; position: number }[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        const merchantId = MERCHANTS[i % MERCHANTS.length] as string;
        const currency = CURRENCIES[i % CURRENCIES.length] as string;
        const amount = i % 5 === 0 ? 10_000 + (i % 7) * 1000 : 1 + (i % 997);
        const res = await post(`${stack.commandUrl}/api/payments`, tokens[merchantId], { merchantId, amount: String(amount), currency });
        if (res.status !== 202) throw new Error(`payment ${i}: ${res.status} ${JSON.stringify(res.body)}`);
        results.push({ paymentId: res.body.paymentId as string, amount, position: res.body.position as number });
      }
    }),
  );
  return results;
}

async function quiet(): Promise<void> {
  // the read model has caught up when every event's stream version is reflected
  await eventually(
    async () => {
      const { rows } = await stack.db.pool.query(
        `select (select count(*) from es.events)::int8 - coalesce((select sum(version) from read.payments), 0)::int8 as lag,
                (select count(*) from es.outbox)::int8 as outbox`,
      );
      return rows[0].lag === 0 && rows[0].outbox === 0 ? true : undefined;
    },
    60_000,
    'read model caught up',
  );
}

const COUNTERS_FROM_EVENT_STORE = `
  with requested as (
    select stream_id, data->>'merchantId' as merchant_id, data->>'currency' as currency, (data->>'amountMinor')::numeric as amount
      from es.events where type = 'PaymentRequested'),
  latest as (select distinct on (stream_id) stream_id, type from es.events order by stream_id, stream_version desc)
  select r.merchant_id, r.currency,
         case l.type when 'PaymentRequested' then 'PENDING' when 'PaymentAuthorized' then 'AUTHORIZED'
           when 'PaymentFlaggedForReview' then 'REVIEW' when 'PaymentApproved' then 'APPROVED' else 'DECLINED' end as status,
         count(*)::int8 as count, sum(r.amount)::text as volume
    from requested r join latest l using (stream_id)
   group by 1, 2, 3 order by 1, 2, 3`;

describe('read models', () => {
  it('after thousands of mixed payments every counter equals the same count computed over the event store', async () => {
    await submitPayments(2000);
    await quiet();
    const analyst = await token('analyst');
    const review = await get(`${stack.queryUrl}/api/payments?status=REVIEW&limit=200`, analyst);
    const inReview = review.body.items as { paymentId: string }[];
    expect(inReview.length).toBeGreaterThan(100);
    let i = 0;
    for (const p of inReview) {
      const action = i++ % 2 === 0 ? 'approve' : 'decline';
      const res = await post(`${stack.commandUrl}/api/payments/${p.paymentId}/${action}`, analyst, { reason: `bulk ${action}` });
      expect(res.status).toBe(200);
    }
    await quiet();

    const { rows: expected } = await stack.db.pool.query(COUNTERS_FROM_EVENT_STORE);
    const { rows: actual } = await stack.db.pool.query(
      `select merchant_id, currency, status, count, volume_minor::text as volume from read.merchant_stats order by 1, 2, 3`,
    );
    expect(actual).toEqual(expected);
    expect(new Set(expected.map((r) => r.status))).toEqual(new Set(['AUTHORIZED', 'REVIEW', 'APPROVED', 'DECLINED']));

    const stats = await get(`${stack.queryUrl}/api/stats`, analyst);
    const { rows: totals } = await stack.db.pool.query(`select count(*)::int as n from es.events where type = 'PaymentRequested'`);
    expect(stats.body.total).toBe(totals[0].n);
    const merchantStats = await get(`${stack.queryUrl}/api/stats`, await token('merchant-M456'));
    const m456 = expected.filter((r) => r.merchant_id === 'M456').reduce((sum, r) => sum + Number(r.count), 0);
    expect(merchantStats.body.total).toBe(m456);
  });

  it('a rebuild produces read models identical row for row to the live ones while queries keep answering', async () => {
    await quiet();
    const snapshot = async () =>
      Promise.all(
        ['payments order by payment_id', 'merchant_stats order by 1, 2, 3', 'series order by 1, 2, 3'].map(
          async (t) => (await stack.db.pool.query(`select * from read.${t}`)).rows,
        ),
      );
    const before = await snapshot();
    const analyst = await token('analyst');
    const started = await post(`${stack.queryUrl}/api/projections/payments/rebuild`, analyst, {});
    expect(started.status).toBe(202);
    const answered: number[] = [];
    const done = await eventually(async () => {
      answered.push(
        (await get(`${stack.queryUrl}/api/payments?limit=5`, analyst)).status,
        (await get(`${stack.queryUrl}/api/stats`, analyst)).status,
      );
      const progress = await get(`${stack.queryUrl}/api/projections/payments/rebuilds/${started.body.id}`, analyst);
      return progress.body.status === 'done' || progress.body.status === 'failed' ? progress.body : undefined;
    }, 60_000);
    expect(done).toMatchObject({ status: 'done', error: null });
    expect(done.eventsDone).toBe(done.eventsTotal);
    expect(answered.every((s) => s === 200)).toBe(true);
    expect(await snapshot()).toEqual(before);
  });
});

describe('WebSocket stream', () => {
  it('a client disconnected while hundreds of payments happen resumes with since and receives each change once, in order', async () => {
    const viewer = await token('viewer');
    const first = new StreamTestClient(stack.queryUrl, viewer);
    await first.opened;
    await eventually(async () => (first.messages.length > 0 ? true : undefined));
    const since = first.lastPosition;
    await first.close();

    await submitPayments(300);
    await quiet();

    const resumed = new StreamTestClient(stack.queryUrl, viewer, since);
    await resumed.opened;
    const { rows } = await stack.db.pool.query<{ position: number }>(
      'select position from feed.changes where position > $1 order by position',
      [since],
    );
    const expected = rows.map((r) => r.position);
    expect(expected.length).toBeGreaterThanOrEqual(300);
    await eventually(async () => (resumed.updates.length >= expected.length ? true : undefined), 30_000, 'all changes after since');
    expect(resumed.updates.map((m) => m.position)).toEqual(expected);
    expect(resumed.messages[0]).toEqual({ type: 'hello', position: since });
    await resumed.close();
  });

  it('a merchant stream carries only that merchant payments, and a bad token cannot connect', async () => {
    const merchant = new StreamTestClient(stack.queryUrl, await token('merchant-M123'), 0);
    await merchant.opened;
    await eventually(async () => (merchant.updates.length > 50 ? true : undefined));
    expect(merchant.updates.every((m) => (m.payment as unknown as { merchantId: string }).merchantId === 'M123')).toBe(true);
    await merchant.close();
    const bad = new StreamTestClient(stack.queryUrl, 'not-a-token');
    await expect(bad.opened).rejects.toThrow(/401/);
  });

  it('a client that stops reading does not delay delivery to the others', async () => {
    const viewer = await token('viewer');
    const slow = new StreamTestClient(stack.queryUrl, viewer);
    const fast = new StreamTestClient(stack.queryUrl, viewer);
    await Promise.all([slow.opened, fast.opened]);
    await eventually(async () => (slow.messages.length > 0 && fast.messages.length > 0 ? true : undefined));
    slow.pauseReading();
    const since = fast.lastPosition;
    await submitPayments(300);
    await quiet();
    const { rows } = await stack.db.pool.query<{ position: number }>(
      'select position from feed.changes where position > $1 order by position',
      [since],
    );
    await eventually(async () => (fast.updates.length >= rows.length ? true : undefined), 30_000, 'fast client gets everything');
    expect(fast.updates.map((m) => m.position)).toEqual(rows.map((r) => r.position));
    await Promise.all([slow.close(), fast.close()]);
  });
});

describe('history', () => {
  it('the as-of view of a declined payment, between flag and decline, shows REVIEW', async () => {
    const merchant = await token('merchant-M123');
    const analyst = await token('analyst');
    const res = await post(`${stack.commandUrl}/api/payments`, merchant, { merchantId: 'M123', amount: 50000, currency: 'INR' });
    const id = res.body.paymentId as string;
    await eventually(async () =>
      (await get(`${stack.queryUrl}/api/payments/${id}`, analyst)).body.status === 'REVIEW' ? true : undefined,
    );
    await new Promise((r) => setTimeout(r, 20));
    const declined = await post(`${stack.commandUrl}/api/payments/${id}/decline`, analyst, { reason: 'velocity' });
    expect(declined.status).toBe(200);
    const events = await get(`${stack.queryUrl}/api/payments/${id}/events`, analyst);
    const items = events.body.items as { type: string; occurredAt: string; metadata: { actor: string } }[];
    expect(items.map((e) => e.type)).toEqual(['PaymentRequested', 'PaymentFlaggedForReview', 'PaymentDeclined']);
    const flaggedAt = Date.parse(items[1]?.occurredAt as string);
    const declinedAt = Date.parse(items[2]?.occurredAt as string);
    expect(declinedAt).toBeGreaterThan(flaggedAt);
    const between = new Date(Math.floor((flaggedAt + declinedAt) / 2)).toISOString();
    const asOf = await get(`${stack.queryUrl}/api/payments/${id}?asOf=${between}`, analyst);
    expect(asOf.body).toMatchObject({ paymentId: id, status: 'REVIEW' });
    const now = await get(`${stack.queryUrl}/api/payments/${id}?minPosition=${declined.body.position}`, analyst);
    expect(now.body).toMatchObject({ status: 'DECLINED', reviewReason: 'velocity' });
    const before = await get(
      `${stack.queryUrl}/api/payments/${id}?asOf=${new Date(Date.parse(items[0]?.occurredAt as string) - 1000).toISOString()}`,
      analyst,
    );
    expect(before.status).toBe(404);
    // another merchant's payment is a 404, never a 403
    expect((await get(`${stack.queryUrl}/api/payments/${id}`, await token('merchant-M456'))).status).toBe(404);
    expect((await get(`${stack.queryUrl}/api/payments/${id}/events`, await token('merchant-M456'))).status).toBe(404);
  });

  it('the payments list pages with a stable cursor while new payments arrive', async () => {
    const viewer = await token('viewer');
    const page1 = await get(`${stack.queryUrl}/api/payments?limit=25`, viewer);
    await submitPayments(10, 2);
    const page2 = await get(`${stack.queryUrl}/api/payments?limit=25&cursor=${page1.body.nextCursor}`, viewer);
    const all = await stack.db.pool.query<{ payment_id: string }>(
      'select payment_id from read.payments order by created_at desc, payment_id desc',
    );
    const ids = all.rows.map((r) => r.payment_id);
    const last1 = (page1.body.items as { paymentId: string }[]).at(-1)?.paymentId as string;
    const start = ids.indexOf(last1) + 1;
    expect((page2.body.items as { paymentId: string }[]).map((p) => p.paymentId)).toEqual(ids.slice(start, start + 25));
  });

  it('analysts stream the history as NDJSON', async () => {
    const res = await fetch(`${stack.queryUrl}/api/events?type=PaymentDeclined`, {
      headers: { authorization: `Bearer ${await token('analyst')}` },
    });
    expect(res.headers.get('content-type')).toContain('application/x-ndjson');
    const lines = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; position: number });
    const { rows } = await stack.db.pool.query(`select count(*)::int as n from es.events where type = 'PaymentDeclined'`);
    expect(lines).toHaveLength(rows[0].n);
    expect(lines.every((e) => e.type === 'PaymentDeclined')).toBe(true);
    expect((await get(`${stack.queryUrl}/api/events`, await token('viewer'))).status).toBe(403);
  });
});
