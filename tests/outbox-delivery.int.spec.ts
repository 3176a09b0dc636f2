// At-least-once delivery with an exactly-once effect: a relay killed between publishing and marking sent
// makes Kafka carry duplicates, yet every payment gets one decision and one read-model row. And a message
// nobody can decode goes to the dead-letter topic while the authorizer keeps deciding.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createKafka, reliableProducerConfig } from '@payments/runtime/kafka';
import { OutboxRelay, RELAY_LOCK } from '@payments/runtime/outbox-relay';
import { EventStore, OUTBOX_CHANNEL } from '@payments/runtime/pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, get, kafkaBrokers, logger, post, type Stack, startStack } from './support/stack.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ env: { RELAY_ENABLED: 'false' } });
});
afterAll(async () => {
  await stack?.stop();
});

const kafka = () => createKafka({ brokers: kafkaBrokers, clientId: 'test', logger });

async function topicMessageCount(topic: string): Promise<number> {
  const admin = kafka().admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
}

describe('outbox delivery', () => {
  it('a relay killed after publishing but before marking sent causes duplicates in Kafka and no double effect', async () => {
    const token = await stack.token('merchant-M456');
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await post(`${stack.commandUrl}/api/payments`, token, {
        merchantId: 'M456',
        amount: i % 4 === 0 ? 20000 : 100 + i,
        currency: 'EUR',
      });
      expect(res.status).toBe(202);
      ids.push(res.body.paymentId as string);
    }
    const child = spawn(process.execPath, [join(import.meta.dirname, 'support', 'crashing-relay.ts')], {
      env: { ...process.env, ...stack.env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    const signal = await new Promise((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
    expect(signal).toBe('SIGKILL');
    expect(out).toContain('published 20');
    const { rows: left } = await stack.db.pool.query('select count(*)::int as n from es.outbox');
    expect(left[0].n).toBe(20); // published, yet still waiting: the crash came before the delete

    const producer = kafka().producer(reliableProducerConfig());
    await producer.connect();
    const relay = new OutboxRelay({ pool: stack.db.pool, producer, logger });
    await relay.start();
    try {
      const viewer = await stack.token('viewer');
      await eventually(
        async () => {
          const { rows } = await stack.db.pool.query(`select count(*)::int as n from read.payments where status <> 'PENDING'`);
          return rows[0].n === 20 ? true : undefined;
        },
        30_000,
        'all 20 payments decided in the read model',
      );
      const { rows: decisions } = await stack.db.pool.query(
        `select stream_id, count(*)::int as n from es.events where type in ('PaymentAuthorized', 'PaymentFlaggedForReview') group by stream_id`,
      );
      expect(decisions).toHaveLength(20);
      expect(decisions.every((d) => d.n === 1)).toBe(true);
      const { rows: readRows } = await stack.db.pool.query('select count(*)::int as n from read.payments');
      expect(readRows[0].n).toBe(20);
      // 20 requests published twice, plus 20 decisions at least once
      expect(await topicMessageCount(stack.env.EVENTS_TOPIC as string)).toBeGreaterThanOrEqual(60);
      const stats = await get(`${stack.queryUrl}/api/stats`, viewer);
      expect(stats.body.total).toBe(20);
      expect(stats.body.byStatus).toMatchObject({ PENDING: 0, AUTHORIZED: 15, REVIEW: 5 });
    } finally {
      await relay.stop();
      await producer.disconnect();
    }
  });

  it('one relay publishes at a time: another stands by while the relay lock is held, then takes over', async () => {
    const token = await stack.token('merchant-M456');
    const res = await post(`${stack.commandUrl}/api/payments`, token, { merchantId: 'M456', amount: 250, currency: 'EUR' });
    expect(res.status).toBe(202);
    const producer = kafka().producer(reliableProducerConfig());
    await producer.connect();
    const holder = await stack.db.pool.connect();
    try {
      await holder.query('select pg_advisory_lock($1)', [RELAY_LOCK]); // an active relay elsewhere
      const standby = new OutboxRelay({ pool: stack.db.pool, producer, logger });
      expect(await standby.relayBatch()).toBe(0);
      const { rows } = await stack.db.pool.query('select count(*)::int as n from es.outbox');
      expect(rows[0].n).toBe(1);
      await holder.query('select pg_advisory_unlock($1)', [RELAY_LOCK]);
      expect(await standby.relayBatch()).toBe(1);
    } finally {
      holder.release();
      await producer.disconnect();
    }
  });

  it('a garbage message lands in the DLQ with its reason and the authorizer keeps deciding', async () => {
    const producer = kafka().producer();
    await producer.connect();
    await producer.send({
      topic: stack.env.EVENTS_TOPIC as string,
      messages: [
        { key: 'garbage-1', value: '{"this is": not json', headers: { origin: 'test' } },
        { key: 'garbage-2', value: JSON.stringify({ type: 'PaymentRequested', data: { amount: 'lots' } }) },
      ],
    });
    await producer.disconnect();

    const dlq: { reason: string; origin?: string }[] = [];
    const consumer = kafka().consumer({ groupId: `dlq-reader-${Date.now()}` });
    await consumer.connect();
    await consumer.subscribe({ topic: stack.env.DLQ_TOPIC as string, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        dlq.push({ reason: String(message.headers?.['dlq-reason']), origin: message.headers?.origin?.toString() });
      },
    });
    try {
      // the authorizer and the projector each dead-letter both messages
      await eventually(async () => (dlq.length >= 4 ? true : undefined), 30_000, 'four DLQ messages');
      expect(dlq.some((m) => m.reason === 'value is not JSON' && m.origin === 'test')).toBe(true);
      expect(dlq.some((m) => m.reason.startsWith('not a payment event'))).toBe(true);

      // and decisions go on: a payment made now is decided (this file runs its relay in the test)
      const token = await stack.token('merchant-M456');
      const res = await post(`${stack.commandUrl}/api/payments`, token, { merchantId: 'M456', amount: 5, currency: 'EUR' });
      const relayProducer = kafka().producer(reliableProducerConfig());
      await relayProducer.connect();
      const relay = new OutboxRelay({ pool: stack.db.pool, producer: relayProducer, logger });
      await relay.start();
      try {
        const viewer = await stack.token('viewer');
        const decided = await eventually(async () => {
          const r = await get(`${stack.queryUrl}/api/payments/${res.body.paymentId}`, viewer);
          return r.body.status === 'AUTHORIZED' ? r.body : undefined;
        });
        expect(decided.status).toBe('AUTHORIZED');
      } finally {
        await relay.stop();
        await relayProducer.disconnect();
      }
    } finally {
      await consumer.disconnect();
    }
  });

  it('a relay is woken after each commit: directly by its own process, by NOTIFY from the other writers', async () => {
    const producer = kafka().producer(reliableProducerConfig());
    await producer.connect();
    const admin = kafka().admin();
    await admin.connect();
    const topic = `test.relay-wake.${randomUUID().slice(0, 8)}`;
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    // no poll to fall back on within the test: only wake-ups move rows
    const relay = new OutboxRelay({ pool: stack.db.pool, producer, logger, pollIntervalMs: 600_000 });
    const listener = await stack.db.pool.connect();
    const heard: string[] = [];
    listener.on('notification', (n) => heard.push(n.channel));
    await listener.query(`listen ${OUTBOX_CHANNEL}`);
    const outboxEmpty = async () => {
      const { rows } = await stack.db.pool.query('select count(*)::int as n from es.outbox');
      return rows[0].n === 0 ? true : undefined;
    };
    try {
      await relay.start();
      await eventually(outboxEmpty, 10_000, "the relay's first batch");

      // appended and committed in the relay's own process: woken directly, no NOTIFY through PostgreSQL
      const paymentId = randomUUID();
      await new EventStore({ topic }).append(stack.db.pool, {
        streamId: paymentId,
        expectedVersion: 0,
        events: [{ type: 'PaymentRequested', data: { paymentId, merchantId: 'M456', amountMinor: 100, currency: 'EUR', reference: null } }],
        metadata: { correlationId: paymentId, actor: 'merchant:M456' },
        occurredAt: new Date(),
      });
      relay.rowsCommitted();
      await eventually(outboxEmpty, 10_000, 'the row appended in this process published');
      expect(heard).toEqual([]);
      expect(await topicMessageCount(topic)).toBe(1);

      // the command API (its relay disabled in this stack) and then the authorizer commit in other
      // processes: each wakes this relay by NOTIFY once its transaction committed
      const token = await stack.token('merchant-M456');
      const res = await post(`${stack.commandUrl}/api/payments`, token, { merchantId: 'M456', amount: 7, currency: 'EUR' });
      expect(res.status).toBe(202);
      const viewer = await stack.token('viewer');
      await eventually(
        async () => {
          const r = await get(`${stack.queryUrl}/api/payments/${res.body.paymentId}`, viewer);
          return r.body.status === 'AUTHORIZED' ? true : undefined;
        },
        30_000,
        'the payment published, decided, its decision published and projected',
      );
      expect(heard.length).toBeGreaterThanOrEqual(2);
    } finally {
      await relay.stop();
      await listener.query(`unlisten ${OUTBOX_CHANNEL}`);
      listener.release();
      await producer.disconnect();
    }
  });
});
