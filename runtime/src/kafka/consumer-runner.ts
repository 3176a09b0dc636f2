// Runs a Kafka consumer group over payment events the way every consumer here needs it (after PostHog's
// ingestion consumer): eachBatch without auto-resolve; messages decoded, validated and brought to the current
// shape by the upcaster chain (schemas/src/upcast.ts); undecodable ones, and those the handler rejects, go to
// the dead-letter topic with the reason and the original headers and are marked done; other errors are
// rethrown so kafkajs retries the batch. Offsets are resolved and committed only after the handler (and the
// DLQ write) succeeded.
//
// Batching, where the CPU goes (docs/PERFORMANCE.md): the partitions of a fetch, and whatever arrives while
// the handler runs, reach it in one call (SerialBatcher), so a consumer commits one PostgreSQL transaction per
// fetch or more rather than one per partition; the
// broker holds a fetch until `minBytes` arrived or `maxWaitMs` passed, so at moderate rates a fetch carries
// many events rather than one; offsets go to Kafka at most once a second (PostgreSQL state and stream
// versions make redelivery harmless), and at once when the consumer stops.
import { type RecordedEvent, UndecodableEventError, upcast } from '@payments/schemas';
import type { Consumer, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { Logger } from '../logger.ts';
import { Counter, Gauge, type Registry } from '../metrics.ts';
import { reliableProducerConfig } from './producer.ts';

export type ConsumedEvent = { event: RecordedEvent; offset: string; message: KafkaMessage };
export type Rejected = { message: KafkaMessage; reason: string };
export type BatchContext = { topic: string; partition: number; groupId: string; highWatermark: string };
/** One partition's share of a fetch. */
export type PartitionBatch = { context: BatchContext; events: ConsumedEvent[] };
/** Handles every partition of one fetch; returns the events it could not process for a permanent reason (to the DLQ). */
export type BatchHandler = (batches: PartitionBatch[]) => Promise<Rejected[] | undefined>;

export type ConsumerRunnerOptions = {
  kafka: Kafka;
  groupId: string;
  topic: string;
  dlqTopic: string;
  logger: Logger;
  handle: BatchHandler;
  /** How long the broker may hold a fetch to gather `minBytes`: the latency added at low rates, and the idle fetch period. */
  maxWaitMs: number;
  /** Bytes a fetch waits for: under load a fetch returns once this much arrived, so it carries many events. */
  minBytes: number;
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
  let event: ReturnType<typeof upcast>;
  try {
    event = upcast(value); // any version ever published, in its current shape
  } catch (error) {
    if (error instanceof UndecodableEventError) return { reason: error.message };
    throw error;
  }
  if (event.position === undefined) return { reason: 'event has no position' };
  return { event: { ...event, position: event.position } };
}

/**
 * Hands items to `handle` in batches, one call at a time: what arrives while a call runs goes into the next
 * one. So a handler never runs twice at once, and under load its calls grow by themselves, whether or not
 * kafkajs starts every partition's batch in the same tick; an item that arrives alone waits one turn of the
 * event loop for the others of its fetch. Each item's promise settles with its own share of the result.
 */
export class SerialBatcher<T, R> {
  private waiting: { item: T; resolve: (result: R | undefined) => void; reject: (error: unknown) => void }[] = [];
  private draining = false;
  private readonly handle: (items: T[]) => Promise<R[]>;

  constructor(handle: (items: T[]) => Promise<R[]>) {
    this.handle = handle;
  }

  submit(item: T): Promise<R | undefined> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (this.draining) return;
      this.draining = true;
      setImmediate(() => void this.drain());
    });
  }

  private async drain(): Promise<void> {
    while (this.waiting.length > 0) {
      const taken = this.waiting.splice(0);
      try {
        const results = await this.handle(taken.map((t) => t.item));
        for (const [i, t] of taken.entries()) t.resolve(results[i]);
      } catch (error) {
        for (const t of taken) t.reject(error);
      }
    }
    this.draining = false;
  }
}

