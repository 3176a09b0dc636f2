// Group commit for new payments: requests share transactions. A batch leaves once `lingerMs` passed since
// its oldest request arrived, or at once when `flushAt` requests wait; requests that arrive while
// transactions are in flight wait for one to finish. The bounded wait is what makes batches at moderate
// rates. Under load, one commit (one WAL flush) carries many payments.
//
// A batch is normally one statement, one round trip, its own transaction: it claims each idempotency key with
// an advisory lock, finds keys already used, appends the other payments with their outbox rows and stores
// their keyed responses. Every guarantee of the single-request path holds per payment: a key seen twice in a
// batch, or locked by another transaction, is "in flight" (409); a stored key replays its response or refuses
// another body (422); the event, outbox and key rows commit together. The rare cases that statement leaves
// alone take the careful path, one statement per step in one transaction: keys whose stored response
// expired, and a batch that lost a race for a key (a transaction that committed the key after the
// statement's snapshot was taken makes the key insert fail; the careful path then sees the key).

import { HttpError } from '@payments/runtime/http';
import { type AppendRequest, appendCtes, type EventStore, eventColumns, type Pool, withTransaction } from '@payments/runtime/pg';
import { type KeyClaim, lockName, type StoredResponse } from './idempotency.ts';

export type PaymentWrite = {
  claim: KeyClaim | null;
  /** A new payment: one event at version 1. */
  append: AppendRequest;
  /** The response for the payment; the committer adds the event's `position` to the body. */
  response: { status: number; body: Record<string, unknown> };
};
export type WriteOutcome = StoredResponse & { replayed: boolean };

type Pending = PaymentWrite & { queuedAt: number; resolve: (outcome: WriteOutcome) => void; reject: (error: unknown) => void };

const inFlight = () => new HttpError(409, 'idempotency_key_in_use', 'a request with this Idempotency-Key is still in flight');
const reused = () => new HttpError(422, 'idempotency_key_reused', 'this Idempotency-Key was used with a different request');

