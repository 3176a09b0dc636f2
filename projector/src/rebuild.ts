// Projection rebuild: fills fresh read-model tables from the start of the event store while the live ones
// keep serving, then switches over atomically.
//  1. Read every event in one REPEATABLE READ snapshot (a cursor) and fold it into schema `read_rebuild`.
//  2. Under PROJECTION_LOCK (no live batch in between), fold the events that snapshot could not see
//     (committed later, or committed late with a lower position), copy the live Kafka offsets, and swap the
//     schemas by renaming. Folding is idempotent per stream version, so the live projector's later
//     redeliveries change nothing.

import type { Logger } from '@payments/runtime/logger';
import {
  LIVE_READ_SCHEMA,
  type Pool,
  type Queryable,
  REBUILD_READ_SCHEMA,
  REPLACED_READ_SCHEMA,
  readModelDdl,
  toRecordedEvent,
  withTransaction,
} from '@payments/runtime/pg';
import type { RecordedEvent } from '@payments/schemas';
import { projectEvents } from './fold.ts';
import { PROJECTION_LOCK } from './projector.ts';
import { loadPayments, writeProjection } from './read-model-store.ts';

const BATCH = 5000;
const EVENT_COLUMNS = `position, event_id, stream_id, stream_version, type, schema_version, data, metadata, occurred_at`;

export type RebuildProgress = { eventsDone: number; eventsTotal: number; eventsPerSecond: number };

async function foldInto(db: Queryable, schema: string, events: RecordedEvent[]): Promise<void> {
  const current = await loadPayments(db, schema, [...new Set(events.map((e) => e.streamId))]);
  await writeProjection(db, schema, projectEvents(current, events));
}

export async function rebuildPayments(
  pool: Pool,
  logger: Logger,
  onProgress: (p: RebuildProgress) => Promise<void> | void = () => {},
): Promise<RebuildProgress> {
  const started = performance.now();
  await pool.query(`drop schema if exists ${REBUILD_READ_SCHEMA} cascade`);
  await pool.query(readModelDdl(REBUILD_READ_SCHEMA));

  const reader = await pool.connect();
  let snapshot: string;
  let done = 0;
  let total = 0;
  const rate = () => Math.round(done / Math.max((performance.now() - started) / 1000, 0.001));
  try {
    await reader.query('begin isolation level repeatable read read only');
    const head = await reader.query<{ snapshot: string; total: number }>(
      'select pg_current_snapshot()::text as snapshot, count(*)::int8 as total from es.events',
    );
    snapshot = head.rows[0]?.snapshot ?? '';
    total = head.rows[0]?.total ?? 0;
    await reader.query(`declare history no scroll cursor for select ${EVENT_COLUMNS} from es.events order by position`);
    for (;;) {
      const { rows } = await reader.query(`fetch ${BATCH} from history`);
      if (rows.length === 0) break;
      await withTransaction(pool, (client) => foldInto(client, REBUILD_READ_SCHEMA, rows.map(toRecordedEvent)));
      done += rows.length;
      await onProgress({ eventsDone: done, eventsTotal: total, eventsPerSecond: rate() });
    }
    await reader.query('commit');
  } finally {
    reader.release();
  }

  await withTransaction(pool, async (client) => {
    await client.query('select pg_advisory_xact_lock($1)', [PROJECTION_LOCK]);
    const { rows } = await client.query(
      `select ${EVENT_COLUMNS} from es.events
        where tx_id >= pg_snapshot_xmin($1::pg_snapshot) and not pg_visible_in_snapshot(tx_id, $1::pg_snapshot)
        order by position`,
      [snapshot],
    );
    if (rows.length) await foldInto(client, REBUILD_READ_SCHEMA, rows.map(toRecordedEvent));
    done += rows.length;
    total += rows.length;
    await client.query(`insert into ${REBUILD_READ_SCHEMA}.kafka_offsets select * from ${LIVE_READ_SCHEMA}.kafka_offsets`);
    await client.query(`alter schema ${LIVE_READ_SCHEMA} rename to ${REPLACED_READ_SCHEMA}`);
    await client.query(`alter schema ${REBUILD_READ_SCHEMA} rename to ${LIVE_READ_SCHEMA}`);
    await client.query(`drop schema ${REPLACED_READ_SCHEMA} cascade`);
  });
  const progress = { eventsDone: done, eventsTotal: total, eventsPerSecond: rate() };
  logger.info(progress, 'projection rebuilt and switched over');
  await onProgress(progress);
  return progress;
}
