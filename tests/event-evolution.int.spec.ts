// Events that evolve: a store and a topic holding PaymentDeclined v1 (written before the reason code existed,
// exactly as the golden fixtures show) beside v2 (written through the API today). Every reader takes both:
// the live projector and authorizer (Kafka), the command side and the as-of view (readStream), the history
// export and the rebuild (es.events). A rebuild over v1 alone, and again over v1 and v2, equals the live
// read models row for row.
import { randomUUID } from 'node:crypto';
import { wakeRelays } from '@payments/runtime/pg';
import type { PaymentEventType } from '@payments/schemas';
import { publishedFixture, storedFixture } from '@payments/schemas/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, get, post, type Stack, startStack } from './support/stack.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

// The fixtures come from three payments; each inserted history moves them all to one new payment.
const FIXTURE_STREAMS = [
  ...new Set((['PaymentRequested', 'PaymentFlaggedForReview', 'PaymentDeclined'] as const).map((t) => storedFixture(t).stream_id)),
];

/**
 * Writes a v1 history as the v1 code did: each fixture row into es.events and its published message into
 * es.outbox, re-addressed to a new payment, for the relay to publish.
 */
async function insertV1History(types: readonly PaymentEventType[]): Promise<string> {
  const paymentId = randomUUID();
  const readdress = (text: string, eventId: string, fixtureEventId: string) =>
    FIXTURE_STREAMS.reduce((t, id) => t.replaceAll(id, paymentId), text).replaceAll(fixtureEventId, eventId);
  for (const type of types) {
    const row = storedFixture(type);
    const eventId = randomUUID();
    const stored = JSON.parse(readdress(JSON.stringify(row), eventId, row.event_id)) as typeof row;
    const { rows } = await stack.db.pool.query<{ position: number }>(
      `insert into es.events (event_id, stream_id, stream_version, type, schema_version, data, metadata, occurred_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8) returning position`,
      [eventId, paymentId, stored.stream_version, stored.type, stored.schema_version, stored.data, stored.metadata, stored.occurred_at],
    );
    const position = rows[0]?.position as number;
    const published = JSON.parse(readdress(JSON.stringify(publishedFixture(type)), eventId, row.event_id)) as ReturnType<
      typeof publishedFixture
    >;
    const value = { ...(JSON.parse(published.value) as object), position };
    await stack.db.pool.query(`insert into es.outbox (event_position, topic, message_key, payload, headers) values ($1, $2, $3, $4, $5)`, [
      position,
      stack.env.EVENTS_TOPIC,
      published.key,
      JSON.stringify(value),
      published.headers,
    ]);
  }
  await wakeRelays(stack.db.pool);
  return paymentId;
}

/** Until the live read model reflects every stored event and the relay published everything. */
async function quiet(): Promise<void> {
  await eventually(
    async () => {
      const { rows } = await stack.db.pool.query<{ lag: number; outbox: number }>(
        `select (select count(*) from es.events)::int8 - coalesce((select sum(version) from read.payments), 0)::int8 as lag,
                (select count(*) from es.outbox)::int as outbox`,
      );
      return rows[0]?.lag === 0 && rows[0]?.outbox === 0 ? true : undefined;
    },
    30_000,
    'the read model to catch up',
  );
}

/** Every read-model table, row by row, in a stable order. */
const readModels = async (): Promise<Record<string, Record<string, unknown>[]>> =>
  Object.fromEntries(
    await Promise.all(
      ['payments order by payment_id', 'merchant_stats order by 1, 2, 3', 'series order by 1, 2, 3'].map(async (t) => [
        t.split(' ')[0],
        (await stack.db.pool.query(`select * from read.${t}`)).rows,
      ]),
    ),
  );

async function rebuild(): Promise<void> {
  const analyst = await stack.token('analyst');
  const started = await post(`${stack.queryUrl}/api/projections/payments/rebuild`, analyst, {});
  expect(started.status).toBe(202);
  const done = await eventually(async () => {
    const progress = await get(`${stack.queryUrl}/api/projections/payments/rebuilds/${started.body.id}`, analyst);
    return progress.body.status === 'done' || progress.body.status === 'failed' ? progress.body : undefined;
  }, 60_000);
  expect(done).toMatchObject({ status: 'done', error: null });
}