export class ConsumerRunner {
  private readonly options: ConsumerRunnerOptions;
  private readonly consumer: Consumer;
  private readonly dlq: Producer;
  private readonly log: Logger;
  private readonly processed: Counter | null;
  private readonly deadLettered: Counter | null;
  private readonly lag: Gauge | null;
  /** Partition batches go to the handler together, one call at a time (see SerialBatcher). */
  private readonly batcher = new SerialBatcher<PartitionBatch, Rejected[]>((batches) => this.handleAll(batches));
  /** Next offset per partition, handled but perhaps not yet committed to Kafka. */
  private readonly handled = new Map<number, string>();
  private stopping = false;

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
      maxWaitTimeInMs: options.maxWaitMs,
      minBytes: options.minBytes,
      retry: { retries: 10, maxRetryTime: 5000 },
    });
    this.dlq = options.kafka.producer(reliableProducerConfig());
    const { GROUP_JOIN, CRASH, DISCONNECT } = this.consumer.events;
    this.consumer.on(GROUP_JOIN, (e) => {
      this.handled.clear(); // offsets of partitions we may no longer own are not ours to commit
      this.log.info({ memberId: e.payload.memberId, assigned: e.payload.memberAssignment }, 'joined group');
    });
    this.consumer.on(CRASH, (e) => {
      this.log.error({ err: e.payload.error, restart: e.payload.restart }, 'consumer crashed');
      // kafkajs gives up for good on errors it deems permanent, e.g. no group coordinator yet while a
      // restarted broker loads its state; a consumer that stays down stalls the pipeline, so start it again
      if (!e.payload.restart) this.restartSoon();
    });
    this.consumer.on(DISCONNECT, () => this.log.info('consumer disconnected'));
  }

  async start(): Promise<void> {
    await this.dlq.connect();
    await this.run();
  }

  private restartSoon(): void {
    if (this.stopping) return;
    setTimeout(() => {
      if (this.stopping) return;
      this.log.warn('restarting the consumer');
      this.run().catch((error: unknown) => {
        this.log.error({ err: error }, 'consumer restart failed; trying again');
        this.restartSoon();
      });
    }, 2000);
  }

  private async run(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.options.topic, fromBeginning: true });
    await this.consumer.run({
      eachBatchAutoResolve: false,
      // kafkajs's auto-commit sends an offset commit after every partition batch whatever the interval; we
      // commit ourselves, at most every second
      autoCommit: false,
      autoCommitInterval: 1000,
      // every partition of a fetch is handed out at once, so that the batcher can put them in one handler call
      partitionsConsumedConcurrently: 64,
      eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, uncommittedOffsets, isRunning, isStale }) => {
        if (!isRunning() || isStale() || batch.messages.length === 0) return;
        const context: BatchContext = {
          topic: batch.topic,
          partition: batch.partition,
          groupId: this.options.groupId,
          highWatermark: batch.highWatermark,
        };
        const events: ConsumedEvent[] = [];
        const rejected: Rejected[] = [];
        for (const message of batch.messages) {
          const decoded = decodeEvent(message);
          if ('event' in decoded) events.push({ event: decoded.event, offset: message.offset, message });
          else rejected.push({ message, reason: decoded.reason });
        }
        rejected.push(...((await this.batcher.submit({ context, events })) ?? []));
        if (rejected.length) await this.sendToDlq(rejected, context);
        const last = batch.messages[batch.messages.length - 1] as KafkaMessage;
        resolveOffset(last.offset);
        this.handled.set(context.partition, String(Number(last.offset) + 1));
        const labels = { group: context.groupId, partition: String(context.partition) };
        this.processed?.inc(labels, batch.messages.length);
        this.deadLettered?.inc(labels, rejected.length);
        this.lag?.set(labels, Math.max(0, Number(batch.highWatermark) - Number(last.offset) - 1));
        this.options.onProcessed?.(batch.messages.length, context, last.offset);
        await commitOffsetsIfNecessary(this.stopping ? uncommittedOffsets() : undefined);
        await heartbeat();
      },
    });
  }

  private async handleAll(batches: PartitionBatch[]): Promise<Rejected[][]> {
    const withEvents = batches.filter((b) => b.events.length > 0);
    const rejected = withEvents.length ? ((await this.options.handle(withEvents)) ?? []) : [];
    const owner = new Map<KafkaMessage, number>();
    batches.forEach((b, i) => {
      for (const e of b.events) owner.set(e.message, i);
    });
    const perBatch: Rejected[][] = batches.map(() => []);
    for (const r of rejected) {
      const i = owner.get(r.message);
      if (i === undefined) throw new Error('handler rejected a message it was not given');
      perBatch[i]?.push(r);
    }
    return perBatch;
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

  /** Commits what was handled, stops fetching, lets the running batch finish and commit, then leaves the group. */
  async stop(): Promise<void> {
    this.stopping = true;
    const offsets = [...this.handled].map(([partition, offset]) => ({ topic: this.options.topic, partition, offset }));
    if (offsets.length) {
      await this.consumer.commitOffsets(offsets).catch((error: unknown) => this.log.warn({ err: error }, 'offset commit at stop failed'));
    }
    await this.consumer.disconnect();
    await this.dlq.disconnect();
  }
}
