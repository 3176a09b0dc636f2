// A relay that dies by SIGKILL right after Kafka acknowledged its first batch and before it deletes the
// rows: the crash the outbox must survive. Run as a child process by outbox-delivery.int.spec.ts.
import { createKafka, reliableProducerConfig } from '@payments/runtime/kafka';
import { createLogger } from '@payments/runtime/logger';
import { OutboxRelay } from '@payments/runtime/outbox-relay';
import { createPool } from '@payments/runtime/pg';

const logger = createLogger('crashing-relay', 'warn');
const pool = createPool(process.env.DATABASE_URL as string, { max: 2 });
const producer = createKafka({ brokers: (process.env.KAFKA_BROKERS as string).split(','), clientId: 'crashing-relay', logger }).producer(
  reliableProducerConfig(),
);
await producer.connect();
const relay = new OutboxRelay({
  pool,
  producer,
  logger,
  afterPublish: (rows) => {
    process.stdout.write(`published ${rows}\n`);
    process.kill(process.pid, 'SIGKILL');
  },
});
await relay.relayBatch();