export class GroupCommitter {
  private queue: Pending[] = [];
  private running = 0;
  private readonly pool: Pool;
  private readonly eventStore: EventStore;
  private readonly options: { maxBatch: number; flushAt: number; maxConcurrent: number; lingerMs: number; ttlSeconds: number };
  private readonly onAppended: () => void;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    pool: Pool,
    eventStore: EventStore,
    options: {
      maxBatch?: number;
      flushAt?: number;
      maxConcurrent?: number;
      lingerMs?: number;
      ttlSeconds: number;
      /** Called after a commit that appended payments: wakes the outbox relay. */
      onAppended: () => void;
    },
  ) {
    this.pool = pool;
    this.eventStore = eventStore;
    this.onAppended = options.onAppended;
    this.options = {
      maxBatch: options.maxBatch ?? 128,
      // a batch this large leaves at once: waiting longer would save little and, with closed-loop
      // clients, would cap the throughput at connections / linger
      flushAt: options.flushAt ?? 8,
      maxConcurrent: options.maxConcurrent ?? 1,
      lingerMs: options.lingerMs ?? 0,
      ttlSeconds: options.ttlSeconds,
    };
  }

  write(write: PaymentWrite): Promise<WriteOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ ...write, queuedAt: performance.now(), resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.running < this.options.maxConcurrent && this.queue.length > 0) {
      const waited = performance.now() - (this.queue[0] as Pending).queuedAt;
      if (this.queue.length < this.options.flushAt && waited < this.options.lingerMs) {
        this.timer ??= setTimeout(() => {
          this.timer = null;
          this.pump();
        }, this.options.lingerMs - waited);
        return;
      }
      const batch = this.queue.splice(0, this.options.maxBatch);
      this.running++;
      this.commit(batch)
        .catch((error: unknown) => {
          for (const p of batch) p.reject(error);
        })
        .finally(() => {
          this.running--;
          this.pump();
        });
    }
  }

  private async commit(batch: Pending[]): Promise<void> {
    const outcomes = new Map<Pending, WriteOutcome | HttpError>();
    // a key repeated inside the batch is in flight for the later requests
    const seen = new Set<string>();
    const distinct: Pending[] = [];
    for (const p of batch) {
      const name = p.claim && lockName(p.claim);
      if (name && seen.has(name)) outcomes.set(p, inFlight());
      else {
        if (name) seen.add(name);
        distinct.push(p);
      }
    }
    let careful: Pending[] = [];
    try {
      careful = await this.commitInOneStatement(distinct, outcomes);
    } catch (error) {
      if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
      careful = distinct; // lost a race for a key: the statement wrote nothing
    }
    if (careful.length) await this.commitCarefully(careful, outcomes);
    if ([...outcomes.values()].some((o) => !(o instanceof HttpError) && !o.replayed)) this.onAppended();
    // answered only after COMMIT: an accepted payment is durable before anyone hears of it
    for (const p of batch) {
      const outcome = outcomes.get(p);
      if (outcome instanceof HttpError) p.reject(outcome);
      else if (outcome) p.resolve(outcome);
      else p.reject(new Error('payment write lost its outcome'));
    }
  }

  /** The common case in one statement; returns the requests left for the careful path (expired keys). */
  private async commitInOneStatement(batch: Pending[], outcomes: Map<Pending, WriteOutcome | HttpError>): Promise<Pending[]> {
    for (const { append } of batch) {
      // one event per request keeps the event columns aligned with the key and response columns
      if (append.events.length !== 1 || append.expectedVersion !== 0) throw new Error('group commit takes new payments only');
    }
    const keys = batch.map((p) => p.claim);
    const values = [
      keys.map((k) => k && lockName(k)),
      keys.map((k) => k?.scope ?? null),
      keys.map((k) => k?.endpoint ?? null),
      keys.map((k) => k?.key ?? null),
      keys.map((k) => k?.requestHash ?? null),
      ...eventColumns(batch.map((p) => p.append)),
      batch.map((p) => p.response.status),
      batch.map((p) => JSON.stringify(p.response.body)),
      this.eventStore.topic,
      this.options.ttlSeconds,
    ];
    const { rows } = await this.pool.query<{
      ord: number;
      locked: boolean;
      stored_hash: string | null;
      stored_status: number | null;
      stored_body: unknown;
      expired: boolean | null;
      position: number | null;
    }>({
      name: 'group-commit',
      text: ONE_STATEMENT_SQL,
      values,
    });
    const careful: Pending[] = [];
    for (const row of rows) {
      const p = batch[row.ord - 1] as Pending;
      if (!row.locked) outcomes.set(p, inFlight());
      else if (row.stored_hash !== null) {
        if (row.expired) careful.push(p);
        else if (row.stored_hash !== p.claim?.requestHash) outcomes.set(p, reused());
        else outcomes.set(p, { status: row.stored_status as number, body: row.stored_body, replayed: true });
      } else if (row.position === null) throw new Error(`new payment id collided: ${p.append.streamId}`);
      else outcomes.set(p, { status: p.response.status, body: { ...p.response.body, position: row.position }, replayed: false });
    }
    return careful;
  }

  /** One statement per step in one transaction: takes over what the single statement leaves. */
  private async commitCarefully(batch: Pending[], outcomes: Map<Pending, WriteOutcome | HttpError>): Promise<void> {
    const settled = await withTransaction(this.pool, async (client) => {
      const results = new Map<Pending, WriteOutcome | HttpError>();
      // 1. claim keys: one lock attempt each
      const claimed = batch.filter((p) => p.claim);
      if (claimed.length) {
        const { rows } = await client.query<{ ok: boolean }>({
          name: 'idempotency-lock',
          text: 'select pg_try_advisory_xact_lock(hashtextextended(n, 7)) as ok from unnest($1::text[]) with ordinality as t(n, i) order by i',
          values: [claimed.map((p) => lockName(p.claim as KeyClaim))],
        });
        const locked = claimed.filter((p, i) => {
          if (rows[i]?.ok) return true;
          results.set(p, inFlight());
          return false;
        });
        // 2. keys already used: replay the stored response, refuse another body, forget expired ones
        if (locked.length) {
          const { rows: stored } = await client.query<{
            i: number;
            request_hash: string;
            response_status: number;
            response_body: unknown;
            expired: boolean;
          }>({
            name: 'idempotency-stored',
            text: `select t.i, k.request_hash, k.response_status, k.response_body, k.expires_at <= now() as expired
               from unnest($1::text[], $2::text[], $3::text[]) with ordinality as t(scope, endpoint, key, i)
               join es.idempotency_keys k on k.scope = t.scope and k.endpoint = t.endpoint and k.idempotency_key = t.key`,
            values: [locked.map((p) => p.claim?.scope), locked.map((p) => p.claim?.endpoint), locked.map((p) => p.claim?.key)],
          });
          const expired: Pending[] = [];
          for (const row of stored) {
            const p = locked[row.i - 1] as Pending;
            if (row.expired) expired.push(p);
            else if (row.request_hash !== p.claim?.requestHash) results.set(p, reused());
            else results.set(p, { status: row.response_status, body: row.response_body, replayed: true });
          }
          if (expired.length) {
            await client.query(
              `delete from es.idempotency_keys k using unnest($1::text[], $2::text[], $3::text[]) as t(scope, endpoint, key)
                where k.scope = t.scope and k.endpoint = t.endpoint and k.idempotency_key = t.key`,
              [expired.map((p) => p.claim?.scope), expired.map((p) => p.claim?.endpoint), expired.map((p) => p.claim?.key)],
            );
          }
        }
      }
      // 3. append every remaining payment in one statement, then remember the keyed responses
      const fresh = batch.filter((p) => !results.has(p));
      if (fresh.length) {
        const { recorded, conflicts } = await this.eventStore.appendMany(
          client,
          fresh.map((p) => p.append),
        );
        if (conflicts.length) throw new Error(`new payment ids collided: ${conflicts.join(', ')}`);
        const byStream = new Map(recorded.map((e) => [e.streamId, e]));
        const keyed: { claim: KeyClaim; response: StoredResponse }[] = [];
        for (const p of fresh) {
          const position = byStream.get(p.append.streamId)?.position;
          const response = { status: p.response.status, body: { ...p.response.body, position } };
          results.set(p, { ...response, replayed: false });
          if (p.claim) keyed.push({ claim: p.claim, response });
        }
        if (keyed.length) {
          await client.query({
            name: 'idempotency-remember',
            text: `insert into es.idempotency_keys (scope, endpoint, idempotency_key, request_hash, response_status, response_body, expires_at)
             select scope, endpoint, key, hash, status, body, now() + make_interval(secs => $7)
               from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::jsonb[]) as t(scope, endpoint, key, hash, status, body)`,
            values: [
              keyed.map((k) => k.claim.scope),
              keyed.map((k) => k.claim.endpoint),
              keyed.map((k) => k.claim.key),
              keyed.map((k) => k.claim.requestHash),
              keyed.map((k) => k.response.status),
              keyed.map((k) => JSON.stringify(k.response.body)),
              this.options.ttlSeconds,
            ],
          });
        }
      }
      return results;
    });
    for (const [p, outcome] of settled) outcomes.set(p, outcome);
  }
}

