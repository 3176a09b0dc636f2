// The live projector: folds each Kafka fetch into the read models and, in the same PostgreSQL transaction,
// stores each partition's next offset and appends the batch's changes to the change feed. A redelivered
// message is below the stored offset and skipped; a crash before commit leaves nothing half-applied.
//
// Gap-safe change feed: every batch transaction first takes PROJECTION_LOCK and holds it to commit, so
// feed positions are drawn from the sequence in commit order, and so are each merchant's own positions. A
// reader that has seen position N will never later see a committed change numbered below N. The same lock keeps a rebuild's switch-over from racing
// a batch (rebuild.ts).

import type { ConsumedEvent, PartitionBatch, Rejected } from '@payments/runtime/kafka';
import type { Logger } from '@payments/runtime/logger';
import { FEED_CHANNEL, LIVE_READ_SCHEMA, type Pool, prepared, withTransaction } from '@payments/runtime/pg';
import { type Payment, toPaymentView } from '@payments/schemas';
import { projectEvents } from './fold.ts';
import { loadPayments, writeProjection } from './read-model-store.ts';

export const PROJECTION_LOCK = 7_000_002;

export type ProjectorDeps = { pool: Pool; logger: Logger };

/** Where a consumer's batch leaves each partition: stored with the changes it produced. */
export type NextOffsets = { groupId: string; topic: string; partitions: number[]; offsets: number[] };

/**
 * Appends the changes to the feed and stores the consumer's next offsets when given: one statement. Each
 * change gets the next global position and its merchant's next merchant position (the merchant's last one
 * plus its rank among the merchant's changes in this batch), both in `changed` order: the caller holds
 * PROJECTION_LOCK, so no other append draws numbers in between. Returns
 * the last feed position (null when nothing changed); once it has committed, wake the readers (wakeFeedReaders).
 */
export async function appendToFeed(
  client: { query: Pool['query'] },
  changed: Payment[],
  next: NextOffsets = { groupId: '', topic: '', partitions: [], offsets: [] },
): Promise<number | null> {
  const { rows } = await prepared<{ last: number | null }>(
    client,
    'feed-append',
    `with changed as (
       select id, m, p, ord from unnest($1::uuid[], $2::text[], $3::json[]) with ordinality as t(id, m, p, ord)
     ), heads as materialized (
       -- once per merchant of the batch, not once per change
       select m, coalesce((select c.merchant_position from feed.changes c where c.merchant_id = d.m order by c.merchant_position desc limit 1), 0) as head
         from (select distinct m from changed) d
     ), feed as (
       insert into feed.changes (position, merchant_position, payment_id, merchant_id, payload)
       select nextval('feed.position_seq'), h.head + row_number() over (partition by c.m order by c.ord), c.id, c.m, c.p
         from changed c join heads h using (m)
        order by c.ord
       returning position
     ), offsets as (
       insert into ${LIVE_READ_SCHEMA}.kafka_offsets (consumer_group, topic, partition, next_offset)
       select $4, $5, p, o from unnest($6::int[], $7::int8[]) as t(p, o)
       on conflict (consumer_group, topic, partition) do update set next_offset = excluded.next_offset
     )
     select max(position) as last from feed`,
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

/**
 * Tells the stream readers (the query APIs' feed tails) that the feed grew: after the commit, never inside
 * the transaction, whose commit would otherwise queue behind every other notifying writer's WAL flush
 * (see wakeRelays in the runtime).
 */
export async function wakeFeedReaders(db: { query: Pool['query'] }, last: number): Promise<void> {
  await db.query(`select pg_notify('${FEED_CHANNEL}', $1)`, [String(last)]);
}

/** The consumer's batch handler: every partition of one fetch, one transaction. */
export function projectorHandler(deps: ProjectorDeps) {
  return async (batches: PartitionBatch[]): Promise<Rejected[]> => {
    const { rejected, last } = await projectBatch(deps, batches);
    if (last !== null) {
      // not awaited: the batch is committed, and the readers' poll finds it if this wake-up is lost
      wakeFeedReaders(deps.pool, last).catch((error: unknown) => deps.logger.warn({ err: error }, 'could not wake the feed readers'));
    }
    return rejected;
  };
}

/** Every partition of one fetch in one transaction; returns the messages it refused and the last feed position. */
function projectBatch(deps: ProjectorDeps, batches: PartitionBatch[]): Promise<{ rejected: Rejected[]; last: number | null }> {
  return withTransaction(deps.pool, async (client) => {
    await client.query('select pg_advisory_xact_lock($1)', [PROJECTION_LOCK]);
    const { groupId, topic } = (batches[0] as PartitionBatch).context;
    const { rows } = await prepared<{ partition: number; next_offset: number }>(
      client,
      'projector-offsets',
      `select partition, next_offset from ${LIVE_READ_SCHEMA}.kafka_offsets where consumer_group = $1 and topic = $2 and partition = any($3::int[])`,
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
    if (fresh.length === 0) return { rejected: [], last: null };
    const current = await loadPayments(client, LIVE_READ_SCHEMA, [...new Set(fresh.map((e) => e.event.streamId))]);
    const result = projectEvents(
      current,
      fresh.map((e) => e.event),
    );
    await writeProjection(client, LIVE_READ_SCHEMA, result);
    const last = await appendToFeed(client, result.changed, {
      groupId,
      topic,
      partitions: batches.map((b) => b.context.partition),
      offsets: batches.map((b) => Number(b.events.at(-1)?.offset ?? -1) + 1),
    });
    const orphanIds = new Set(result.orphans.map((e) => e.eventId));
    const rejected = fresh
      .filter((e) => orphanIds.has(e.event.eventId))
      .map((e) => ({ message: e.message, reason: 'event for a payment the read model has not seen' }));
    return { rejected, last };
  });
}
