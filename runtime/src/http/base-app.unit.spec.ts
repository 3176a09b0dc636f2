// Every response of both APIs carries helmet's security headers, errors included.
import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthError, type TokenVerifier } from '../auth.ts';
import { createLogger } from '../logger.ts';
import { MerchantPositions } from '../merchant-positions.ts';
import { createRegistry } from '../metrics.ts';
import { rawExchange } from '../testing.ts';
import { requireRole } from './auth-plugin.ts';
import { createBaseApp, SECURITY_HEADERS } from './base-app.ts';

describe('security headers', () => {
  it("are helmet's defaults, on a success, on a 404 and on a refused request", async () => {
    expect(SECURITY_HEADERS).toMatchObject({ 'x-content-type-options': 'nosniff', 'x-frame-options': 'SAMEORIGIN' });
    expect(SECURITY_HEADERS['content-security-policy']).toContain("default-src 'self'");
    const app = await createBaseApp({
      api: { title: 'test API', description: 'test', version: '0' },
      logger: createLogger('test', 'silent'),
      registry: createRegistry('test'),
      verifier: { verify: async () => Promise.reject(new Error('no tokens here')) } as unknown as TokenVerifier,
      corsOrigins: [],
      pool: { query: async () => ({ rows: [] }) } as never,
      merchantPositions: new MerchantPositions('test'),
    });
    try {
      for (const url of ['/health/live', '/nowhere']) {
        const res = await app.inject({ method: 'GET', url });
        expect(res.statusCode).toBe(url === '/health/live' ? 200 : 404);
        for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(res.headers[name]).toBe(value);
      }
      const refused = await app.inject({ method: 'POST', url: '/health/live', headers: { 'content-type': 'text/plain' }, payload: 'x' });
      expect(refused.statusCode).toBeGreaterThanOrEqual(400);
      expect(refused.headers['x-content-type-options']).toBe('nosniff');
    } finally {
      await app.close();
    }
  });
});

// The HTTP layer itself, as a client meets it: what answers, with which status, and that every refusal is
// JSON {"error","message"} that never quotes the URL back.
const URL_MARK = 'zz-url-mark';
const principal = { sub: 'merchant-M1', role: 'merchant' as const, merchantId: 'M1' };

async function testApp(requestTimeoutMs?: number) {
  const app = await createBaseApp({
    api: { title: 'test API', description: 'test', version: '0' },
    logger: createLogger('test', 'silent'),
    registry: createRegistry('test'),
    verifier: {
      verify: async (token: string) => {
        if (token === 'good-token') return principal;
        throw new AuthError('token invalid');
      },
    } as unknown as TokenVerifier,
    corsOrigins: ['http://dashboard.test'],
    pool: { query: async () => ({ rows: [] }) } as never,
    merchantPositions: new MerchantPositions('test'),
    ...(requestTimeoutMs ? { requestTimeoutMs } : {}),
  });
  app.get(
    '/api/things/:id',
    {
      schema: {
        params: Type.Object({ id: Type.String({ maxLength: 200 }) }),
        querystring: Type.Object(
          { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })), since: Type.Optional(Type.Integer({ minimum: 0 })) },
          { additionalProperties: false },
        ),
      },
      onRequest: requireRole('merchant'),
    },
    async (request) => ({ query: request.query }),
  );
  app.post('/api/things/:id', { onRequest: requireRole('merchant') }, async () => ({ ok: true }));
  await app.ready();
  return app;
}

function expectJsonError(response: string, status: number, error: string): void {
  const [head = '', body = ''] = response.split('\r\n\r\n');
  expect(head.split('\r\n')[0]).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
  expect(head.toLowerCase()).toContain('content-type: application/json');
  const parsed = JSON.parse(body) as Record<string, unknown>;
  expect(Object.keys(parsed).sort()).toEqual(['error', 'message']);
  expect(parsed.error).toBe(error);
  expect(typeof parsed.message).toBe('string');
  expect(response).not.toContain(URL_MARK);
}

describe('the time to receive a request', () => {
  let app: Awaited<ReturnType<typeof testApp>>;
  let url: string;
  beforeAll(async () => {
    app = await testApp(300);
    url = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await app.close();
  });

  it.each([
    [
      'a body that never completes, unauthenticated, on an unknown route',
      `POST /${URL_MARK} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":`,
    ],
    [
      'a body that never completes on a known route',
      `POST /api/things/${URL_MARK} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer good-token\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{`,
    ],
    ['headers that never complete', `GET /api/things/${URL_MARK} HTTP/1.1\r\nHost: x\r\n`],
  ])('is bounded: %s is answered 408 in JSON and its socket closed', async (_name, text) => {
    const outcome = await rawExchange(url, text, 5000);
    expect(outcome.closed).toBe(true);
    expect(outcome.ms).toBeLessThan(2500);
    expectJsonError(outcome.response, 408, 'request_timeout');
  });

  it('leaves a request that arrives in time alone', async () => {
    const res = await fetch(`${url}/api/things/1?limit=5`, { headers: { authorization: 'Bearer good-token' } });
    expect(res.status).toBe(200);
  });
});

