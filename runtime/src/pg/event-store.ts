// The event store: appends events and their outbox rows in the caller's transaction, with optimistic
// concurrency per stream, and reads streams back. Positions are global but assigned at insert, not at
// commit, so a gap may still be filled by a transaction in flight: nothing follows the global order by
// position while writers run (a rebuild reads one snapshot; the change feed is numbered in commit order).
import { CURRENT_SCHEMA_VERSIONS, type EventMetadata, type NewEvent, type RecordedEvent, upcast } from '@payments/schemas';
import { uuidv7 } from '../ids.ts';
import type { Queryable } from './db.ts';
import { OUTBOX_CHANNEL } from './names.ts';

export class ConcurrencyError extends Error {
  readonly code = 'concurrency_conflict';
  readonly streamIds: string[];
  constructor(streamIds: string[]) {
    super(`stream version already taken: ${streamIds.join(', ')}`);
    this.streamIds = streamIds;
  }
}

export type AppendRequest = {
  streamId: string;
  /** The version the caller decided on: 0 for a new stream. */
  expectedVersion: number;
  events: readonly NewEvent[];
  metadata: EventMetadata;
  /** The command's time; domain code never reads the clock itself. */
  occurredAt: Date;
};

export type AppendResult = { recorded: RecordedEvent[]; conflicts: string[] };

const ISO_UTC = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

/** An event is written in the current version of its type (schemas/src/events.ts), whatever older ones the store holds. */
const SCHEMA_VERSION_OF_TYPE = `case type ${Object.entries(CURRENT_SCHEMA_VERSIONS)
  .map(([type, version]) => `when '${type}' then ${version}`)
  .join(' ')} end`;

/**
 * The CTEs `ins` and `outbox` that append the rows of `source` (columns event_id, stream_id, stream_version,
 * type, data, metadata, occurred_at, ord) as events, each with its outbox row for `topic` (a parameter).
 * Version conflicts insert nothing for that stream (ON CONFLICT DO NOTHING) and leave the transaction
 * usable. Shared by every statement that appends, so events and outbox rows are written one way only.
 */
export function appendCtes(source: string, topic: string): string {
  return `ins as (
  insert into es.events (event_id, stream_id, stream_version, type, schema_version, data, metadata, occurred_at)
  select event_id, stream_id, stream_version, type, ${SCHEMA_VERSION_OF_TYPE}, data, metadata, occurred_at from ${source} order by ord
  on conflict (stream_id, stream_version) do nothing
  returning position, event_id, stream_id, stream_version, type, schema_version, data, metadata,
            to_char(occurred_at at time zone 'UTC', ${ISO_UTC}) as occurred_at
), outbox as (
  insert into es.outbox (event_position, topic, message_key, payload, headers)
  select position, ${topic}, stream_id::text,
    json_build_object('eventId', event_id, 'type', type, 'schemaVersion', schema_version, 'streamId', stream_id,
      'streamVersion', stream_version, 'occurredAt', occurred_at, 'data', data, 'metadata', metadata,
      'position', position)::text,
    json_strip_nulls(json_build_object('event-id', event_id, 'event-type', type, 'schema-version', schema_version::text,
      'correlation-id', metadata->>'correlationId', 'traceparent', metadata->>'traceparent'))
  from ins order by position
)`;
}

/**
 * The requests' events as the parallel arrays `appendCtes` reads (event_id, stream_id, stream_version, type,
 * data, metadata, occurred_at), one element per event, ready for `unnest`.
 */
export function eventColumns(requests: readonly AppendRequest[]): [string[], string[], number[], string[], string[], string[], string[]] {
  const cols: [string[], string[], number[], string[], string[], string[], string[]] = [[], [], [], [], [], [], []];
  for (const r of requests) {
    r.events.forEach((event, i) => {
      cols[0].push(uuidv7(r.occurredAt.getTime()));
      cols[1].push(r.streamId);
      cols[2].push(r.expectedVersion + i + 1);
      cols[3].push(event.type);
      cols[4].push(JSON.stringify(event.data));
      cols[5].push(JSON.stringify(r.metadata));
      cols[6].push(r.occurredAt.toISOString());
    });
  }
  return cols;
}

