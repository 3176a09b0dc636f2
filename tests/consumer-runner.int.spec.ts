// The consumer runner on a real broker: a fetch's partitions reach the handler together, and a consumer that
// kafkajs gives up on (a non-retriable crash, which kafkajs never restarts by itself) is started again.
import { randomUUID } from 'node:crypto';
import { ConsumerRunner, createKafka, ensureTopics, type PartitionBatch, reliableProducerConfig } from '@payments/runtime/kafka';
import { OutboxRelay } from '@payments/runtime/outbox-relay';
import { EventStore } from '@payments/runtime/pg';
import { KafkaJSNonRetriableError } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, eventually, kafkaBrokers, logger, type TestDatabase } from './support/stack.ts';

let db: TestDatabase;
const id = randomUUID().slice(0, 8);
const topics = { eventsTopic: `test.${id}.runner.events`, dlqTopic: `test.${id}.runner.dlq` };
const kafka = createKafka({ brokers: kafkaBrokers, clientId: 'test-runner', logger });

/** Appends `count` new payments and relays them to the test topic: real events, in the real wire format. */
async function publishPayments(count: number): Promise<string[]> {
  const store = new EventStore({ topic: topics.eventsTopic });
  const ids = Array.from({ length: count }, () => randomUUID());
  await store.appendMany(
    db.pool,
    ids.map((paymentId, i) => ({
      streamId: paymentId,
      expectedVersion: 0,
      events: [
        {
          type: 'PaymentRequested',
          data: { paymentId, merchantId: 'M123', amountMinor: 100 + i, currency: 'EUR', reference: null },
        },
      ],
      metadata: { correlationId: paymentId, actor: 'merchant:M123' },
      occurredAt: new Date(),
    })),
  );
  const producer = kafka.producer(reliableProducerConfig());
  await producer.connect();
  try {
    await new OutboxRelay({ pool: db.pool, producer, logger }).relayBatch();
  } finally {
    await producer.disconnect();
  }
  return ids;
}

beforeAll(async () => {
  db = await createTestDatabase();
  await ensureTopics(kafka, topics);
});
afterAll(async () => {
  await db?.drop();
});

describe('consumer runner', () => {
  it('hands the partitions of a fetch to one handler call, and starts a consumer again after kafkajs gave up on it', async () => {
    const ids = await publishPayments(30);
    const calls: PartitionBatch[][] = [];
    let crashed = false;
    const runner = new ConsumerRunner({
      kafka,
      groupId: `test.${id}.runner`,
      topic: topics.eventsTopic,
      dlqTopic: topics.dlqTopic,
      logger,
      maxWaitMs: 100,
      minBytes: 1,
      handle: async (batches) => {
        if (!crashed) {
          crashed = true;
          throw new KafkaJSNonRetriableError('a permanent failure, as kafkajs sees it');
        }
        calls.push(batches);
        return [];
      },
    });
    await runner.start();
    try {
      const seen = await eventually(
        async () => {
          const streams = new Set(calls.flat().flatMap((b) => b.events.map((e) => e.event.streamId)));
          return ids.every((i) => streams.has(i)) ? streams : undefined;
        },
        30_000,
        'every payment handled after the restart',
      );
      expect(seen.size).toBe(30);
      expect(crashed).toBe(true);
      // 30 keys over 6 partitions, all there before the consumer started: some call carried several partitions
      expect(Math.max(...calls.map((c) => c.length))).toBeGreaterThan(1);
    } finally {
      await runner.stop();
    }
  });
});
