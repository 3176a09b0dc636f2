// Idempotency keys (IETF draft "The Idempotency-Key HTTP Header Field", with Stripe's behaviour). The key is
// claimed with a transaction-scoped advisory lock, and the first response is stored in the same transaction
// as the payment it created: a crash leaves neither, a commit leaves both. A second request with the key
// while the first is in flight cannot take the lock (409); after it, it finds the stored response and
// replays it (same body) or refuses (another body: 422).
import { createHash } from 'node:crypto';
import { conflict, HttpError } from '@payments/runtime/http';
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

/**
 * Claims the key inside the caller's transaction. Returns the stored response to replay, or null when this
 * request is the first and must go on (and later call `rememberResponse` in the same transaction).
 */
export async function claimKey(client: PoolClient, claim: KeyClaim): Promise<StoredResponse | null> {
  const { rows: locked } = await client.query<{ ok: boolean }>('select pg_try_advisory_xact_lock(hashtextextended($1, 7)) as ok', [
    lockName(claim),
  ]);
  if (!locked[0]?.ok) throw conflict('a request with this Idempotency-Key is still in flight', 'idempotency_key_in_use');
  const { rows } = await client.query<{ request_hash: string; response_status: number; response_body: unknown; expired: boolean }>(
    `select request_hash, response_status, response_body, expires_at <= now() as expired
       from es.idempotency_keys where scope = $1 and endpoint = $2 and idempotency_key = $3`,
    [claim.scope, claim.endpoint, claim.key],
  );
  const stored = rows[0];
  if (!stored) return null;
  if (stored.expired) {
    await client.query('delete from es.idempotency_keys where scope = $1 and endpoint = $2 and idempotency_key = $3', [
      claim.scope,
      claim.endpoint,
      claim.key,
    ]);
    return null;
  }
  if (stored.request_hash !== claim.requestHash) {
    throw new HttpError(422, 'idempotency_key_reused', 'this Idempotency-Key was used with a different request');
  }
  return { status: stored.response_status, body: stored.response_body };
}

export async function rememberResponse(client: PoolClient, claim: KeyClaim, response: StoredResponse, ttlSeconds: number): Promise<void> {
  await client.query(
    `insert into es.idempotency_keys (scope, endpoint, idempotency_key, request_hash, response_status, response_body, expires_at)
     values ($1, $2, $3, $4, $5, $6, now() + make_interval(secs => $7))`,
    [claim.scope, claim.endpoint, claim.key, claim.requestHash, response.status, JSON.stringify(response.body), ttlSeconds],
  );
}

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
