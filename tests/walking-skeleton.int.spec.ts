// The original system's two requests, end to end through HTTP, PostgreSQL, Kafka, the authorizer, the
// projector and the query API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, get, post, type Stack, startStack } from './support/stack.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

describe('a payment end to end', () => {
  it('5000 INR becomes AUTHORIZED and 15000 INR becomes REVIEW on the query API', async () => {
    const merchant = await stack.token('merchant-M123');
    const small = await post(`${stack.commandUrl}/api/payments`, merchant, { merchantId: 'M123', amount: 5000, currency: 'INR' });
    const large = await post(`${stack.commandUrl}/api/payments`, merchant, { merchantId: 'M123', amount: 15000, currency: 'INR' });
    expect(small.status).toBe(202);
    expect(small.body).toMatchObject({ status: 'PENDING', amount: '5000.00', amountMinor: 500000, currency: 'INR' });
    expect(small.headers.get('location')).toContain(`/api/payments/${small.body.paymentId}`);
    expect(large.status).toBe(202);

    const viewer = await stack.token('viewer');
    const statusOf = (id: unknown) =>
      eventually(async () => {
        const res = await get(`${stack.queryUrl}/api/payments/${id}`, viewer);
        return res.status === 200 && res.body.status !== 'PENDING' ? res.body : undefined;
      });
    expect(await statusOf(small.body.paymentId)).toMatchObject({ status: 'AUTHORIZED', merchantId: 'M123', amount: '5000.00' });
    const review = await statusOf(large.body.paymentId);
    expect(review).toMatchObject({ status: 'REVIEW', decision: { ruleId: 'amount-threshold', ruleSetVersion: 1 } });
  });

  it('an analyst approves a payment under review and the read model follows', async () => {
    const merchant = await stack.token('merchant-M123');
    const analyst = await stack.token('analyst');
    const created = await post(`${stack.commandUrl}/api/payments`, merchant, { merchantId: 'M123', amount: '25000.50', currency: 'INR' });
    const id = created.body.paymentId;
    await eventually(async () =>
      (await get(`${stack.queryUrl}/api/payments/${id}`, analyst)).body.status === 'REVIEW' ? true : undefined,
    );
    const approved = await post(`${stack.commandUrl}/api/payments/${id}/approve`, analyst, { reason: 'known customer' });
    expect(approved.status).toBe(200);
    const view = await get(`${stack.queryUrl}/api/payments/${id}?minPosition=${approved.body.position}`, analyst);
    expect(view.body).toMatchObject({ status: 'APPROVED', reviewer: 'analyst', reviewReason: 'known customer' });
  });

  it('a projector whose stored offsets lie past a recreated topic still projects new payments', async () => {
    // PostgreSQL kept its offsets while Kafka's storage was wiped: the stored offsets are past the end
    await stack.db.pool.query(
      `insert into read.kafka_offsets (consumer_group, topic, partition, next_offset)
       select $1, $2, p, 1000000 from generate_series(0, 5) p
       on conflict (consumer_group, topic, partition) do update set next_offset = excluded.next_offset`,
      [stack.env.PROJECTOR_GROUP_ID, stack.env.EVENTS_TOPIC],
    );
    const merchant = await stack.token('merchant-M456');
    const created = await post(`${stack.commandUrl}/api/payments`, merchant, { merchantId: 'M456', amount: 42, currency: 'EUR' });
    const viewer = await stack.token('viewer');
    await eventually(async () => {
      const res = await get(`${stack.queryUrl}/api/payments/${created.body.paymentId}`, viewer);
      return res.body.status === 'AUTHORIZED' ? true : undefined;
    });
  });
});
