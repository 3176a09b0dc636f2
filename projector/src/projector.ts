// The live projector: folds each Kafka fetch into the read models and, in the same PostgreSQL transaction,
// stores each partition's next offset and appends the batch's changes to the change feed. A redelivered
// message is below the stored offset and skipped; a crash before commit leaves nothing half-applied.
//
// Gap-safe change feed: every batch transaction first takes PROJECTION_LOCK and holds it to commit, so
// feed positions are drawn from the sequence in commit order. A reader that has seen position N will never
// later see a committed change numbered below N. The same lock keeps a rebuild's switch-over from racing
// a batch (rebuild.ts).

import {
  type ConsumedEvent,
  type Logger,
  type PartitionBatch,
  type Pool,
  prepared,
  type Rejected,
  withTransaction,
} from '@payments/runtime';
import { type Payment, toPaymentView } from '@payments/schemas';
import { projectEvents } from './fold.ts';
import { loadPayments, writeProjection } from './read-model-store.ts';

export const PROJECTION_LOCK = 7_000_002;
export const FEED_CHANNEL = 'feed_changes';
export const LIVE_SCHEMA = 'read';

export type ProjectorDeps = { pool: Pool; logger: Logger };

/** Where a consumer's batch leaves each partition: stored with the changes it produced. */
export type NextOffsets = { groupId: string; topic: string; partitions: number[]; offsets: number[] };

/**
 * Appends the changes to the feed, stores the consumer's next offsets when given, and notifies the stream
 * readers: one statement. Returns the last feed position (null when nothing changed).
 */
export async function appendToFeed(
  client: { query: Pool['query'] },
  changed: Payment[],
  next: NextOffsets = { groupId: '', topic: '', partitions: [], offsets: [] },
): Promise<number | null> {
  const { rows } = await prepared<{ last: number | null }>(
    client,
    'feed-append',
    `with feed as (
       insert into feed.changes (position, payment_id, merchant_id, payload)
       select nextval('feed.position_seq'), id, m, p from unnest($1::uuid[], $2::text[], $3::jsonb[]) with ordinality as t(id, m, p, ord)
       order by ord
       returning position
     ), offsets as (
       insert into ${LIVE_SCHEMA}.kafka_offsets (consumer_group, topic, partition, next_offset)
       select $4, $5, p, o from unnest($6::int[], $7::int8[]) as t(p, o)
       on conflict (consumer_group, topic, partition) do update set next_offset = excluded.next_offset
     ), last as (select max(position) as position from feed)
     select position as last, case when position is not null then pg_notify('${FEED_CHANNEL}', position::text) end from last`,
    [
      changed.map((p) => p.paymentId),
      changed.map((p) => p.merchantId),
      changed.map((p) => JSON.stringify(toPaymentView(p))),
      next.groupId,
      next.topic,
      next.partitions,
      next.offsets,
    ],
  );
  return rows[0]?.last ?? null;
}

/** The consumer's batch handler: every partition of one fetch, one transaction. */
export function projectorHandler(deps: ProjectorDeps) {
  return async (batches: PartitionBatch[]): Promise<Rejected[]> =>
    withTransaction(deps.pool, async (client) => {
      await client.query('select pg_advisory_xact_lock($1)', [PROJECTION_LOCK]);
      const { groupId, topic } = (batches[0] as PartitionBatch).context;
      const { rows } = await prepared<{ partition: number; next_offset: number }>(
        client,
        'projector-offsets',
        `select partition, next_offset from ${LIVE_SCHEMA}.kafka_offsets where consumer_group = $1 and topic = $2 and partition = any($3::int[])`,
        [groupId, topic, batches.map((b) => b.context.partition)],
      );
      const stored = new Map(rows.map((r) => [r.partition, r.next_offset]));
      const fresh: ConsumedEvent[] = [];
      for (const { context, events } of batches) {
        let nextOffset = stored.get(context.partition) ?? 0;
        if (nextOffset > Number(context.highWatermark)) {
          // the stored offset lies past the end of the partition: the topic was recreated (Kafka's storage
          // was wiped while PostgreSQL kept its state). Its offsets mean nothing now; read it all again, and
          // the fold's stream-version check skips every event already applied.
          deps.logger.warn(
            { partition: context.partition, stored: nextOffset, highWatermark: context.highWatermark },
            'topic was recreated: re-reading the partition',
          );
          nextOffset = 0;
        }
        fresh.push(...events.filter((e) => Number(e.offset) >= nextOffset));
      }
      if (fresh.length === 0) return [];
      const current = await loadPayments(client, LIVE_SCHEMA, [...new Set(fresh.map((e) => e.event.streamId))]);
      const result = projectEvents(
        current,
        fresh.map((e) => e.event),
      );
      await writeProjection(client, LIVE_SCHEMA, result);
      await appendToFeed(client, result.changed, {
        groupId,
        topic,
        partitions: batches.map((b) => b.context.partition),
        offsets: batches.map((b) => Number(b.events.at(-1)?.offset ?? -1) + 1),
      });
      const orphanIds = new Set(result.orphans.map((e) => e.eventId));
      return fresh
        .filter((e) => orphanIds.has(e.event.eventId))
        .map((e) => ({ message: e.message, reason: 'event for a payment the read model has not seen' }));
    });
}