async function historyExport(): Promise<{ streamId: string; type: string; schemaVersion: number; data: Record<string, unknown> }[]> {
  const res = await fetch(`${stack.queryUrl}/api/events?type=PaymentDeclined`, {
    headers: { authorization: `Bearer ${await stack.token('analyst')}` },
  });
  expect(res.status).toBe(200);
  return (await res.text())
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

describe('PaymentDeclined v1 in the store beside v2', () => {
  let declinedV1 = '';
  let flaggedV1 = '';

  it('v1 histories as stored project live, and a rebuild over them equals the live read models row for row', async () => {
    await insertV1History(['PaymentRequested', 'PaymentAuthorized']);
    declinedV1 = await insertV1History(['PaymentRequested', 'PaymentFlaggedForReview', 'PaymentDeclined']);
    flaggedV1 = await insertV1History(['PaymentRequested', 'PaymentFlaggedForReview']);
    await quiet();
    const live = await readModels();
    expect(live.payments?.find((p) => p.payment_id === declinedV1)).toMatchObject({
      status: 'DECLINED',
      review_reason: 'card reported stolen',
    });
    await rebuild();
    expect(await readModels()).toEqual(live);
  });

  it('new declines are written as v2 with their reason code, also on a v1 history; a rebuild over v1 and v2 equals the live read models', async () => {
    const merchant = await stack.token('merchant-M123');
    const analyst = await stack.token('analyst');
    const inReview = async () => {
      const res = await post(`${stack.commandUrl}/api/payments`, merchant, { merchantId: 'M123', amount: 20000, currency: 'INR' });
      expect(res.status).toBe(202);
      return res.body.paymentId as string;
    };
    const decline = (id: string, body: object) =>
      eventually(async () => {
        const res = await post(`${stack.commandUrl}/api/payments/${id}/decline`, analyst, body);
        return res.status === 200 ? res : undefined; // 409 until the authorizer flagged it
      });
    const fraud = await inReview();
    const unstated = await inReview();
    await decline(fraud, { reason: 'card testing pattern', reasonCode: 'fraud' });
    await decline(unstated, {});
    // the command side folds a v1 history and appends a v2 decline to it
    await decline(flaggedV1, { reasonCode: 'customer_request' });
    const approveBadCode = await post(`${stack.commandUrl}/api/payments/${fraud}/approve`, analyst, { reasonCode: 'fraud' });
    expect(approveBadCode.status).toBe(400);

    const { rows } = await stack.db.pool.query<{ stream_id: string; schema_version: number }>(
      `select stream_id::text, schema_version from es.events where type = 'PaymentDeclined' order by position`,
    );
    expect(rows).toEqual([
      { stream_id: declinedV1, schema_version: 1 },
      { stream_id: fraud, schema_version: 2 },
      { stream_id: unstated, schema_version: 2 },
      { stream_id: flaggedV1, schema_version: 2 },
    ]);

    await quiet();
    const live = await readModels();
    for (const id of [declinedV1, fraud, unstated, flaggedV1]) {
      expect(live.payments?.find((p) => p.payment_id === id)?.status, id).toBe('DECLINED');
    }
    await rebuild();
    expect(await readModels()).toEqual(live);
  });

  it('the history export gives every decline in its current shape: v1 ones with the reason code `unspecified`', async () => {
    const codes = Object.fromEntries((await historyExport()).map((e) => [e.streamId, [e.schemaVersion, e.data.reasonCode]]));
    expect(Object.values(codes).every(([version]) => version === 2)).toBe(true);
    expect(codes[declinedV1]).toEqual([2, 'unspecified']);
    expect(codes[flaggedV1]).toEqual([2, 'customer_request']);
  });

  it('the as-of view and the event list read a v1 history', async () => {
    const analyst = await stack.token('analyst');
    const events = await get(`${stack.queryUrl}/api/payments/${declinedV1}/events`, analyst);
    expect(events.status).toBe(200);
    const items = events.body.items as { type: string }[];
    expect(items.map((e) => e.type)).toEqual(['PaymentRequested', 'PaymentFlaggedForReview', 'PaymentDeclined']);
    const asOf = await get(`${stack.queryUrl}/api/payments/${declinedV1}?asOf=${storedFixture('PaymentDeclined').occurred_at}`, analyst);
    expect(asOf.status).toBe(200);
    expect(asOf.body).toMatchObject({ status: 'DECLINED', reviewReason: 'card reported stolen' });
  });
});
