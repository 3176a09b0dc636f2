// Per stage: where the end-to-end time of the e2e sample goes, hop by hop, from timestamps the system already
// keeps (one clock, one machine):
//   bench          intended send, HTTP 202 received, decided status received on the WebSocket
//   es.events      occurred_at of PaymentRequested (the API's request time) and of the decision (the
//                  authorizer's decision time)
//   Kafka          the message timestamp of each event (set by the relay's producer when it publishes)
//   feed.changes   committed_at of the decided row (now() of the projector's transaction)
// The three coarse hops are HTTP ack, request → decision appended (relay + Kafka + authorizer) and decision →
// WebSocket (relay + Kafka + projector + feed); the Kafka and feed timestamps split those further.
import { createKafka } from '@payments/runtime/kafka';
import { createLogger } from '@payments/runtime/logger';
import type { BenchContext } from '../context.ts';
import { percentile, round } from '../stats.ts';
import type { E2eResult } from './e2e.ts';

export type HopStats = { hop: string; what: string; p50Ms: number | null; p99Ms: number | null; meanMs: number | null; count: number };
export type StagesResult = {
  sampleSize: number;
  httpAck: HopStats;
  requestToDecision: HopStats;
  decisionToWebSocket: HopStats;
  /** the finer chain from the API's request time to the WebSocket, hop by hop (sums to the whole) */
  hops: HopStats[];
  kafkaTimestamps: boolean;
};

type Times = {
  requested?: number;
  decided?: number;
  kafkaRequested?: number;
  kafkaDecided?: number;
  feed?: number;
};

const DECISIONS = new Set(['PaymentAuthorized', 'PaymentFlaggedForReview']);

function hopStats(hop: string, what: string, values: number[]): HopStats {
  const mean = values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
  const r = (v: number | null) => (v === null ? null : round(v, 2));
  return { hop, what, p50Ms: r(percentile(values, 50)), p99Ms: r(percentile(values, 99)), meanMs: r(mean), count: values.length };
}

export async function measureStages(ctx: BenchContext, e2e: E2eResult): Promise<StagesResult> {
  const samples = e2e.samples.filter((s) => s.decidedAt !== null);
  const ids = samples.map((s) => s.paymentId);
  const times = new Map<string, Times>(ids.map((id) => [id, {}]));

  const events = await ctx.db.query<{ id: string; type: string; ms: string }>(
    `select stream_id::text as id, type, extract(epoch from occurred_at) * 1000 as ms
       from es.events where stream_id = any($1::uuid[]) and stream_version <= 2`,
    [ids],
  );
  for (const row of events.rows) {
    const t = times.get(row.id);
    if (!t) continue;
    if (row.type === 'PaymentRequested') t.requested = Number(row.ms);
    else if (DECISIONS.has(row.type)) t.decided = Number(row.ms);
  }
  const feed = await ctx.db.query<{ id: string; ms: string }>(
    `select payment_id::text as id, extract(epoch from min(committed_at)) * 1000 as ms
       from feed.changes
      where committed_at >= to_timestamp($1) and payment_id = any($2::uuid[]) and payload->>'status' in ('AUTHORIZED', 'REVIEW')
      group by payment_id`,
    [e2e.window.startedAt / 1000 - 5, ids],
  );
  for (const row of feed.rows) {
    const t = times.get(row.id);
    if (t) t.feed = Number(row.ms);
  }
  let kafkaTimestamps = false;
  try {
    await readKafkaTimestamps(ctx, e2e.window, times);
    kafkaTimestamps = true;
  } catch (error) {
    ctx.log(`stages: Kafka timestamps unavailable (${(error as Error).message}); the relay and Kafka hops are not split`);
  }

  const values = {
    ack: [] as number[],
    requestToDecision: [] as number[],
    decisionToWs: [] as number[],
    toApi: [] as number[],
    relayRequested: [] as number[],
    authorizer: [] as number[],
    relayDecided: [] as number[],
    projector: [] as number[],
    feed: [] as number[],
  };
  for (const s of samples) {
    const t = times.get(s.paymentId);
    if (!t || s.decidedAt === null) continue;
    values.ack.push(s.ackAt - s.intendedAt);
    if (t.requested === undefined || t.decided === undefined) continue;
    values.requestToDecision.push(t.decided - t.requested);
    values.decisionToWs.push(s.decidedAt - t.decided);
    values.toApi.push(t.requested - s.intendedAt);
    if (t.kafkaRequested !== undefined && t.kafkaDecided !== undefined && t.feed !== undefined) {
      values.relayRequested.push(t.kafkaRequested - t.requested);
      values.authorizer.push(t.decided - t.kafkaRequested);
      values.relayDecided.push(t.kafkaDecided - t.decided);
      values.projector.push(t.feed - t.kafkaDecided);
      values.feed.push(s.decidedAt - t.feed);
    }
  }
  return {
    sampleSize: samples.length,
    httpAck: hopStats('HTTP ack', 'intended send → 202 received', values.ack),
    requestToDecision: hopStats(
      'request → decision appended',
      'PaymentRequested.occurred_at → decision.occurred_at',
      values.requestToDecision,
    ),
    decisionToWebSocket: hopStats('decision → WebSocket', 'decision.occurred_at → decided status received', values.decisionToWs),
    hops: [
      hopStats('send → API', 'intended send → PaymentRequested.occurred_at (queueing, HTTP, auth, validation)', values.toApi),
      hopStats(
        'API → Kafka',
        'PaymentRequested.occurred_at → its Kafka timestamp (commit, NOTIFY, relay claim + publish)',
        values.relayRequested,
      ),
      hopStats('Kafka → authorizer', 'Kafka timestamp → decision.occurred_at (fetch, decide)', values.authorizer),
      hopStats('authorizer → Kafka', 'decision.occurred_at → its Kafka timestamp (append, commit, relay)', values.relayDecided),
      hopStats('Kafka → projector', 'Kafka timestamp → feed.changes.committed_at (fetch, projector transaction start)', values.projector),
      hopStats('projector → WebSocket', 'feed.committed_at → received (fold, commit, NOTIFY, feed tail, send)', values.feed),
    ],
    kafkaTimestamps,
  };
}

