// Group commit for new payments: requests share transactions. A batch leaves once `lingerMs` passed since
// its oldest request arrived, or at once when `flushAt` requests wait; requests that arrive while
// transactions are in flight wait for one to finish. The bounded wait is what makes batches at moderate
// rates. Under load, one commit (one WAL flush) carries many payments.
//
// A batch is normally one statement, one round trip, its own transaction: it claims the idempotency keys,
// appends the other payments with their outbox rows and stores their keyed responses. The key rules (lock,
// look up, expire, replay or refuse, store) are idempotency.ts's, in SQL form for this statement; a key seen
// twice in one batch is in flight for the later requests. The rare cases that statement leaves alone take the
// careful path, one statement per step in one transaction: keys whose stored response expired, and a batch
// that lost a race for a key (a transaction that committed the key after the statement's snapshot was taken
// makes the key insert fail; the careful path then sees the key).

import { HttpError } from '@payments/runtime/http';
import { type AppendRequest, appendCtes, type EventStore, eventColumns, type Pool, withTransaction } from '@payments/runtime/pg';
import {
  claimKeys,
  judgeKey,
  KEY_CLAIM_CTES,
  type KeyClaim,
  keyInFlight,
  keyRememberCte,
  lockName,
  rememberResponses,
  type StoredKeyRow,
  type StoredResponse,
  storedKey,
} from './idempotency.ts';

export type PaymentWrite = {
  claim: KeyClaim | null;
  /** A new payment: one event at version 1. */
  append: AppendRequest;
  /** The response for the payment; the committer adds the event's `position` to the body. */
  response: { status: number; body: Record<string, unknown> };
};
export type WriteOutcome = StoredResponse & { replayed: boolean };

type Pending = PaymentWrite & { queuedAt: number; resolve: (outcome: WriteOutcome) => void; reject: (error: unknown) => void };

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
      if (name && seen.has(name)) outcomes.set(p, keyInFlight());
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
    const { rows } = await this.pool.query<{ ord: number; locked: boolean; position: number | null } & StoredKeyRow>({
      name: 'group-commit',
      text: ONE_STATEMENT_SQL,
      values,
    });
    const careful: Pending[] = [];
    for (const row of rows) {
      const p = batch[row.ord - 1] as Pending;
      const judged = p.claim ? judgeKey(p.claim, row.locked, storedKey(row)) : 'fresh';
      if (judged === 'expired') careful.push(p);
      else if (judged instanceof HttpError) outcomes.set(p, judged);
      else if (judged !== 'fresh') outcomes.set(p, { ...judged, replayed: true });
      else if (row.position === null) throw new Error(`new payment id collided: ${p.append.streamId}`);
      else outcomes.set(p, { status: p.response.status, body: { ...p.response.body, position: row.position }, replayed: false });
    }
    return careful;
  }

  /** One statement per step in one transaction: takes over what the single statement leaves. */
  private async commitCarefully(batch: Pending[], outcomes: Map<Pending, WriteOutcome | HttpError>): Promise<void> {
    const settled = await withTransaction(this.pool, async (client) => {
      const results = new Map<Pending, WriteOutcome | HttpError>();
      // 1. claim the keys: replay, refuse, or go on
      const keyed = batch.filter((p) => p.claim);
      const claims = await claimKeys(
        client,
        keyed.map((p) => p.claim as KeyClaim),
      );
      keyed.forEach((p, i) => {
        const outcome = claims[i];
        if (outcome instanceof HttpError) results.set(p, outcome);
        else if (outcome && outcome !== 'fresh') results.set(p, { ...outcome, replayed: true });
      });
      // 2. append every remaining payment in one statement, then store the keyed responses
      const fresh = batch.filter((p) => !results.has(p));
      if (fresh.length) {
        const { recorded, conflicts } = await this.eventStore.appendMany(
          client,
          fresh.map((p) => p.append),
        );
        if (conflicts.length) throw new Error(`new payment ids collided: ${conflicts.join(', ')}`);
        const byStream = new Map(recorded.map((e) => [e.streamId, e]));
        const remembered: { claim: KeyClaim; response: StoredResponse }[] = [];
        for (const p of fresh) {
          const position = byStream.get(p.append.streamId)?.position;
          const response = { status: p.response.status, body: { ...p.response.body, position } };
          results.set(p, { ...response, replayed: false });
          if (p.claim) remembered.push({ claim: p.claim, response });
        }
        await rememberResponses(client, remembered, this.options.ttlSeconds);
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
), ${KEY_CLAIM_CTES}, fresh as materialized (
  select t.event_id, t.stream_id, t.stream_version, t.type, t.data, t.metadata, t.occurred_at, t.ord
    from input t join claimed c on c.ord = t.ord
   where c.locked and not exists (select 1 from stored s where s.ord = t.ord)
), ${appendCtes('fresh', '$15')}, ${keyRememberCte('$16')}
select t.ord, c.locked, s.stored_hash, s.stored_status, s.stored_body, s.expired, ins.position
  from input t join claimed c on c.ord = t.ord left join stored s on s.ord = t.ord left join ins on ins.event_id = t.event_id
 order by t.ord`;
