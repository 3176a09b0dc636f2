// Group commit for new payments: requests share transactions. A batch leaves once `lingerMs` passed since
// its oldest request arrived (or it is full); requests that arrive while transactions are in flight wait for
// one to finish. The bounded wait is what makes batches at moderate rates: commits here take a millisecond
// or two, so without it each payment would pay a transaction's six round trips alone. Under load, one commit
// (one WAL flush) carries many payments. Every guarantee of the single-request path holds per payment:
// each idempotency key is claimed with its own advisory lock and stored with its payment, a key seen twice
// in one batch is "in flight" for the second, and the event, outbox and key rows commit together.

import { type AppendRequest, type EventStore, HttpError, type Pool, withTransaction } from '@payments/runtime';
import type { RecordedEvent } from '@payments/schemas';
import { type KeyClaim, lockName, type StoredResponse } from './idempotency.ts';

export type PaymentWrite = {
  claim: KeyClaim | null;
  append: AppendRequest;
  /** The response for the payment, once its event is recorded. */
  respond: (event: RecordedEvent) => StoredResponse;
};
export type WriteOutcome = StoredResponse & { replayed: boolean };

type Pending = PaymentWrite & { queuedAt: number; resolve: (outcome: WriteOutcome) => void; reject: (error: unknown) => void };

const inFlight = () => new HttpError(409, 'idempotency_key_in_use', 'a request with this Idempotency-Key is still in flight');
const reused = () => new HttpError(422, 'idempotency_key_reused', 'this Idempotency-Key was used with a different request body');

export class GroupCommitter {
  private queue: Pending[] = [];
  private running = 0;
  private readonly pool: Pool;
  private readonly eventStore: EventStore;
  private readonly options: { maxBatch: number; maxConcurrent: number; lingerMs: number; ttlSeconds: number };
  private timer: NodeJS.Timeout | null = null;

  constructor(
    pool: Pool,
    eventStore: EventStore,
    options: { maxBatch?: number; maxConcurrent?: number; lingerMs?: number; ttlSeconds: number },
  ) {
    this.pool = pool;
    this.eventStore = eventStore;
    this.options = {
      maxBatch: options.maxBatch ?? 128,
      maxConcurrent: options.maxConcurrent ?? 2,
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
      if (this.queue.length < this.options.maxBatch && waited < this.options.lingerMs) {
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
    const settled = await withTransaction(this.pool, async (client) => {
      const outcomes = new Map<Pending, WriteOutcome | HttpError>();
      // 1. claim keys: one lock attempt each, a key repeated inside the batch is in flight for the later ones
      const claimed = batch.filter((p) => p.claim);
      const seen = new Set<string>();
      const lockable: Pending[] = [];
      for (const p of claimed) {
        const name = lockName(p.claim as KeyClaim);
        if (seen.has(name)) outcomes.set(p, inFlight());
        else {
          seen.add(name);
          lockable.push(p);
        }
      }
      if (lockable.length) {
        const { rows } = await client.query<{ ok: boolean }>({
          name: 'idempotency-lock',
          text: 'select pg_try_advisory_xact_lock(hashtextextended(n, 7)) as ok from unnest($1::text[]) with ordinality as t(n, i) order by i',
          values: [lockable.map((p) => lockName(p.claim as KeyClaim))],
        });
        const locked = lockable.filter((p, i) => {
          if (rows[i]?.ok) return true;
          outcomes.set(p, inFlight());
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
            else if (row.request_hash !== p.claim?.requestHash) outcomes.set(p, reused());
            else outcomes.set(p, { status: row.response_status, body: row.response_body, replayed: true });
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
      const fresh = batch.filter((p) => !outcomes.has(p));
      if (fresh.length) {
        const { recorded, conflicts } = await this.eventStore.appendMany(
          client,
          fresh.map((p) => p.append),
        );
        if (conflicts.length) throw new Error(`new payment ids collided: ${conflicts.join(', ')}`);
        const byStream = new Map(recorded.map((e) => [e.streamId, e]));
        const keyed: { claim: KeyClaim; response: StoredResponse }[] = [];
        for (const p of fresh) {
          const response = p.respond(byStream.get(p.append.streamId) as RecordedEvent);
          outcomes.set(p, { ...response, replayed: false });
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
      return outcomes;
    });
    // answered only after COMMIT: an accepted payment is durable before anyone hears of it
    for (const p of batch) {
      const outcome = settled.get(p);
      if (outcome instanceof HttpError) p.reject(outcome);
      else if (outcome) p.resolve(outcome);
      else p.reject(new Error('payment write lost its outcome'));
    }
  }
}