/** Reads back, from a fresh consumer group seeked to the e2e window, the Kafka timestamp of each sample event. */
async function readKafkaTimestamps(ctx: BenchContext, window: E2eResult['window'], times: Map<string, Times>): Promise<void> {
  const kafka = createKafka({ brokers: ctx.stack.kafkaBrokers, clientId: 'bench-stages', logger: createLogger('bench', 'error') });
  const topic = ctx.stack.eventsTopic;
  const admin = kafka.admin();
  await admin.connect();
  const groupId = `bench-stages-${ctx.runId}`;
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100, sessionTimeout: 10_000, heartbeatInterval: 1000 });
  try {
    const from = await admin.fetchTopicOffsetsByTimestamp(topic, Math.floor(window.startedAt) - 2000);
    const to = await admin.fetchTopicOffsets(topic);
    const remaining = new Map<number, number>();
    for (const p of to) {
      const start = Number(from.find((f) => f.partition === p.partition)?.offset ?? p.high);
      const start0 = start < 0 ? Number(p.high) : start;
      if (Number(p.high) > start0) remaining.set(p.partition, Number(p.high) - 1);
    }
    if (!remaining.size) return;
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: false });
    let done = false;
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        const id = message.key?.toString();
        const t = id ? times.get(id) : undefined;
        const type = message.headers?.['event-type']?.toString();
        if (t && type) {
          const ts = Number(message.timestamp);
          if (type === 'PaymentRequested') t.kafkaRequested = Math.min(t.kafkaRequested ?? ts, ts);
          else if (DECISIONS.has(type)) t.kafkaDecided = Math.min(t.kafkaDecided ?? ts, ts);
        }
        const last = remaining.get(partition);
        if (last !== undefined && Number(message.offset) >= last) remaining.delete(partition);
        if (!remaining.size) done = true;
      },
    });
    for (const f of from) {
      if (remaining.has(f.partition)) consumer.seek({ topic, partition: f.partition, offset: f.offset });
    }
    const deadline = Date.now() + 30_000;
    while (!done && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    if (!done) throw new Error('timed out reading the e2e window back from Kafka');
  } finally {
    await consumer.disconnect().catch(() => {});
    await admin.deleteGroups([groupId]).catch(() => {});
    await admin.disconnect().catch(() => {});
  }
}
