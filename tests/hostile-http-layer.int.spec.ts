// The HTTP layer of both APIs against the real system: requests that never finish, the layer's own refusals,
// wrong methods, malformed Authorization headers and integers, /metrics kept off the public port, no-store on
// payment data and tokens, and the token endpoint's rate limit. Every rejection table writes nothing.
import { rawExchange } from '@payments/runtime/testing';
import { devClient } from '@payments/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectReady, expectRejection, type RawRequest, type RowCounts, rowCounts, send, tryUpgrade } from './support/hostile-http.ts';
import { eventually, type Stack, startStack } from './support/stack.ts';

const TOKEN_LIMIT = 12;
let stack: Stack;
let m123 = '';
let viewer = '';
let analyst = '';
let paymentId = '';

beforeAll(async () => {
  stack = await startStack({ env: { HTTP_REQUEST_TIMEOUT_MS: '500', TOKEN_RATE_LIMIT_PER_MINUTE: String(TOKEN_LIMIT) } });
  m123 = await stack.token('merchant-M123');
  viewer = await stack.token('viewer');
  analyst = await stack.token('analyst');
  const res = await send(stack.commandUrl, {
    method: 'POST',
    path: '/api/payments',
    headers: { authorization: `Bearer ${m123}` },
    body: { merchantId: 'M123', amount: '10.00', currency: 'INR', reference: 'http-layer' },
  });
  expect(res.status, res.text).toBe(202);
  paymentId = (JSON.parse(res.text) as { paymentId: string }).paymentId;
  // quiet before the first count: decided, projected, outbox drained
  await eventually(
    async () => {
      const { rows } = await stack.db.pool.query<{ ok: boolean }>(
        `select (select count(*) from read.payments where status = 'AUTHORIZED') = 1 and (select count(*) from es.outbox) = 0 as ok`,
      );
      return rows[0]?.ok ? true : undefined;
    },
    30_000,
    'setup payment decided and projected',
  );
});
afterAll(async () => {
  await stack?.stop();
});

const apiUrl = (api: 'command' | 'query') => (api === 'command' ? stack.commandUrl : stack.queryUrl);

/** A raw HTTP answer as RawResponse, for expectRejection. */
function parseRaw(response: string) {
  const [head = '', ...rest] = response.split('\r\n\r\n');
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(statusLine.split(' ')[1]), headers, text: rest.join('\r\n\r\n') };
}

/** Every case is a test; then the table as a whole must have written nothing, and both APIs still answer. */
function table<C extends { name: string }>(title: string, cases: C[], check: (c: C) => Promise<void>): void {
  describe(title, () => {
    let before: RowCounts;
    beforeAll(async () => {
      before = await rowCounts(stack.db.pool);
    });
    it.each(cases)('$name', async (c) => {
      await check(c);
    });
    it('wrote nothing, and both APIs still answer /health/ready', async () => {
      expect(await rowCounts(stack.db.pool)).toEqual(before);
      await expectReady(stack.commandUrl);
      await expectReady(stack.queryUrl);
    });
  });
}

const MARK = 'zz-url-mark';
type Slow = { name: string; api: 'command' | 'query'; text: string };
// a caller refused before its body is read (401, 403) is answered at once: the slow bodies are authorized
const slow = (path: string, token: '' | '{m123}' | '{analyst}'): string =>
  `POST ${path} HTTP/1.1\r\nHost: x\r\n${token ? `Authorization: Bearer ${token}\r\n` : ''}Content-Type: application/json\r\nContent-Length: 500\r\n\r\n{"merchantId":"M123",`;
table<Slow>(
  'requests that never finish are answered 408 and closed (HTTP_REQUEST_TIMEOUT_MS=500)',
  [
    { name: 'command API: an unauthenticated body on an unknown route', api: 'command', text: slow(`/${MARK}`, '') },
    { name: 'command API: an authenticated payment body that stops', api: 'command', text: slow('/api/payments', '{m123}') },
    { name: 'command API: headers that never end', api: 'command', text: 'POST /api/payments HTTP/1.1\r\nHost: x\r\n' },
    { name: 'query API: an unauthenticated body on an unknown route', api: 'query', text: slow(`/${MARK}`, '') },
    { name: 'query API: a rebuild request body that stops', api: 'query', text: slow('/api/projections/payments/rebuild', '{analyst}') },
    { name: 'query API: headers that never end', api: 'query', text: 'GET /api/payments HTTP/1.1\r\nHost: x\r\n' },
  ],
  async (c) => {
    const outcome = await rawExchange(apiUrl(c.api), c.text.replace('{m123}', m123).replace('{analyst}', analyst), 8000);
    expect({ closed: outcome.closed, fast: outcome.ms < 4000 }).toEqual({ closed: true, fast: true });
    const res = parseRaw(outcome.response);
    expectRejection(res, 408, 'request_timeout');
    expect(outcome.response).not.toContain(MARK);
  },
);