const UNIQUE_VIOLATION = '23505';

// $1..$14: one array element per request (lock name, key columns, the event as eventColumns gives it, the
// response); $15 topic; $16 key TTL.
const ONE_STATEMENT_SQL = `
with input as (
  select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::uuid[], $7::uuid[], $8::int[], $9::text[],
                       $10::json[], $11::json[], $12::timestamptz[], $13::int[], $14::jsonb[])
    with ordinality as t(lock_name, scope, endpoint, key, request_hash, event_id, stream_id, stream_version, type, data, metadata,
                         occurred_at, response_status, response_body, ord)
), claimed as materialized (
  select ord, lock_name is null or pg_try_advisory_xact_lock(hashtextextended(lock_name, 7)) as locked from input
), stored as materialized (
  select t.ord, k.request_hash, k.response_status, k.response_body, k.expires_at <= now() as expired
    from input t join es.idempotency_keys k on k.scope = t.scope and k.endpoint = t.endpoint and k.idempotency_key = t.key
), fresh as materialized (
  select t.event_id, t.stream_id, t.stream_version, t.type, t.data, t.metadata, t.occurred_at, t.ord
    from input t join claimed c on c.ord = t.ord
   where c.locked and not exists (select 1 from stored s where s.ord = t.ord)
), ${appendCtes('fresh', '$15')}, remember as (
  insert into es.idempotency_keys (scope, endpoint, idempotency_key, request_hash, response_status, response_body, expires_at)
  select t.scope, t.endpoint, t.key, t.request_hash, t.response_status,
         t.response_body || jsonb_build_object('position', ins.position), now() + make_interval(secs => $16)
    from ins join input t on t.event_id = ins.event_id
   where t.key is not null
)
select t.ord, c.locked, s.request_hash as stored_hash, s.response_status as stored_status, s.response_body as stored_body,
       s.expired, ins.position
  from input t join claimed c on c.ord = t.ord left join stored s on s.ord = t.ord left join ins on ins.event_id = t.event_id
 order by t.ord`;
