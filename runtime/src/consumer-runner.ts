// Runs a Kafka consumer group over payment events the way every consumer here needs it (after PostHog's
// ingestion consumer): eachBatch without auto-resolve; messages decoded and validated against the event
// schema; undecodable ones, and those the handler rejects, go to the dead-letter topic with the reason and
// the original headers and are marked done; other errors are rethrown so kafkajs retries the batch. Offsets
// are resolved and committed only after the handler (and the DLQ write) succeeded.
import { type PaymentEvent, PaymentEventSchema, type RecordedEvent } from '@payments/schemas';
import type { Consumer, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { Compile } from 'typebox/compile';
import type { Logger } from './logger.ts';
import { Counter, Gauge, type Registry } from './metrics.ts';
import { relayProducerConfig } from './outbox-relay.ts';

const checkEvent = Compile(PaymentEventSchema);

export type ConsumedEvent = { event: RecordedEvent; offset: string; message: KafkaMessage };
export type Rejected = { message: KafkaMessage; reason: string };
export type BatchContext = { topic: string; partition: number; groupId: string; highWatermark: string };
/** Returns the events it could not process for a permanent reason; they go to the DLQ. */
export type BatchHandler = (events: ConsumedEvent[], context: BatchContext) => Promise<Rejected[] | undefined>;

export type ConsumerRunnerOptions = {
  kafka: Kafka;
  groupId: string;
  topic: string;
  dlqTopic: string;
  logger: Logger;
  handle: BatchHandler;
  /** Largest slice of a fetched batch handed to the handler at once. */
  maxBatch?: number;
  onProcessed?: (count: number, context: BatchContext, lastOffset: string) => void;
  /** Where events processed, dead letters and consumer lag are reported. */
  registry?: Registry;
};

export function decodeEvent(message: KafkaMessage): { event: RecordedEvent } | { reason: string } {
  if (!message.value) return { reason: 'empty message' };
  let value: unknown;
  try {
    value = JSON.parse(message.value.toString('utf8'));
  } catch {
    return { reason: 'value is not JSON' };
  }
  if (!checkEvent.Check(value)) {
    const first = [...checkEvent.Errors(value)][0];
    return { reason: `not a payment event: ${first?.instancePath || '/'} ${first?.message ?? 'invalid'}` };
  }
  const event = value as PaymentEvent;
  if (event.position === undefined) return { reason: 'event has no position' };
  return { event: event as RecordedEvent };
}

export class ConsumerRunner {
  private readonly options: ConsumerRunnerOptions;
  private readonly consumer: Consumer;
  private readonly dlq: Producer;
  private readonly log: Logger;
  private readonly processed: Counter | null;
  private readonly deadLettered: Counter | null;
  private readonly lag: Gauge | null;

  constructor(options: ConsumerRunnerOptions) {
    this.options = options;
    const registers = options.registry ? [options.registry] : [];
    const labelNames = ['group', 'partition'] as const;
    this.processed = options.registry
      ? new Counter({ name: 'consumer_events_processed_total', help: 'Kafka messages processed', labelNames, registers })
      : null;
    this.deadLettered = options.registry
      ? new Counter({ name: 'consumer_dead_letters_total', help: 'messages sent to the DLQ', labelNames, registers })
      : null;
    this.lag = options.registry
      ? new Gauge({ name: 'consumer_lag_messages', help: 'messages behind the partition high watermark', labelNames, registers })
      : null;
    this.log = options.logger.child({ component: 'consumer', groupId: options.groupId, topic: options.topic });
    this.consumer = options.kafka.consumer({
      groupId: options.groupId,
      allowAutoTopicCreation: false,
      // a member that died (SIGKILL) is noticed within 10 s and its partitions move on; a clean stop leaves
      // the group at once
      sessionTimeout: 10_000,
      rebalanceTimeout: 15_000,
      heartbeatInterval: 1_000,
      // an idle fetch waits this long at the broker; data is returned as soon as it arrives
      maxWaitTimeInMs: 500,
      retry: { retries: 10 },
    });
    this.dlq = options.kafka.producer(relayProducerConfig());
    const { GROUP_JOIN, CRASH, DISCONNECT } = this.consumer.events;
    this.consumer.on(GROUP_JOIN, (e) =>
      this.log.info({ memberId: e.payload.memberId, assigned: e.payload.memberAssignment }, 'joined group'),
    );
    this.consumer.on(CRASH, (e) => this.log.error({ err: e.payload.error, restart: e.payload.restart }, 'consumer crashed'));
    this.consumer.on(DISCONNECT, () => this.log.info('consumer disconnected'));
  }

  async start(): Promise<void> {
    await this.dlq.connect();
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.options.topic, fromBeginning: true });
    await this.consumer.run({
      eachBatchAutoResolve: false,
      // committing to Kafka after every batch costs the broker a request per partition per fetch; the
      // effect is exactly once anyway (PostgreSQL offsets, stream versions), so commit at most every second
      autoCommitInterval: 1000,
      // one partition at a time: measured, concurrent partitions made kafkajs fetch so often that the broker
      // used three times the CPU per payment (docs/PERFORMANCE.md)
      partitionsConsumedConcurrently: 1,
      eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }) => {
        const context: BatchContext = {
          topic: batch.topic,
          partition: batch.partition,
          groupId: this.options.groupId,
          highWatermark: batch.highWatermark,
        };
        const max = this.options.maxBatch ?? 1000;
        for (let start = 0; start < batch.messages.length; start += max) {
          if (!isRunning() || isStale()) return;
          const slice = batch.messages.slice(start, start + max);
          const events: ConsumedEvent[] = [];
          const rejected: Rejected[] = [];
          for (const message of slice) {
            const decoded = decodeEvent(message);
            if ('event' in decoded) events.push({ event: decoded.event, offset: message.offset, message });
            else rejected.push({ message, reason: decoded.reason });
          }
          if (events.length) rejected.push(...((await this.options.handle(events, context)) ?? []));
          if (rejected.length) await this.sendToDlq(rejected, context);
          const last = slice[slice.length - 1];
          if (last) {
            resolveOffset(last.offset);
            const labels = { group: context.groupId, partition: String(context.partition) };
            this.processed?.inc(labels, slice.length);
            this.deadLettered?.inc(labels, rejected.length);
            this.lag?.set(labels, Math.max(0, Number(batch.highWatermark) - Number(last.offset) - 1));
            this.options.onProcessed?.(slice.length, context, last.offset);
          }
          await commitOffsetsIfNecessary();
          await heartbeat();
        }
      },
    });
  }

  private async sendToDlq(rejected: Rejected[], context: BatchContext): Promise<void> {
    for (const r of rejected) {
      this.log.warn({ partition: context.partition, offset: r.message.offset, reason: r.reason }, 'message sent to DLQ');
    }
    await this.dlq.send({
      topic: this.options.dlqTopic,
      acks: -1,
      messages: rejected.map(({ message, reason }) => ({
        key: message.key,
        value: message.value,
        headers: {
          ...message.headers,
          'dlq-reason': reason,
          'dlq-source-topic': context.topic,
          'dlq-source-partition': String(context.partition),
          'dlq-source-offset': message.offset,
          'dlq-consumer-group': context.groupId,
        },
      })),
    });
  }

  /** Stops fetching, lets the running batch finish and commit, then leaves the group. */
  async stop(): Promise<void> {
    await this.consumer.disconnect();
    await this.dlq.disconnect();
  }
}
