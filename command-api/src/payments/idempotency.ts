// Idempotency keys (IETF draft "The Idempotency-Key HTTP Header Field", with Stripe's behaviour). The key is
// claimed with a transaction-scoped advisory lock, and the first response is stored in the same transaction
// as the payment it created: a crash leaves neither, a commit leaves both. A second request with the key
// while the first is in flight cannot take the lock (409); after it, it finds the stored response and
// replays it (same body) or refuses (another body: 422).
import { createHash } from 'node:crypto';
import { HttpError } from '@payments/runtime/http';
import type { PoolClient } from '@payments/runtime/pg';

export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

export type StoredResponse = { status: number; body: unknown };
/**
 * A key claimed by one request. `scope` and `endpoint` name the key space (a merchant's payments, an
 * analyst's reviews); `requestHash` binds the key to the whole request it was first used with.
 */
export type KeyClaim = { scope: string; endpoint: string; key: string; requestHash: string };

/**
 * A hash of the whole request: method and route, path parameters and body, ignoring key order and
 * whitespace. The same key on another payment, another route or another body is a different request (422).
 */
export function requestHash(route: string, params: Record<string, string>, body: unknown): string {
  const hash = createHash('sha256').update(route).update('\n');
  // a route without parameters hashes as before parameters were part of the hash, so stored keys still match
  if (Object.keys(params).length > 0) hash.update(canonicalJson(params)).update('\n');
  return hash.update(canonicalJson(body)).digest('base64url');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** The advisory lock that marks a key in flight: one name per scope, endpoint and key. */
export const lockName = (claim: KeyClaim) => `${claim.scope}\n${claim.endpoint}\n${claim.key}`;

export const keyInFlight = () => new HttpError(409, 'idempotency_key_in_use', 'a request with this Idempotency-Key is still in flight');
export const keyReused = () => new HttpError(422, 'idempotency_key_reused', 'this Idempotency-Key was used with a different request');

/** A key's stored row, as every lookup below reads it. */
export type StoredKey = { requestHash: string; status: number; body: unknown; expired: boolean };

/**
 * What a request does with its key, given whether it took the key's lock and what is stored under it: go on
 * (`fresh`), forget an expired response and go on (`expired`), replay the stored response, or refuse.
 */
export function judgeKey(
  claim: KeyClaim,
  locked: boolean,
  stored: StoredKey | undefined,
): 'fresh' | 'expired' | StoredResponse | HttpError {
  if (!locked) return keyInFlight();
  if (!stored) return 'fresh';
  if (stored.expired) return 'expired';
  if (stored.requestHash !== claim.requestHash) return keyReused();
  return { status: stored.status, body: stored.body };
}

/** The outcome of a claim: go on with the request, or answer with this (a replay or a refusal). */
export type ClaimOutcome = 'fresh' | StoredResponse | HttpError;

/**
 * Claims keys inside the caller's transaction, in order: each takes its lock (one already taken is in
 * flight), finds what is stored under it, forgets an expired response. A request whose outcome is `fresh`
 * goes on, and its response is stored with `rememberResponses` in the same transaction.
 */
export async function claimKeys(client: PoolClient, claims: readonly KeyClaim[]): Promise<ClaimOutcome[]> {
  if (claims.length === 0) return [];
  const { rows: locks } = await client.query<{ ok: boolean }>({
    name: 'idempotency-lock',
    text: 'select pg_try_advisory_xact_lock(hashtextextended(n, 7)) as ok from unnest($1::text[]) with ordinality as t(n, i) order by i',
    values: [claims.map(lockName)],
  });
  const { rows: stored } = await client.query<{ i: number } & StoredKeyRow>({
    name: 'idempotency-stored',
    text: `select t.i, ${STORED_COLUMNS}
       from unnest($1::text[], $2::text[], $3::text[]) with ordinality as t(scope, endpoint, key, i)
       join es.idempotency_keys k on k.scope = t.scope and k.endpoint = t.endpoint and k.idempotency_key = t.key`,
    values: [claims.map((c) => c.scope), claims.map((c) => c.endpoint), claims.map((c) => c.key)],
  });
  const byIndex = new Map(stored.map((row) => [row.i - 1, storedKey(row)]));
  const outcomes = claims.map((claim, i) => judgeKey(claim, locks[i]?.ok === true, byIndex.get(i)));
  const expired = claims.filter((_, i) => outcomes[i] === 'expired');
  if (expired.length) {
    await client.query(
      `delete from es.idempotency_keys k using unnest($1::text[], $2::text[], $3::text[]) as t(scope, endpoint, key)
        where k.scope = t.scope and k.endpoint = t.endpoint and k.idempotency_key = t.key`,
      [expired.map((c) => c.scope), expired.map((c) => c.endpoint), expired.map((c) => c.key)],
    );
  }
  return outcomes.map((o) => (o === 'expired' ? 'fresh' : o));
}

/** Stores each first response under its key, in the transaction that claimed the keys. */
export async function rememberResponses(
  client: PoolClient,
  entries: readonly { claim: KeyClaim; response: StoredResponse }[],
  ttlSeconds: number,
): Promise<void> {
  if (entries.length === 0) return;
  await client.query({
    name: 'idempotency-remember',
    text: `insert into es.idempotency_keys (scope, endpoint, idempotency_key, request_hash, response_status, response_body, expires_at)
     select scope, endpoint, key, hash, status, body, now() + make_interval(secs => $7)
       from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::jsonb[]) as t(scope, endpoint, key, hash, status, body)`,
    values: [
      entries.map((e) => e.claim.scope),
      entries.map((e) => e.claim.endpoint),
      entries.map((e) => e.claim.key),
      entries.map((e) => e.claim.requestHash),
      entries.map((e) => e.response.status),
      entries.map((e) => JSON.stringify(e.response.body)),
      ttlSeconds,
    ],
  });
}

/** A stored key's columns, named as every lookup reads them (`k` is es.idempotency_keys). */
export const STORED_COLUMNS =
  'k.request_hash as stored_hash, k.response_status as stored_status, k.response_body as stored_body, k.expires_at <= now() as expired';
export type StoredKeyRow = { stored_hash: string | null; stored_status: number | null; stored_body: unknown; expired: boolean | null };

/** A row with STORED_COLUMNS as a stored key, or undefined when the key has none. */
export function storedKey(row: StoredKeyRow): StoredKey | undefined {
  if (row.stored_hash === null) return undefined;
  return { requestHash: row.stored_hash, status: row.stored_status as number, body: row.stored_body, expired: row.expired === true };
}

/**
 * The one-statement form of claimKeys and rememberResponses, for the group commit: CTEs over `input` (with
 * columns lock_name, scope, endpoint, key, request_hash, event_id, response_status, response_body, ord) that
 * take each lock (`claimed`), read what is stored (`stored`), and, once `ins` holds the appended events, store
 * each keyed response with its event's position (`remember`, key TTL in `ttlParam`). judgeKey reads the result.
 */
export const KEY_CLAIM_CTES = `claimed as materialized (
  select ord, lock_name is null or pg_try_advisory_xact_lock(hashtextextended(lock_name, 7)) as locked from input
), stored as materialized (
  select t.ord, ${STORED_COLUMNS}
    from input t join es.idempotency_keys k on k.scope = t.scope and k.endpoint = t.endpoint and k.idempotency_key = t.key
)`;
export const keyRememberCte = (ttlParam: string) => `remember as (
  insert into es.idempotency_keys (scope, endpoint, idempotency_key, request_hash, response_status, response_body, expires_at)
  select t.scope, t.endpoint, t.key, t.request_hash, t.response_status,
         t.response_body || jsonb_build_object('position', ins.position), now() + make_interval(secs => ${ttlParam})
    from ins join input t on t.event_id = ins.event_id
   where t.key is not null
)`;

/**
 * Deletes expired keys in small batches; run periodically by the server. The ORDER BY keeps the plan on the
 * expires_at index whatever the statistics say: unordered, a table not yet analyzed was read whole to find none.
 */
export async function deleteExpiredKeys(db: { query: PoolClient['query'] }): Promise<number> {
  const result = await db.query(
    `delete from es.idempotency_keys where ctid in
       (select ctid from es.idempotency_keys where expires_at <= now() order by expires_at limit 5000)`,
  );
  return result.rowCount ?? 0;
}
