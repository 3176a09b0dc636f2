// The command side's guarantees on real PostgreSQL and Kafka: every rejection writes nothing, idempotency
// under concurrency, optimistic concurrency on review, and the outbox's at-least-once delivery.
import { createPublicKey } from 'node:crypto';
import { buildCommandApi, deleteExpiredKeys, requestHash } from '@payments/command-api';
import { TokenIssuer, TokenVerifier } from '@payments/runtime/auth';
import { createRegistry } from '@payments/runtime/metrics';
import { EventStore, wakeRelays } from '@payments/runtime/pg';
import { MerchantPositions } from '@payments/runtime/positions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows, eventually, get, logger, post, type Stack, startStack } from './support/stack.ts';
import { hostileTokens, signed, signingKey } from './support/tokens.ts';

let stack: Stack;
// The relay is off in this file so outbox rows stay countable; the walking skeleton covers publishing.
beforeAll(async () => {
  stack = await startStack({ parts: ['command', 'query'], env: { RELAY_ENABLED: 'false' } });
});
afterAll(async () => {
  await stack?.stop();
});

const pay = (body: unknown, token: string | null, headers: Record<string, string> = {}) =>
  post(`${stack.commandUrl}/api/payments`, token, body, headers);

describe('rejections answer their status and write nothing', () => {
  it('bad tokens are 401 and wrong roles or merchants are 403', async () => {
    const valid = { merchantId: 'M123', amount: 10, currency: 'INR' };
    const before = await countRows(stack.db.pool);
    expect((await pay(valid, null)).status).toBe(401);
    for (const [name, token] of Object.entries(await hostileTokens(stack.env.DATA_DIR as string))) {
      const res = await pay(valid, token);
      expect({ name, status: res.status, error: res.body.error }).toEqual({ name, status: 401, error: 'unauthorized' });
    }
    expect((await pay(valid, await stack.token('viewer'))).status).toBe(403);
    expect((await pay(valid, await stack.token('analyst'))).status).toBe(403);
    expect((await pay({ ...valid, merchantId: 'M456' }, await stack.token('merchant-M123'))).status).toBe(403);
    const forgedRole = await signed(stack.env.DATA_DIR as string, { role: 'superuser' });
    expect((await pay(valid, forgedRole)).status).toBe(401);
    expect(await countRows(stack.db.pool)).toEqual(before);
  });

  it('invalid bodies, amounts, currencies and headers are 4xx naming the problem', async () => {
    const token = await stack.token('merchant-M123');
    const before = await countRows(stack.db.pool);
    const cases: [string, unknown, number, RegExp, Record<string, string>?][] = [
      ['unknown property', { merchantId: 'M123', amount: 1, currency: 'INR', extra: 1 }, 400, /unknown property/],
      ['missing amount', { merchantId: 'M123', currency: 'INR' }, 400, /amount/],
      ['boolean amount', { merchantId: 'M123', amount: true, currency: 'INR' }, 400, /amount/],
      ['negative', { merchantId: 'M123', amount: -5, currency: 'INR' }, 400, /amount/],
      ['zero', { merchantId: 'M123', amount: 0, currency: 'INR' }, 400, /amount/],
      ['too many decimals', { merchantId: 'M123', amount: '49.999', currency: 'INR' }, 400, /amount/],
      ['decimals in JPY', { merchantId: 'M123', amount: '1.5', currency: 'JPY' }, 400, /amount/],
      ['exponent form', { merchantId: 'M123', amount: '1e3', currency: 'INR' }, 400, /amount/],
      ['over the maximum', { merchantId: 'M123', amount: '1000000000.01', currency: 'INR' }, 400, /amount/],
      ['lower-case currency', { merchantId: 'M123', amount: 5, currency: 'inr' }, 400, /currency/],
      ['unknown currency', { merchantId: 'M123', amount: 5, currency: 'XYZ' }, 400, /currency|amount/],
      ['malformed JSON', '{"merchantId":', 400, /JSON/i],
      ['__proto__ key', '{"merchantId":"M123","amount":5,"currency":"INR","__proto__":{"x":1}}', 400, /./],
      ['too long reference', { merchantId: 'M123', amount: 5, currency: 'INR', reference: 'x'.repeat(129) }, 400, /reference/],
      [
        'too long Idempotency-Key',
        { merchantId: 'M123', amount: 5, currency: 'INR' },
        400,
        /Idempotency-Key/,
        { 'idempotency-key': 'k'.repeat(256) },
      ],
    ];
    for (const [name, body, status, message, headers] of cases) {
      const res = await pay(body, token, headers);
      expect({ name, status: res.status }).toEqual({ name, status });
      expect(typeof res.body.error).toBe('string');
      expect(res.body.message).toMatch(message);
    }
    const wrongType = await fetch(`${stack.commandUrl}/api/payments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' },
      body: 'hello',
    });
    expect(wrongType.status).toBe(415);
    const huge = await pay({ merchantId: 'M123', amount: 5, currency: 'INR', reference: 'x'.repeat(100_000) }, token);
    expect(huge.status).toBe(413);
    expect(await countRows(stack.db.pool)).toEqual(before);
  });
});

describe('money is exact', () => {
  it('stores integer minor units by the currency exponent', async () => {
    const token = await stack.token('merchant-M123');
    const cases = [
      [{ amount: '49.99', currency: 'INR' }, 4999, '49.99'],
      [{ amount: 0.29, currency: 'INR' }, 29, '0.29'],
      [{ amount: 5000, currency: 'JPY' }, 5000, '5000'],
      [{ amount: '1.005', currency: 'BHD' }, 1005, '1.005'],
    ] as const;
    for (const [input, minor, major] of cases) {
      const res = await pay({ merchantId: 'M123', ...input }, token);
      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({ amountMinor: minor, amount: major });
      const { rows } = await stack.db.pool.query(`select data->'amountMinor' as m from es.events where stream_id = $1`, [
        res.body.paymentId,
      ]);
      expect(rows[0].m).toBe(minor);
    }
  });
});

describe('idempotency keys', () => {
  it('50 concurrent requests with one key create exactly one payment, one event and one outbox row', async () => {
    const token = await stack.token('merchant-M123');
    const before = await countRows(stack.db.pool);
    const body = { merchantId: 'M123', amount: '120.50', currency: 'INR', reference: 'order-77' };
    const responses = await Promise.all(Array.from({ length: 50 }, () => pay(body, token, { 'idempotency-key': 'order-77-attempt' })));
    const accepted = responses.filter((r) => r.status === 202);
    const inFlight = responses.filter((r) => r.status === 409);
    expect(accepted.length + inFlight.length).toBe(50);
    expect(accepted.length).toBeGreaterThanOrEqual(1);
    expect(new Set(accepted.map((r) => r.body.paymentId)).size).toBe(1);
    expect(inFlight.every((r) => r.body.error === 'idempotency_key_in_use')).toBe(true);
    const after = await countRows(stack.db.pool);
    expect(after).toEqual({ events: before.events + 1, outbox: before.outbox + 1, keys: before.keys + 1 });

    const replay = await pay({ currency: 'INR', reference: 'order-77', amount: '120.50', merchantId: 'M123' }, token, {
      'idempotency-key': 'order-77-attempt',
    });
    expect(replay.status).toBe(202);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(accepted[0]?.body);

    const reused = await pay({ ...body, amount: '999' }, token, { 'idempotency-key': 'order-77-attempt' });
    expect(reused.status).toBe(422);
    expect(await countRows(stack.db.pool)).toEqual(after);
  });

  it('a key whose stored response expired is forgotten: the request creates a new payment and the new response is stored', async () => {
    const token = await stack.token('merchant-M123');
    const body = { merchantId: 'M123', amount: '10.00', currency: 'INR', reference: 'expiring' };
    const first = await pay(body, token, { 'idempotency-key': 'expiring-key' });
    expect(first.status).toBe(202);
    await stack.db.pool.query(
      `update es.idempotency_keys set expires_at = now() - interval '1 second' where idempotency_key = 'expiring-key'`,
    );
    const before = await countRows(stack.db.pool);
    const second = await pay(body, token, { 'idempotency-key': 'expiring-key' });
    expect(second.status).toBe(202);
    expect(second.headers.get('idempotent-replayed')).toBeNull();
    expect(second.body.paymentId).not.toBe(first.body.paymentId);
    expect(await countRows(stack.db.pool)).toEqual({ events: before.events + 1, outbox: before.outbox + 1, keys: before.keys });
    const replay = await pay(body, token, { 'idempotency-key': 'expiring-key' });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(second.body);
  });

  it('the periodic cleanup deletes expired keys and keeps live ones', async () => {
    const token = await stack.token('merchant-M123');
    for (const key of ['cleanup-expired', 'cleanup-live']) {
      const res = await pay({ merchantId: 'M123', amount: '1.00', currency: 'INR' }, token, { 'idempotency-key': key });
      expect(res.status).toBe(202);
    }
    await stack.db.pool.query(
      `update es.idempotency_keys set expires_at = now() - interval '1 second' where idempotency_key = 'cleanup-expired'`,
    );
    expect(await deleteExpiredKeys(stack.db.pool)).toBeGreaterThanOrEqual(1);
    const { rows } = await stack.db.pool.query<{ idempotency_key: string }>(
      `select idempotency_key from es.idempotency_keys where idempotency_key like 'cleanup-%'`,
    );
    expect(rows.map((r) => r.idempotency_key)).toEqual(['cleanup-live']);
  });

  it('a key committed by another transaction after the batch read its keys is replayed, and nothing is written twice', async () => {
    const token = await stack.token('merchant-M123');
    const body = { merchantId: 'M123', amount: '11.00', currency: 'INR', reference: 'raced' };
    const stored = {
      paymentId: '00000000-0000-7000-8000-000000000001',
      status: 'PENDING',
      merchantId: 'M123',
      amount: '11.00',
      amountMinor: 1100,
      currency: 'INR',
      reference: 'raced',
      createdAt: '2026-01-01T00:00:00.000Z',
      position: 1,
    };
    // another writer inserts the key without holding its lock and commits while our request is blocked on it
    const other = await stack.db.pool.connect();
    try {
      await other.query('begin');
      await other.query(
        `insert into es.idempotency_keys (scope, endpoint, idempotency_key, request_hash, response_status, response_body, expires_at)
         values ('M123', 'POST /api/payments', 'raced-key', $1, 202, $2, now() + interval '1 hour')`,
        [requestHash('POST /api/payments', {}, body), JSON.stringify(stored)],
      );
      const before = await countRows(stack.db.pool);
      const pending = pay(body, token, { 'idempotency-key': 'raced-key' });
      await eventually(
        async () => {
          const { rows } = await stack.db.pool.query(
            `select 1 from pg_stat_activity where wait_event_type = 'Lock' and query like '%es.idempotency_keys%'`,
          );
          return rows.length > 0 ? true : undefined;
        },
        10_000,
        'the request to block on the uncommitted key',
      );
      await other.query('commit');
      const response = await pending;
      expect(response.status).toBe(202);
      expect(response.headers.get('idempotent-replayed')).toBe('true');
      // the stored global position, as a merchant is shown it (permuted)
      expect(response.body).toEqual({ ...stored, position: expect.any(Number) });
      expect(response.body.position).not.toBe(stored.position);
      expect(await countRows(stack.db.pool)).toEqual({ ...before, keys: before.keys + 1 });
    } finally {
      other.release();
    }
  });

  it('keys are scoped per merchant', async () => {
    const a = await pay({ merchantId: 'M123', amount: 1, currency: 'INR' }, await stack.token('merchant-M123'), {
      'idempotency-key': 'shared-key',
    });
    const b = await pay({ merchantId: 'M456', amount: 1, currency: 'INR' }, await stack.token('merchant-M456'), {
      'idempotency-key': 'shared-key',
    });
    expect(a.status).toBe(202);
    expect(b.status).toBe(202);
    expect(a.body.paymentId).not.toBe(b.body.paymentId);
  });
});

describe('review commands', () => {
  async function paymentInReview(): Promise<string> {
    // decided directly in the store: this file runs without the authorizer
    const res = await pay({ merchantId: 'M123', amount: 20000, currency: 'INR' }, await stack.token('merchant-M123'));
    const id = res.body.paymentId as string;
    await stack.db.pool.query(
      `insert into es.events (event_id, stream_id, stream_version, type, schema_version, data, metadata, occurred_at)
       values (gen_random_uuid(), $1, 2, 'PaymentFlaggedForReview', 1, $2, '{"correlationId":"t","actor":"authorizer"}', now())`,
      [
        id,
        JSON.stringify({
          paymentId: id,
          decision: {
            ruleId: 'amount-threshold',
            ruleSetVersion: 1,
            reason: 'test',
            inputs: { amountMinor: 2000000, currency: 'INR', reviewThresholdMinor: 1000000 },
          },
        }),
      ],
    );
    return id;
  }

  it('two concurrent approvals of one payment: one succeeds, one gets 409', async () => {
    const id = await paymentInReview();
    const analyst = await stack.token('analyst');
    const results = await Promise.all([
      post(`${stack.commandUrl}/api/payments/${id}/approve`, analyst, { reason: 'first' }),
      post(`${stack.commandUrl}/api/payments/${id}/approve`, analyst, { reason: 'second' }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const { rows } = await stack.db.pool.query(
      `select count(*)::int as n from es.events where stream_id = $1 and type = 'PaymentApproved'`,
      [id],
    );
    expect(rows[0].n).toBe(1);
  });

  it('approve and decline are for analysts, 404 for an unknown payment, 409 unless in REVIEW', async () => {
    const analyst = await stack.token('analyst');
    const merchant = await stack.token('merchant-M123');
    const id = await paymentInReview();
    expect((await post(`${stack.commandUrl}/api/payments/${id}/decline`, merchant, {})).status).toBe(403);
    expect((await post(`${stack.commandUrl}/api/payments/${id}/decline`, await stack.token('viewer'), {})).status).toBe(403);
    expect((await post(`${stack.commandUrl}/api/payments/0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b/approve`, analyst, {})).status).toBe(404);
    const declined = await post(`${stack.commandUrl}/api/payments/${id}/decline`, analyst, { reason: 'card reported stolen' });
    expect(declined.status).toBe(200);
    const again = await post(`${stack.commandUrl}/api/payments/${id}/approve`, analyst, {});
    expect(again.status).toBe(409);
    const { rows } = await stack.db.pool.query(
      `select metadata->>'actor' as actor, data->>'reason' as reason from es.events where stream_id = $1 and stream_version = 3`,
      [id],
    );
    expect(rows[0]).toEqual({ actor: 'analyst:analyst', reason: 'card reported stolen' });
    const pending = await pay({ merchantId: 'M123', amount: 5, currency: 'INR' }, merchant);
    expect((await post(`${stack.commandUrl}/api/payments/${pending.body.paymentId}/approve`, analyst, {})).status).toBe(409);
  });
});

describe('tokens', () => {
  it('the token endpoint rejects a wrong secret and the JWKS verifies issued tokens on the query API', async () => {
    const bad = await post(`${stack.commandUrl}/api/auth/token`, null, { clientId: 'analyst', clientSecret: 'wrong' });
    expect(bad.status).toBe(401);
    const unknown = await post(`${stack.commandUrl}/api/auth/token`, null, { clientId: 'nobody', clientSecret: 'x' });
    expect(unknown.status).toBe(401);
    const jwks = await get(`${stack.commandUrl}/.well-known/jwks.json`, null);
    expect((jwks.body.keys as { alg: string; d?: string }[])[0]).toMatchObject({ alg: 'RS256', kty: 'RSA' });
    expect((jwks.body.keys as { d?: string }[])[0]?.d).toBeUndefined();
    const stats = await get(`${stack.queryUrl}/api/stats`, await stack.token('viewer'));
    expect(stats.status).toBe(200);
  });

  it('every command response carries the position of the event it wrote', async () => {
    const res = await pay({ merchantId: 'M123', amount: 7, currency: 'INR' }, await stack.token('merchant-M123'));
    const { rows } = await stack.db.pool.query('select position from es.events where stream_id = $1', [res.body.paymentId]);
    // a merchant is shown it permuted (runtime/src/merchant-positions.ts), as the query API shows it the event
    const events = await get(`${stack.queryUrl}/api/payments/${res.body.paymentId}/events`, await stack.token('merchant-M123'));
    expect(res.body.position).toBe((events.body.items as { position: number }[])[0]?.position);
    expect(res.body.position).not.toBe(rows[0].position);
    await eventually(async () => true);
  });
});

describe('rate limit', () => {
  it('past the per-merchant limit a merchant gets 429 with Retry-After, and another merchant is not limited', async () => {
    const key = signingKey(stack.env.DATA_DIR as string);
    const settings = { issuer: 'payments-command-api', audience: 'payments', ttlSeconds: 60 };
    const app = await buildCommandApi({
      logger,
      registry: createRegistry('rate-limit-test'),
      pool: stack.db.pool,
      eventStore: new EventStore({ topic: stack.env.EVENTS_TOPIC as string }),
      issuer: new TokenIssuer(key, settings),
      verifier: new TokenVerifier(createPublicKey(key), settings),
      idempotencyTtlSeconds: 60,
      rateLimitPerMinute: 3,
      tokenRateLimitPerMinute: 100,
      queryApiUrl: 'http://localhost:8081',
      corsOrigins: [],
      onAppended: () => void wakeRelays(stack.db.pool),
      merchantPositions: new MerchantPositions('a test secret of at least thirty-two characters'),
    });
    try {
      const send = async (merchantId: string) =>
        app.inject({
          method: 'POST',
          url: '/api/payments',
          headers: { authorization: `Bearer ${await stack.token(`merchant-${merchantId}`)}` },
          payload: { merchantId, amount: 1, currency: 'INR' },
        });
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await send('M123')).statusCode);
      expect(statuses).toEqual([202, 202, 202, 429]);
      const limited = await send('M123');
      expect(limited.statusCode).toBe(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(limited.json()).toMatchObject({ error: 'rate_limited' });
      expect((await send('M456')).statusCode).toBe(202);
    } finally {
      await app.close();
    }
  });
});
