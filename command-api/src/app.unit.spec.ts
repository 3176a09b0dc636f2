// The command API's HTTP edge in process (app.inject(), no PostgreSQL, no Kafka): who may call each route,
// what is refused before anything is written, and the shape of what comes back. The pool and the event store
// are stubs that record what reached them. POST /api/payments is tested here only up to its refusals: its
// success is one group-commit statement (payments/group-commit.ts) that only PostgreSQL can answer, so it
// stays with the integration tests (tests/command-side.int.spec.ts).
import { hashSecret } from '@payments/runtime/auth';
import type { App } from '@payments/runtime/http';
import type { AppendRequest, EventStore } from '@payments/runtime/pg';
import { quietAppDeps, stubPool, testTokens } from '@payments/runtime/testing';
import { ReviewResultSchema, TokenResponseSchema } from '@payments/schemas';
import { paymentEvents, recorded } from '@payments/schemas/testing';
import { Value } from 'typebox/value';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildCommandApi } from './app.ts';

const tokens = testTokens();
const payment = paymentEvents({ merchantId: 'M123' });
const REVIEW_URL = `/api/payments/${payment.paymentId}`;

const db = stubPool();
let app: App;
let history: ReturnType<typeof recorded>;
let appended: AppendRequest[];
let wakeUps: number;

beforeAll(async () => {
  const eventStore = {
    topic: 'test.events',
    readStream: async () => history,
    append: async (_db: unknown, request: AppendRequest) => {
      appended.push(request);
      return recorded(request.events as never, 41);
    },
  } as unknown as EventStore;
  app = await buildCommandApi({
    ...quietAppDeps(),
    pool: db.pool,
    eventStore,
    issuer: tokens.issuer,
    verifier: tokens.verifier,
    idempotencyTtlSeconds: 60,
    onAppended: () => wakeUps++,
    rateLimitPerMinute: 1000,
    tokenRateLimitPerMinute: 1000,
    queryApiUrl: 'http://query.test',
  });
  await app.ready();
});
afterAll(async () => {
  await app?.close();
});
beforeEach(() => {
  db.reset();
  history = [];
  appended = [];
  wakeUps = 0;
});

/** A refusal as every route gives one: JSON {error, message}, no-store, and nothing reached the pool. */
function expectRefused(res: Awaited<ReturnType<App['inject']>>, status: number, error: string, mentions?: string) {
  expect({ status: res.statusCode, body: res.json() }).toEqual({
    status,
    body: { error, message: mentions ? expect.stringContaining(mentions) : expect.any(String) },
  });
  expect(res.headers['cache-control']).toBe('no-store');
  expect(db.queries).toEqual([]);
  expect(appended).toEqual([]);
}