describe("the HTTP layer's own refusals", () => {
  let app: Awaited<ReturnType<typeof testApp>>;
  let url: string;
  beforeAll(async () => {
    app = await testApp();
    url = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await app.close();
  });

  it.each([
    ['a malformed request line', `GET /${URL_MARK} NOT-HTTP\r\n\r\n`, 400, 'bad_request'],
    ['a header line without a colon', `GET /${URL_MARK} HTTP/1.1\r\nHost: x\r\nbroken header\r\n\r\n`, 400, 'bad_request'],
    ['headers over 16 KB', `GET /${URL_MARK}?${'q'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`, 431, 'headers_too_large'],
    [
      'a broken percent-encoding in the path',
      `GET /api/things/%E0%A4%A${URL_MARK} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      400,
      'invalid_url',
    ],
    [
      'a path parameter over 200 characters',
      `GET /api/things/${URL_MARK}${'a'.repeat(300)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      414,
      'uri_too_long',
    ],
    [
      'a CORS preflight without Origin',
      `OPTIONS /api/things/${URL_MARK} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAccess-Control-Request-Method: POST\r\n\r\n`,
      400,
      'invalid_preflight',
    ],
    [
      'a CORS preflight without the method',
      `OPTIONS /api/things/${URL_MARK} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nOrigin: http://dashboard.test\r\n\r\n`,
      400,
      'invalid_preflight',
    ],
    ['an unknown path', `GET /${URL_MARK} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`, 404, 'not_found'],
  ])('%s is JSON without the URL', async (_name, text, status, error) => {
    const outcome = await rawExchange(url, text, 3000);
    expectJsonError(outcome.response, status, error);
  });

  it('still answers a real preflight from the dashboard', async () => {
    const res = await app.inject({
      method: 'OPTIONS',
      url: '/api/things/1',
      headers: { origin: 'http://dashboard.test', 'access-control-request-method': 'POST' },
    });
    expect(res.statusCode).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('http://dashboard.test');
  });

  it('answers a wrong method on a known path 405 with Allow, and an unknown path 404', async () => {
    for (const method of ['DELETE', 'PUT', 'PATCH'] as const) {
      const res = await app.inject({ method, url: '/api/things/1' });
      expect({ status: res.statusCode, allow: res.headers.allow, error: res.json().error }).toEqual({
        status: 405,
        allow: 'GET, HEAD, POST',
        error: 'method_not_allowed',
      });
    }
    const live = await app.inject({ method: 'POST', url: '/health/live' });
    expect({ status: live.statusCode, allow: live.headers.allow }).toEqual({ status: 405, allow: 'GET, HEAD' });
    for (const path of ['/api/things', '/api/things/1/more', '/api/things/', '/nowhere']) {
      const res = await app.inject({ method: 'DELETE', url: path });
      expect({ path, status: res.statusCode, allow: res.headers.allow }).toEqual({ path, status: 404, allow: undefined });
    }
  });

  it('serves no /metrics on the public port', async () => {
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: 'not_found', message: expect.any(String) });
  });

  it('marks every /api response no-store, successes and errors alike', async () => {
    const ok = await app.inject({ method: 'GET', url: '/api/things/1', headers: { authorization: 'Bearer good-token' } });
    const refused = await app.inject({ method: 'GET', url: '/api/things/1' });
    const unknown = await app.inject({ method: 'GET', url: '/api/nothing' });
    expect([ok.statusCode, refused.statusCode, unknown.statusCode]).toEqual([200, 401, 404]);
    for (const res of [ok, refused, unknown]) expect(res.headers['cache-control']).toBe('no-store');
  });

  it.each([
    ['a token followed by garbage', 'Bearer good-token garbage'],
    ['a token followed by a second token', 'Bearer good-token good-token'],
    ['two spaces then garbage after', 'Bearer good-token  x'],
    ['the scheme glued to the token', 'Bearergood-token'],
    ['another scheme', 'Basic good-token'],
  ])('refuses %s as the Authorization header (401)', async (_name, authorization) => {
    const res = await app.inject({ method: 'GET', url: '/api/things/1', headers: { authorization } });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: 'unauthorized', message: expect.any(String) });
  });

  it('accepts the token itself, with the scheme in any case', async () => {
    for (const authorization of ['Bearer good-token', 'bearer good-token']) {
      const res = await app.inject({ method: 'GET', url: '/api/things/1', headers: { authorization } });
      expect(res.statusCode).toBe(200);
    }
  });
});

describe('integers in query strings and paths', () => {
  let app: Awaited<ReturnType<typeof testApp>>;
  beforeAll(async () => {
    app = await testApp();
  });
  afterAll(async () => {
    await app.close();
  });
  const get = (query: string) =>
    app.inject({ method: 'GET', url: `/api/things/1?${query}`, headers: { authorization: 'Bearer good-token' } });

  it.each(['1.5', '', '0x10', 'true', '%205', '5%20', '1e3', '+5', '05', '-0', '5abc', '%EF%BC%95', '0b1', 'Infinity', 'NaN', '1_000'])(
    'refuses limit=%s (400), never coerced',
    async (value) => {
      const res = await get(`limit=${value}`);
      expect({ status: res.statusCode, body: res.json() }).toEqual({
        status: 400,
        body: { error: 'validation_failed', message: expect.stringContaining('querystring.limit') },
      });
    },
  );

  it('refuses since=1.5 and since=true too: every integer parameter of every route', async () => {
    for (const query of ['since=1.5', 'since=true', 'since=']) expect((await get(query)).statusCode).toBe(400);
  });

  it('takes canonical decimal digits, as numbers', async () => {
    expect((await get('limit=5')).json()).toEqual({ query: { limit: 5 } });
    expect((await get('limit=200&since=0')).json()).toEqual({ query: { limit: 200, since: 0 } });
    expect((await get('since=9007199254740991')).json()).toEqual({ query: { since: 9007199254740991 } });
    expect((await get('limit=201')).statusCode).toBe(400);
  });
});