type Layer = { name: string; api: 'command' | 'query'; text: string; status: number; error: string };
const both = (name: string, text: string, status: number, error: string): Layer[] =>
  (['command', 'query'] as const).map((api) => ({ name: `${api} API: ${name}`, api, text, status, error }));
table<Layer>(
  "the HTTP layer's own refusals are JSON {error, message} that never quote the URL",
  [
    ...both('a malformed request line', `GET /${MARK} NOT-HTTP\r\n\r\n`, 400, 'bad_request'),
    ...both('a header without a colon', `GET /${MARK} HTTP/1.1\r\nHost: x\r\nbroken\r\n\r\n`, 400, 'bad_request'),
    ...both('a URL over the header limit', `GET /${MARK}?${'q'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`, 431, 'headers_too_large'),
    ...both(
      'a broken percent-encoding',
      `GET /api/payments/%E0%A4%A${MARK} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      400,
      'invalid_url',
    ),
    {
      name: 'command API: an id of 300 characters',
      api: 'command',
      text: `POST /api/payments/${MARK}${'a'.repeat(300)}/approve HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
      status: 414,
      error: 'uri_too_long',
    },
    {
      name: 'query API: an id of 300 characters',
      api: 'query',
      text: `GET /api/payments/${MARK}${'a'.repeat(300)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      status: 414,
      error: 'uri_too_long',
    },
    ...both(
      'a CORS preflight without Origin',
      `OPTIONS /api/payments?${MARK} HTTP/1.1\r\nHost: x\r\nAccess-Control-Request-Method: POST\r\nConnection: close\r\n\r\n`,
      400,
      'invalid_preflight',
    ),
    ...both('an unknown path', `GET /${MARK} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`, 404, 'not_found'),
  ],
  async (c) => {
    const outcome = await rawExchange(apiUrl(c.api), c.text, 5000);
    expectRejection(parseRaw(outcome.response), c.status, c.error);
    expect(outcome.response).not.toContain(MARK);
  },
);

type Method = { name: string; api: 'command' | 'query'; req: RawRequest; status: number; allow?: string };
const method = (api: 'command' | 'query', m: string, path: string, status: number, allow?: string): Method => ({
  name: `${api} API: ${m} ${path} → ${status}${allow ? ` (Allow: ${allow})` : ''}`,
  api,
  req: { method: m as RawRequest['method'], path },
  status,
  ...(allow ? { allow } : {}),
});
table<Method>(
  'a wrong method on a known path is 405 with Allow; an unknown path stays 404',
  [
    method('command', 'GET', '/api/payments', 405, 'POST'),
    method('command', 'DELETE', '/api/payments', 405, 'POST'),
    method('command', 'GET', '/api/auth/token', 405, 'POST'),
    method('command', 'GET', '/api/payments/{id}/approve', 405, 'POST'),
    method('command', 'POST', '/.well-known/jwks.json', 405, 'GET, HEAD'),
    method('query', 'DELETE', '/api/payments/{id}', 405, 'GET, HEAD'),
    method('query', 'PUT', '/api/payments', 405, 'GET, HEAD'),
    method('query', 'GET', '/api/projections/payments/rebuild', 405, 'POST'),
    method('query', 'POST', '/api/stats', 405, 'GET, HEAD'),
    method('command', 'DELETE', '/api/nothing', 404),
    method('query', 'DELETE', '/api/payments/{id}/nothing', 404),
  ],
  async (c) => {
    const res = await send(apiUrl(c.api), {
      ...c.req,
      path: c.req.path.replace('{id}', paymentId),
      headers: { authorization: `Bearer ${c.api === 'command' ? m123 : viewer}` },
    });
    expectRejection(res, c.status, c.status === 405 ? 'method_not_allowed' : 'not_found');
    expect(res.headers.allow).toBe(c.allow);
  },
);

type Auth = { name: string; api: 'command' | 'query'; req: RawRequest; header: (token: string) => string };
const garbage: [string, (token: string) => string][] = [
  ['a token followed by garbage', (t) => `Bearer ${t} garbage`],
  ['a token twice', (t) => `Bearer ${t} ${t}`],
  ['a token and a comma', (t) => `Bearer ${t}, x`],
];
table<Auth>(
  'an Authorization header with anything after the token is refused (401)',
  garbage.flatMap(([name, header]) => [
    {
      name: `command API: POST /api/payments with ${name}`,
      api: 'command' as const,
      req: { method: 'POST', path: '/api/payments', body: {} },
      header,
    },
    { name: `query API: GET /api/payments with ${name}`, api: 'query' as const, req: { method: 'GET', path: '/api/payments' }, header },
    { name: `query API: GET /api/stats with ${name}`, api: 'query' as const, req: { method: 'GET', path: '/api/stats' }, header },
  ]),
  async (c) => {
    const res = await send(apiUrl(c.api), { ...c.req, headers: { authorization: c.header(c.api === 'command' ? m123 : viewer) } });
    expectRejection(res, 401, 'unauthorized');
  },
);

type Integer = { name: string; path: string };
const MALFORMED = ['1.5', '', '0x10', 'true', '%205', '1e3', '+5', '05'];
table<Integer>(
  'integers in query strings are canonical decimal digits, never coerced (400)',
  MALFORMED.flatMap((value) => [
    { name: `limit=${value}`, path: `/api/payments?limit=${value}` },
    { name: `minPosition=${value}`, path: `/api/payments?minPosition=${value}` },
    { name: `minPosition=${value} on one payment`, path: `/api/payments/{id}?minPosition=${value}` },
    { name: `step=${value}`, path: `/api/stats/series?step=${value}` },
  ]),
  async (c) => {
    const res = await send(stack.queryUrl, {
      method: 'GET',
      path: c.path.replace('{id}', paymentId),
      headers: { authorization: `Bearer ${viewer}` },
    });
    expectRejection(res, 400, 'validation_failed');
  },
);
table<Integer>(
  'integers in the stream query string too: the upgrade is refused (400)',
  MALFORMED.map((value) => ({ name: `since=${value}`, path: `/api/stream?since=${value}` })),
  async (c) => {
    const outcome = await tryUpgrade(stack.queryUrl, c.path, { authorization: `Bearer ${viewer}` });
    expect(outcome.opened).toBe(false);
    if (outcome.opened) return;
    expectRejection({ status: outcome.status, headers: outcome.headers as Record<string, string>, text: outcome.text }, 400);
  },
);
it('a canonical ?limit=5 still lists', async () => {
  const res = await send(stack.queryUrl, { method: 'GET', path: '/api/payments?limit=5', headers: { authorization: `Bearer ${viewer}` } });
  expect(res.status, res.text).toBe(200);
});

describe('/metrics', () => {
  it.each(['command', 'query'] as const)('is not on the %s API public port (404 JSON), and is on its loopback ops port', async (api) => {
    expectRejection(await send(apiUrl(api), { method: 'GET', path: '/metrics' }), 404, 'not_found');
    const opsUrl = api === 'command' ? stack.commandOpsUrl : stack.queryOpsUrl;
    expect(new URL(opsUrl).hostname).toBe('127.0.0.1');
    const res = await send(opsUrl, { method: 'GET', path: '/metrics' });
    expect(res.status).toBe(200);
    expect(res.text).toContain('http_request_duration_seconds');
    expect(res.text).toContain(`service="${api}-api"`);
    expect((await send(opsUrl, { method: 'GET', path: '/health/ready' })).status).toBe(200);
  });
});

describe('Cache-Control: no-store', () => {
  it('on a token response', async () => {
    const res = await send(stack.commandUrl, {
      method: 'POST',
      path: '/api/auth/token',
      body: { clientId: 'analyst', clientSecret: devClient('analyst').secret },
    });
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
  });
  it.each([
    [
      'command',
      'POST /api/payments',
      { method: 'POST', path: '/api/payments', body: { merchantId: 'M123', amount: '1.00', currency: 'INR' } },
    ],
    ['command', 'a refused payment', { method: 'POST', path: '/api/payments', body: {} }],
    ['query', 'GET /api/payments', { method: 'GET', path: '/api/payments' }],
    ['query', 'GET /api/payments/:id', { method: 'GET', path: '/api/payments/{id}' }],
    ['query', 'GET /api/stats', { method: 'GET', path: '/api/stats' }],
  ] as const)('on the %s API: %s', async (api, _name, req) => {
    const token = api === 'command' ? m123 : viewer;
    const res = await send(apiUrl(api), {
      ...req,
      path: req.path.replace('{id}', paymentId),
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status, res.text).toBeLessThan(500);
    expect(res.headers['cache-control']).toBe('no-store');
  });
});

// last: it spends the token endpoint's budget for this address
describe("the token endpoint's rate limit", () => {
  it('is per address, whatever bearer the caller attaches, and its message states the window', async () => {
    const ask = (authorization?: string) =>
      send(stack.commandUrl, {
        method: 'POST',
        path: '/api/auth/token',
        body: { clientId: 'viewer', clientSecret: 'wrong' },
        ...(authorization ? { headers: { authorization } } : {}),
      });
    let status = 0;
    for (let i = 0; i < TOKEN_LIMIT + 1 && status !== 429; i++) status = (await ask()).status;
    expect(status).toBe(429);
    // a merchant's token attached (a bucket keyed by merchant before) is still this address's bucket
    const withBearer = await ask(`Bearer ${m123}`);
    expectRejection(withBearer, 429, 'rate_limited');
    const message = (JSON.parse(withBearer.text) as { message: string }).message;
    expect(message).toMatch(new RegExp(`^rate limit of ${TOKEN_LIMIT} requests per minute exceeded`));
    expect(withBearer.headers['cache-control']).toBe('no-store');
  });
});