describe('POST /api/auth/token', () => {
  const ask = (payload: unknown) => app.inject({ method: 'POST', url: '/api/auth/token', payload: payload as object });

  it('issues a token for a client whose secret matches, in the TokenResponse shape, never cached', async () => {
    const secretHash = await hashSecret('s3cret');
    db.answer = () => ({ rows: [{ secret_hash: secretHash, role: 'merchant', merchant_id: 'M123' }] });
    const res = await ask({ clientId: 'merchant-M123', clientSecret: 's3cret' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.json();
    expect(Value.Check(TokenResponseSchema, body)).toBe(true);
    expect(body).toMatchObject({ tokenType: 'Bearer', role: 'merchant', merchantId: 'M123', expiresIn: 300 });
    expect(await tokens.verifier.verify(body.accessToken)).toMatchObject({ sub: 'merchant-M123', role: 'merchant', merchantId: 'M123' });
    expect(db.queries).toEqual([{ sql: expect.stringContaining('from auth.clients'), params: ['merchant-M123'] }]);
  });

  it('refuses a wrong secret and an unknown client alike (401)', async () => {
    const secretHash = await hashSecret('s3cret');
    for (const rows of [[{ secret_hash: secretHash, role: 'analyst', merchant_id: null }], []]) {
      db.answer = () => ({ rows });
      const res = await ask({ clientId: 'analyst', clientSecret: 'wrong' });
      expect({ status: res.statusCode, error: res.json().error }).toEqual({ status: 401, error: 'unauthorized' });
    }
  });

  it.each([
    ['no secret', { clientId: 'analyst' }, '"clientSecret"'],
    ['an empty client id', { clientId: '', clientSecret: 'x' }, 'body.clientId'],
    ['an unknown field', { clientId: 'analyst', clientSecret: 'x', role: 'analyst' }, 'body.role'],
    ['a secret that is not a string', { clientId: 'analyst', clientSecret: 42 }, 'body.clientSecret'],
  ])('refuses a request with %s (400) before looking anyone up', async (_name, payload, field) => {
    expectRefused(await ask(payload), 400, 'validation_failed', field);
  });
});

describe('GET /.well-known/jwks.json', () => {
  it('publishes the public key that verifies the tokens', async () => {
    const res = await app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
    expect(res.statusCode).toBe(200);
    expect(res.json().keys).toEqual([expect.objectContaining({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: expect.any(String) })]);
    expect(res.json().keys[0]).not.toHaveProperty('d');
  });
});

describe('POST /api/payments', () => {
  const body = { merchantId: 'M123', amount: '10.00', currency: 'INR' };
  const pay = async (as: string | null, payload: unknown = body, headers: Record<string, string> = {}) =>
    app.inject({
      method: 'POST',
      url: '/api/payments',
      headers: { ...(as ? await tokens.as(as) : {}), ...headers },
      payload: payload as object,
    });

  it('refuses a caller without a token (401) or with another role (403)', async () => {
    expectRefused(await pay(null), 401, 'unauthorized');
    expectRefused(await pay('analyst'), 403, 'forbidden', 'role analyst');
    expectRefused(await pay('viewer'), 403, 'forbidden', 'role viewer');
  });

  it('refuses a merchant paying for another merchant (403)', async () => {
    expectRefused(await pay('merchant-M456'), 403, 'forbidden', 'merchant M123');
  });

  it.each([
    ['no amount', { merchantId: 'M123', currency: 'INR' }, '"amount"'],
    ['an unknown currency', { ...body, currency: 'XXX1' }, 'body.currency'],
    ['an unknown field', { ...body, status: 'APPROVED' }, 'body.status'],
    ['an amount as a boolean', { ...body, amount: true }, 'body.amount'],
  ])('refuses a body with %s (400, naming the field)', async (_name, payload, field) => {
    expectRefused(await pay('merchant-M123', payload), 400, 'validation_failed', field);
  });

  it('refuses an amount finer than the currency allows (400 invalid_amount)', async () => {
    expectRefused(await pay('merchant-M123', { ...body, amount: '10.001' }), 400, 'invalid_amount', 'body.amount');
  });

  it('refuses a malformed Idempotency-Key (400)', async () => {
    expectRefused(await pay('merchant-M123', body, { 'idempotency-key': 'é'.repeat(3) }), 400, 'validation_failed', 'Idempotency-Key');
  });
});

describe.each(['approve', 'decline'] as const)('POST /api/payments/:id/%s', (action) => {
  const review = async (as: string | null, url = `${REVIEW_URL}/${action}`, payload?: unknown) =>
    app.inject({
      method: 'POST',
      url,
      headers: as ? await tokens.as(as) : {},
      ...(payload === undefined ? {} : { payload: payload as object }),
    });

  it('is for analysts only: 401 without a token, 403 for a merchant or a viewer', async () => {
    expectRefused(await review(null), 401, 'unauthorized');
    expectRefused(await review('merchant-M123'), 403, 'forbidden');
    expectRefused(await review('viewer'), 403, 'forbidden');
  });

  it('refuses an id that is not a uuid and a reason it cannot take (400, naming the part)', async () => {
    expectRefused(await review('analyst', `/api/payments/not-a-uuid/${action}`), 400, 'validation_failed', 'params.id');
    expectRefused(await review('analyst', undefined, { reason: 'x'.repeat(501) }), 400, 'validation_failed', 'body.reason');
    expectRefused(await review('analyst', undefined, { reason: 'ok', extra: 1 }), 400, 'validation_failed', 'body.extra');
  });

  it('appends the decision on a payment in review, in one transaction, and answers in the ReviewResult shape', async () => {
    history = recorded([payment.requested(), payment.flaggedForReview()]);
    const res = await review('analyst', undefined, { reason: 'called the customer' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(Value.Check(ReviewResultSchema, res.json())).toBe(true);
    expect(res.json()).toEqual({ paymentId: payment.paymentId, status: action === 'approve' ? 'APPROVED' : 'DECLINED', position: 41 });
    expect(appended).toEqual([
      expect.objectContaining({
        streamId: payment.paymentId,
        expectedVersion: 2,
        events: [expect.objectContaining({ type: action === 'approve' ? 'PaymentApproved' : 'PaymentDeclined' })],
        metadata: expect.objectContaining({ actor: 'analyst:analyst' }),
      }),
    ]);
    expect(db.queries.map((q) => q.sql)).toEqual(['BEGIN', 'COMMIT']);
    expect(wakeUps).toBe(1);
  });

  it('answers 404 for a payment that does not exist, and rolls back', async () => {
    const res = await review('analyst');
    expect({ status: res.statusCode, error: res.json().error }).toEqual({ status: 404, error: 'not_found' });
    expect(db.queries.map((q) => q.sql)).toEqual(['BEGIN', 'ROLLBACK']);
    expect(appended).toEqual([]);
  });

  it('answers 409 for a payment already decided', async () => {
    history = recorded([payment.requested(), payment.authorized()]);
    const res = await review('analyst');
    expect(res.statusCode).toBe(409);
    expect(appended).toEqual([]);
  });
});

describe('the routes as a whole', () => {
  it('answers an unknown path 404 in JSON, never cached', async () => {
    expectRefused(await app.inject({ method: 'GET', url: '/api/nowhere' }), 404, 'not_found');
  });

  it('answers a wrong method on a known path 405 with Allow', async () => {
    for (const [method, url, allow] of [
      ['GET', '/api/payments', 'POST'],
      ['DELETE', `${REVIEW_URL}/approve`, 'POST'],
      ['GET', '/api/auth/token', 'POST'],
      ['POST', '/.well-known/jwks.json', 'GET, HEAD'],
    ] as const) {
      const res = await app.inject({ method, url });
      expect({ url, status: res.statusCode, allow: res.headers.allow, error: res.json().error }).toEqual({
        url,
        status: 405,
        allow,
        error: 'method_not_allowed',
      });
    }
    expect(db.queries).toEqual([]);
  });
});