/**
 * Wakes whichever relay is publishing: after the appending transaction committed, never inside it.
 * PostgreSQL serializes the commits of all transactions that NOTIFY (one queue lock, held through the
 * commit's WAL flush), so a NOTIFY inside every append made each writer's commit wait for the others' disk
 * flushes in turn. A notification-only transaction writes no WAL and holds that lock for microseconds.
 */
export async function wakeRelays(db: Queryable): Promise<void> {
  await db.query(`select pg_notify('${OUTBOX_CHANNEL}', '')`);
}

// One statement appends every event and its outbox row; the caller wakes the relay once it has committed.
const APPEND_SQL = `
with input as (
  select * from unnest($1::uuid[], $2::uuid[], $3::int[], $4::text[], $5::json[], $6::json[], $7::timestamptz[])
    with ordinality as t(event_id, stream_id, stream_version, type, data, metadata, occurred_at, ord)
), ${appendCtes('input', '$8')}
select ins.* from ins order by position`;

/** A row of es.events as the pg driver returns it (occurred_at as a Date, or as text when the query formats it). */
export type EventRow = {
  position: number;
  event_id: string;
  stream_id: string;
  stream_version: number;
  type: string;
  schema_version: number;
  data: unknown;
  metadata: EventMetadata;
  occurred_at: string | Date;
};

/** A row's columns as an event's fields, in whatever version the row was written. */
function eventOfRow(row: EventRow) {
  return {
    eventId: row.event_id,
    type: row.type,
    schemaVersion: row.schema_version,
    streamId: row.stream_id,
    streamVersion: row.stream_version,
    occurredAt: new Date(row.occurred_at).toISOString(),
    data: row.data,
    metadata: row.metadata,
    position: row.position,
  };
}

/**
 * A stored row as an event of the current shape: every read of es.events goes through here, and so through
 * the upcaster chain (schemas/src/upcast.ts). A row no version of any event matches throws.
 */
export function toRecordedEvent(row: EventRow): RecordedEvent {
  return { ...upcast(eventOfRow(row)), position: row.position };
}

export class EventStore {
  readonly topic: string;
  constructor(options: { topic: string }) {
    this.topic = options.topic;
  }

  /** Appends many streams' events in one statement; streams whose version was taken are returned as conflicts. */
  async appendMany(db: Queryable, requests: readonly AppendRequest[]): Promise<AppendResult> {
    const cols = eventColumns(requests);
    if (cols[0].length === 0) return { recorded: [], conflicts: [] };
    // a named statement: parsed and planned once per connection, not on every append
    const { rows } = await db.query<EventRow>({ name: 'es-append', text: APPEND_SQL, values: [...cols, this.topic] });
    // what this statement just wrote, from typed events in the versions writers use: no upcast to check it
    const recorded = rows.map((row) => eventOfRow(row) as RecordedEvent);
    const written = new Map<string, number>();
    for (const e of recorded) written.set(e.streamId, (written.get(e.streamId) ?? 0) + 1);
    const conflicts = requests.filter((r) => (written.get(r.streamId) ?? 0) < r.events.length).map((r) => r.streamId);
    return { recorded, conflicts };
  }

  /**
   * Appends one stream's events at the expected version. A taken version throws ConcurrencyError; when the
   * stream's first new event was already taken nothing was written and the transaction remains usable.
   */
  async append(db: Queryable, request: AppendRequest): Promise<RecordedEvent[]> {
    const { recorded, conflicts } = await this.appendMany(db, [request]);
    if (conflicts.length) throw new ConcurrencyError(conflicts);
    return recorded;
  }

  /** A stream's events in version order; with `asOf`, only those that had occurred by then. */
  async readStream(db: Queryable, streamId: string, options: { asOf?: Date } = {}): Promise<RecordedEvent[]> {
    const { rows } = await db.query<EventRow>(
      `select position, event_id, stream_id, stream_version, type, schema_version, data, metadata,
              to_char(occurred_at at time zone 'UTC', ${ISO_UTC}) as occurred_at
         from es.events where stream_id = $1 and ($2::timestamptz is null or occurred_at <= $2)
        order by stream_version`,
      [streamId, options.asOf ?? null],
    );
    return rows.map(toRecordedEvent);
  }
}
