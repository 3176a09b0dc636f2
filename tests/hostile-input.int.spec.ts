// Hostile input, as a specification. Every table below is a list of requests an attacker or a broken client
// might send, each with the status it must get. For every case: that status, a JSON {"error","message"} of
// strings with no stack trace, SQL or internal names; for every table: es.events, es.outbox,
// es.idempotency_keys, auth.clients (and projection.rebuilds) unchanged, and both APIs still ready.
// Runs against the real system (all four services, real Kafka and PostgreSQL).
import { devClient } from '@payments/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectReady,
  expectRejection,
  listen,
  type RawRequest,
  type RawResponse,
  type RowCounts,
  rowCounts,
  send,
  tryUpgrade,
} from './support/hostile-http.ts';
import { buildHostileAuthorizations, HOSTILE_AUTHORIZATIONS, type HostileAuthorization } from './support/hostile-tokens.ts';
import { eventually, type Stack, startStack } from './support/stack.ts';

type ClientId = 'merchant-M123' | 'merchant-M456' | 'analyst' | 'viewer';
type Case = {
  name: string;
  api: 'command' | 'query';
  /** Path placeholders: {authorized} ({AUTHORIZED} upper-cased) and {review} are M123's payments, {now} an ISO
   * time, {position} the position of M123's last command. */
  req: RawRequest;
  /** Who calls: a development client, a hostile Authorization header by name, or nobody. */
  as: ClientId | { hostile: HostileAuthorization } | 'anonymous';
  status: number;
  error?: string;
  message?: RegExp;
};

let stack: Stack;
let hostile: Record<HostileAuthorization, string | null>;
const m123 = { authorized: '', review: '', position: 0 };

beforeAll(async () => {
  stack = await startStack();
  hostile = await buildHostileAuthorizations(stack.env.DATA_DIR as string);
  // M123's payments, for the object-level authorization cases: one decided at once, one waiting for review
  const token = await stack.token('merchant-M123');
  for (const [key, amount] of [
    ['authorized', '10.00'],
    ['review', '15000.00'],
  ] as const) {
    const res = await send(stack.commandUrl, {
      method: 'POST',
      path: '/api/payments',
      headers: { authorization: `Bearer ${token}` },
      body: { merchantId: 'M123', amount, currency: 'INR', reference: `hostile-suite-${key}` },
    });
    expect(res.status, res.text).toBe(202);
    const body = JSON.parse(res.text) as { paymentId: string; position: number };
    m123[key] = body.paymentId;
    m123.position = body.position;
  }
  // quiet before the first count: decided, projected, outbox drained
  await eventually(
    async () => {
      const { rows } = await stack.db.pool.query<{ ok: boolean }>(
        `select (select count(*) from read.payments where status in ('AUTHORIZED', 'REVIEW')) = 2
            and (select count(*) from es.outbox) = 0 as ok`,
      );
      return rows[0]?.ok ? true : undefined;
    },
    30_000,
    'setup payments decided and projected',
  );
});
afterAll(async () => {
  await stack?.stop();
});

async function run(c: Case): Promise<RawResponse> {
  const headers: Record<string, string | string[]> = { ...c.req.headers };
  if (c.as !== 'anonymous' && headers.authorization === undefined) {
    const value = typeof c.as === 'string' ? `Bearer ${await stack.token(c.as)}` : hostile[c.as.hostile];
    if (value !== null) headers.authorization = value;
  }
  const path = c.req.path
    .replaceAll('{authorized}', m123.authorized)
    .replaceAll('{AUTHORIZED}', m123.authorized.toUpperCase())
    .replaceAll('{review}', m123.review)
    .replaceAll('{position}', String(m123.position))
    .replaceAll('{now}', encodeURIComponent(new Date().toISOString()));
  return send(c.api === 'command' ? stack.commandUrl : stack.queryUrl, { ...c.req, path, headers });
}

/** One table of the specification: each case is a test, then the table as a whole must have written nothing. */
function table(title: string, cases: Case[]): void {
  describe(title, () => {
    let before: RowCounts;
    beforeAll(async () => {
      before = await rowCounts(stack.db.pool);
    });
    it.each(cases)('$name → $status', async (c) => {
      const res = await run(c);
      expectRejection(res, c.status, c.error);
      if (c.message) expect(JSON.parse(res.text).message).toMatch(c.message);
    });
    it('wrote nothing, and both APIs still answer /health/ready', async () => {
      expect(await rowCounts(stack.db.pool)).toEqual(before);
      await expectReady(stack.commandUrl);
      await expectReady(stack.queryUrl);
    });
  });
}

// ---------------------------------------------------------------------------------------------------------
// Request bodies (POST /api/payments as merchant M123 unless said otherwise)

const VALID = { merchantId: 'M123', amount: '10.00', currency: 'INR' };
const validJson = JSON.stringify(VALID);
const payment = (body: unknown, extra: Partial<RawRequest> = {}): RawRequest => ({ method: 'POST', path: '/api/payments', body, ...extra });
const asM123 = (name: string, req: RawRequest, status: number, error?: string, message?: RegExp): Case => ({
  name,
  api: 'command',
  req,
  as: 'merchant-M123',
  status,
  ...(error ? { error } : {}),
  ...(message ? { message } : {}),
});

table('bodies that are not a payment request', [
  asM123('malformed JSON', payment('{"merchantId":'), 400, 'invalid_json'),
  asM123('a valid request truncated by one byte', payment(validJson.slice(0, -1)), 400, 'invalid_json'),
  asM123('trailing garbage after the JSON', payment(`${validJson}x`), 400, 'invalid_json'),
  asM123('two JSON documents back to back', payment(`${validJson}${validJson}`), 400, 'invalid_json'),
  asM123('single-quoted JSON', payment(validJson.replaceAll('"', "'")), 400, 'invalid_json'),
  asM123('JSON with a comment', payment(`{/* hi */${validJson.slice(1)}`), 400, 'invalid_json'),
  asM123('a bare NaN literal as the amount', payment('{"merchantId":"M123","amount":NaN,"currency":"INR"}'), 400, 'invalid_json'),
  asM123('an empty body', payment(''), 400, 'validation_failed'),
  asM123('a body of whitespace', payment('  \n\t '), 400, 'validation_failed'),
  asM123('the request in UTF-16', payment(Buffer.from(validJson, 'utf16le')), 400, 'invalid_json'),
  asM123('a JSON array', payment('[]'), 400, 'validation_failed'),
  asM123('an array holding a valid request', payment(`[${validJson}]`), 400, 'validation_failed'),
  asM123('a JSON number', payment('42'), 400, 'validation_failed'),
  asM123('a JSON string', payment('"M123"'), 400, 'validation_failed'),
  asM123('JSON null', payment('null'), 400, 'validation_failed'),
  asM123('JSON true', payment('true'), 400, 'validation_failed'),
  asM123('an empty object', payment({}), 400, 'validation_failed'),
  asM123('an unknown property', payment({ ...VALID, status: 'APPROVED' }), 400, 'validation_failed', /unknown property/),
  asM123(
    'merchantId twice, the last for another merchant',
    payment('{"merchantId":"M123","amount":"10.00","currency":"INR","merchantId":"M456"}'),
    403,
    'forbidden',
  ),
  // authentication comes before the body is even looked at
  {
    name: 'no token and malformed JSON',
    api: 'command',
    req: payment('{"merchantId":'),
    as: 'anonymous',
    status: 401,
    error: 'unauthorized',
  },
  { name: 'no token and a 1 MB body', api: 'command', req: payment('x'.repeat(1 << 20)), as: 'anonymous', status: 401 },
  {
    name: 'an expired token and the wrong content type',
    api: 'command',
    req: payment('a=b', { contentType: 'text/plain' }),
    as: { hostile: 'expired' },
    status: 401,
    error: 'unauthorized',
  },
]);

table('content types other than JSON', [
  asM123('text/plain', payment(validJson, { contentType: 'text/plain' }), 415, 'unsupported_media_type'),
  asM123(
    'form-urlencoded',
    payment('merchantId=M123&amount=10.00&currency=INR', { contentType: 'application/x-www-form-urlencoded' }),
    415,
    'unsupported_media_type',
  ),
  asM123(
    'multipart/form-data',
    payment('--x\r\nContent-Disposition: form-data; name="merchantId"\r\n\r\nM123\r\n--x--\r\n', {
      contentType: 'multipart/form-data; boundary=x',
    }),
    415,
    'unsupported_media_type',
  ),
  asM123('no Content-Type with a JSON body', payment(validJson, { contentType: null }), 415, 'unsupported_media_type'),
  asM123('application/xml', payment('<payment/>', { contentType: 'application/xml' }), 415, 'unsupported_media_type'),
  asM123('application/javascript', payment(validJson, { contentType: 'application/javascript' }), 415, 'unsupported_media_type'),
  asM123('a media type that only starts with application/json', payment(validJson, { contentType: 'application/jsonx' }), 415),
  asM123('a Content-Type that is not a media type', payment(validJson, { contentType: ';;;' }), 415),
  asM123('no Content-Type and no body', payment(undefined, { contentType: null }), 400, 'validation_failed'),
]);

const nestedArrays = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
table('sizes and nesting', [
  asM123('a body one byte over 16 KB', payment(`{"reference":"${'x'.repeat(16 * 1024 - 15)}"}`), 413, 'payload_too_large'),
  asM123('a 1 MB body', payment({ ...VALID, reference: 'x'.repeat(1 << 20) }), 413, 'payload_too_large'),
  asM123(
    'reference nested 5,000 arrays deep',
    payment(`{"merchantId":"M123","amount":"10.00","currency":"INR","reference":${nestedArrays(5000)}}`),
    400,
  ),
  asM123(
    'reference nested 10,000 arrays deep (the body limit stops it before parsing)',
    payment(`{"merchantId":"M123","amount":"10.00","currency":"INR","reference":${nestedArrays(10_000)}}`),
    413,
    'payload_too_large',
  ),
  asM123('8,000 unclosed arrays', payment(`{"reference":${'['.repeat(8000)}`), 400, 'invalid_json'),
  asM123(
    'an unknown property nested 2,500 objects deep',
    payment(`{"merchantId":"M123","amount":"10.00","currency":"INR","x":${'{"a":'.repeat(2500)}1${'}'.repeat(2500)}}`),
    400,
  ),
  asM123(
    '1,500 unknown properties',
    payment({ ...VALID, ...Object.fromEntries(Array.from({ length: 1500 }, (_, i) => [`p${i}`, 0])) }),
    400,
    'validation_failed',
  ),
  asM123(
    'a reference of 2,000 escaped characters',
    payment(`{"merchantId":"M123","amount":"10.00","currency":"INR","reference":"${'\\u0041'.repeat(2000)}"}`),
    400,
  ),
]);

table('prototype pollution keys', [
  asM123('__proto__ at the top level', payment(`{"__proto__":{"polluted":true},${validJson.slice(1)}`), 400),
  asM123('__proto__ written with a unicode escape', payment(`{"\\u005f_proto__":{"polluted":true},${validJson.slice(1)}`), 400),
  asM123('__proto__ nested in reference', payment(`{"reference":{"__proto__":{"polluted":true}},${validJson.slice(1)}`), 400),
  asM123('constructor.prototype at the top level', payment(`{"constructor":{"prototype":{"polluted":true}},${validJson.slice(1)}`), 400),
  asM123(
    'constructor.prototype nested in reference',
    payment(`{"reference":{"constructor":{"prototype":{"polluted":true}}},${validJson.slice(1)}`),
    400,
  ),
  asM123('prototype at the top level', payment(`{"prototype":{"polluted":true},${validJson.slice(1)}`), 400),
  {
    name: '__proto__ in a review body',
    api: 'command',
    req: { method: 'POST', path: '/api/payments/{review}/approve', body: '{"__proto__":{"polluted":true},"reason":"x"}' },
    as: 'analyst',
    status: 400,
  },
  {
    name: 'constructor in a review body',
    api: 'command',
    req: { method: 'POST', path: '/api/payments/{review}/decline', body: '{"constructor":{"prototype":{"polluted":true}}}' },
    as: 'analyst',
    status: 400,
  },
  {
    name: '__proto__ in a token request',
    api: 'command',
    req: {
      method: 'POST',
      path: '/api/auth/token',
      body: `{"__proto__":{"role":"analyst"},"clientId":"viewer","clientSecret":"${devClient('viewer').secret}"}`,
    },
    as: 'anonymous',
    status: 400,
  },
]);

describe('prototype pollution', () => {
  it('left Object.prototype of this process (which runs the services) untouched', () => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(Object.prototype)).toEqual([]);
  });
});

// amount as raw JSON text, so numbers beyond what JSON.stringify can write are sent digit for digit
const amountCase = (name: string, rawAmount: string, currency = 'INR'): Case =>
  asM123(name, payment(`{"merchantId":"M123","amount":${rawAmount},"currency":"${currency}"}`), 400, undefined, /amount|JSON/);
table('every bad amount', [
  amountCase('"NaN"', '"NaN"'),
  amountCase('"Infinity"', '"Infinity"'),
  amountCase('"-Infinity"', '"-Infinity"'),
  amountCase('1e400 (parses to Infinity)', '1e400'),
  amountCase('"1e3"', '"1e3"'),
  amountCase('"1E3"', '"1E3"'),
  amountCase('"1e-2"', '"1e-2"'),
  amountCase('1e-7 as a number', '1e-7'),
  amountCase('1e21 as a number', '1e21'),
  amountCase('-1', '-1'),
  amountCase('"-1"', '"-1"'),
  amountCase('0', '0'),
  amountCase('"0"', '"0"'),
  amountCase('"0.00"', '"0.00"'),
  amountCase('"-0"', '"-0"'),
  amountCase('-0 as a number', '-0'),
  amountCase('INR with 3 decimals', '"49.999"'),
  amountCase('INR with 3 decimals as a number', '0.001'),
  amountCase('INR 0.1 + 0.2 as a float', '0.30000000000000004'),
  amountCase('JPY with 1 decimal', '"1.5"', 'JPY'),
  amountCase('JPY with 1 decimal as a number', '1.5', 'JPY'),
  amountCase('JPY "1.0"', '"1.0"', 'JPY'),
  amountCase('BHD with 4 decimals', '"1.0001"', 'BHD'),
  amountCase('INR one paisa over the maximum', '"1000000000.01"'),
  amountCase('JPY one yen over the maximum', '1000000001', 'JPY'),
  amountCase('BHD one fils over the maximum', '"1000000000.001"', 'BHD'),
  amountCase('2^53 + 1 as raw JSON digits', '9007199254740993'),
  amountCase('30 raw JSON digits', '123456789012345678901234567890'),
  amountCase('32 nines as a string', `"${'9'.repeat(32)}"`),
  amountCase('33 digits as a string', `"${'1'.repeat(33)}"`),
  amountCase('a leading "+"', '"+5"'),
  amountCase('a leading space', '" 5"'),
  amountCase('a trailing space', '"5 "'),
  amountCase('a trailing newline', '"5\\n"'),
  amountCase('a leading tab', '"\\t5"'),
  amountCase('hex', '"0x10"'),
  amountCase('binary', '"0b101"'),
  amountCase('octal', '"0o17"'),
  amountCase('digit separators', '"1_000"'),
  amountCase('thousands separators', '"1,000.00"'),
  amountCase('a decimal comma', '"10,50"'),
  amountCase('Arabic-Indic digits', '"١٢٣"'),
  amountCase('full-width digits', '"５"'),
  amountCase('a leading dot', '".5"'),
  amountCase('a trailing dot', '"5."'),
  amountCase('leading zeros', '"007"'),
  amountCase('two dots', '"5.00.0"'),
  amountCase('an empty string', '""'),
  amountCase('a currency symbol', '"₹5"'),
  amountCase('the amount with its currency', '"5 INR"'),
  amountCase('true', 'true'),
  amountCase('false', 'false'),
  amountCase('null', 'null'),
  amountCase('an object', '{"value":"5"}'),
  amountCase('an empty object', '{}'),
  amountCase('an array', '[5]'),
  amountCase('an empty array', '[]'),
  // a JSON number is judged by the text the client wrote, not by the double it parses to
  amountCase('19 significant digits as a number (the double is 10000)', '9999.999999999999999'),
  amountCase('0.10000000000000001 as a number (the double is 0.1)', '0.10000000000000001'),
  amountCase('1E3 as a number', '1E3'),
  amountCase('1e3 as a number', '1e3'),
  amountCase('1.5e2 as a number', '1.5e2'),
  amountCase('INR 49.990 as a number (one trailing zero too many)', '49.990'),
  amountCase('JPY 100.0 as a number', '100.0', 'JPY'),
]);

const currencyCase = (name: string, rawCurrency: string): Case =>
  asM123(name, payment(`{"merchantId":"M123","amount":"10","currency":${rawCurrency}}`), 400, undefined, /currency|amount/);
table('unknown and malformed currencies', [
  currencyCase('lower-case "inr"', '"inr"'),
  currencyCase('mixed-case "Inr"', '"Inr"'),
  currencyCase('"XXX" (no currency)', '"XXX"'),
  currencyCase('"XAU" (gold)', '"XAU"'),
  currencyCase('"XTS" (testing code)', '"XTS"'),
  currencyCase('"XDR" (SDR)', '"XDR"'),
  currencyCase('"HRK" (withdrawn)', '"HRK"'),
  currencyCase('"EU" (two letters)', '"EU"'),
  currencyCase('"EURO" (four letters)', '"EURO"'),
  currencyCase('an empty string', '""'),
  currencyCase('a leading space', '" INR"'),
  currencyCase('a currency symbol', '"₹"'),
  currencyCase('full-width letters', '"ＩＮＲ"'),
  currencyCase('a NUL after two letters', '"IN\\u0000"'),
  currencyCase('the ISO numeric code', '356'),
  currencyCase('null', 'null'),
  currencyCase('an array', '["INR"]'),
]);

const withReference = (name: string, rawReference: string, status = 400) =>
  asM123(
    name,
    payment(`{"merchantId":"M123","amount":"10.00","currency":"INR","reference":${rawReference}}`),
    status,
    undefined,
    /reference/,
  );
const withMerchant = (name: string, rawMerchantId: string, status = 400) =>
  asM123(name, payment(`{"merchantId":${rawMerchantId},"amount":"10.00","currency":"INR"}`), status);
const withReason = (name: string, rawReason: string): Case => ({
  name,
  api: 'command',
  req: { method: 'POST', path: '/api/payments/{review}/approve', body: `{"reason":${rawReason}}` },
  as: 'analyst',
  status: 400,
  message: /reason/,
});
table('huge and odd Unicode strings', [
  withReference('reference of 10,000 characters', JSON.stringify('x'.repeat(10_000))),
  withReference('reference of 2,000 emoji', JSON.stringify('😀'.repeat(2000))),
  withReference('reference with NUL', '"order\\u0000-1"'),
  withReference('reference with a lone high surrogate', '"order-\\ud800"'),
  withReference('reference with a lone low surrogate', '"\\udc00order"'),
  withReference('reference with a reversed surrogate pair', '"\\ude00\\ud83d"'),
  withReference('reference with the right-to-left override U+202E', '"order-\u202Egpj.exe"'),
  withReference('reference with the isolate U+2066', '"order\u2066-1"'),
  withReference('reference with an ANSI escape', '"\\u001b[31morder"'),
  withReference('reference with CR LF', '"order\\r\\nX-Injected: 1"'),
  withReference('reference with DEL', '"order\\u007f"'),
  withReference('reference with a C1 control', '"order\\u0085"'),
  withReference('an empty reference', '""'),
  withReference('a numeric reference', '123'),
  withReference('a null reference', 'null'),
  withMerchant('merchantId of 10,000 characters', JSON.stringify('M'.repeat(10_000))),
  withMerchant('merchantId with an emoji', '"M123😀"'),
  withMerchant('merchantId with the right-to-left override', '"M\u202E321"'),
  withMerchant('merchantId with NUL', '"M123\\u0000"'),
  withMerchant('merchantId with a lone surrogate', '"M123\\ud800"'),
  withMerchant('merchantId with a Cyrillic М', '"М123"'),
  withMerchant('merchantId with a trailing space', '"M123 "'),
  withMerchant('merchantId with a path', '"../M123"'),
  withMerchant('an empty merchantId', '""'),
  withMerchant('merchantId in another case is another merchant', '"m123"', 403),
  withReason('review reason with NUL', '"ok\\u0000"'),
  withReason('review reason with a lone surrogate', '"ok\\ud800"'),
  withReason('review reason with the right-to-left override', '"ok\u202E"'),
  withReason('review reason of 10,000 characters', JSON.stringify('x'.repeat(10_000))),
]);

const idempotencyKey = (name: string, key: string | string[]) =>
  asM123(name, payment(VALID, { headers: { 'idempotency-key': key } }), 400, undefined, /Idempotency-Key/);
table('long and odd headers', [
  asM123('an Authorization header of 20 KB', payment(VALID, { headers: { authorization: `Bearer ${'a'.repeat(20 * 1024)}` } }), 431),
  asM123('20 KB of other headers', payment(VALID, { headers: { 'x-padding': 'p'.repeat(20 * 1024) } }), 431),
  {
    name: 'an Authorization header of 20 KB on the query API',
    api: 'query',
    req: { method: 'GET', path: '/api/stats', headers: { authorization: `Bearer ${'a'.repeat(20 * 1024)}` } },
    as: 'anonymous',
    status: 431,
  },
  idempotencyKey('an Idempotency-Key of 256 characters', 'k'.repeat(256)),
  idempotencyKey('an Idempotency-Key of 10 KB', 'k'.repeat(10 * 1024)),
  idempotencyKey('an empty Idempotency-Key', ''),
  idempotencyKey('an Idempotency-Key with a space', 'order 1'),
  idempotencyKey('an Idempotency-Key in Latin-1', 'cl\u00e9-1'),
  idempotencyKey('an Idempotency-Key in UTF-8 bytes', Buffer.from('ключ-1', 'utf8').toString('latin1')),
  idempotencyKey('two Idempotency-Key headers', ['order-1', 'order-2']),
  {
    name: 'an Idempotency-Key of 256 characters on a review command',
    api: 'command',
    req: { method: 'POST', path: '/api/payments/{review}/approve', body: {}, headers: { 'idempotency-key': 'k'.repeat(256) } },
    as: 'analyst',
    status: 400,
    message: /Idempotency-Key/,
  },
]);

// ---------------------------------------------------------------------------------------------------------
// Authentication and authorization

type Route = { api: 'command' | 'query'; req: RawRequest };
const ROUTES = {
  'POST /api/payments': { api: 'command', req: payment(VALID) },
  'POST /api/payments/:id/approve': { api: 'command', req: { method: 'POST', path: '/api/payments/{review}/approve', body: {} } },
  'POST /api/payments/:id/decline': { api: 'command', req: { method: 'POST', path: '/api/payments/{review}/decline', body: {} } },
  'GET /api/payments': { api: 'query', req: { method: 'GET', path: '/api/payments' } },
  'GET /api/payments/:id': { api: 'query', req: { method: 'GET', path: '/api/payments/{authorized}' } },
  'GET /api/payments/:id?asOf': { api: 'query', req: { method: 'GET', path: '/api/payments/{authorized}?asOf={now}' } },
  'GET /api/payments/:id/events': { api: 'query', req: { method: 'GET', path: '/api/payments/{authorized}/events' } },
  'GET /api/stats': { api: 'query', req: { method: 'GET', path: '/api/stats' } },
  'GET /api/stats/series': { api: 'query', req: { method: 'GET', path: '/api/stats/series' } },
  'GET /api/events': { api: 'query', req: { method: 'GET', path: '/api/events' } },
  'POST /api/projections/payments/rebuild': { api: 'query', req: { method: 'POST', path: '/api/projections/payments/rebuild' } },
  'GET /api/projections/payments': { api: 'query', req: { method: 'GET', path: '/api/projections/payments' } },
  'GET /api/projections/payments/rebuilds/:id': { api: 'query', req: { method: 'GET', path: '/api/projections/payments/rebuilds/1' } },
} satisfies Record<string, Route>;

table(
  'forged, expired and malformed tokens on every endpoint of both APIs',
  Object.entries(ROUTES).flatMap(([route, { api, req }]) =>
    HOSTILE_AUTHORIZATIONS.map(
      (token): Case => ({
        name: `${route} with ${token}`,
        api,
        req,
        as: { hostile: token },
        status: 401,
        error: 'unauthorized',
      }),
    ),
  ),
);

const forbidden = (route: keyof typeof ROUTES, as: ClientId): Case => ({
  name: `${as} on ${route}`,
  ...ROUTES[route],
  as,
  status: 403,
  error: 'forbidden',
});
table('roles without the right', [
  forbidden('POST /api/payments', 'viewer'),
  forbidden('POST /api/payments', 'analyst'),
  forbidden('POST /api/payments/:id/approve', 'merchant-M123'),
  forbidden('POST /api/payments/:id/approve', 'viewer'),
  forbidden('POST /api/payments/:id/decline', 'merchant-M123'),
  forbidden('POST /api/payments/:id/decline', 'viewer'),
  forbidden('GET /api/events', 'merchant-M123'),
  forbidden('GET /api/events', 'viewer'),
  forbidden('POST /api/projections/payments/rebuild', 'merchant-M123'),
  forbidden('POST /api/projections/payments/rebuild', 'viewer'),
  forbidden('GET /api/projections/payments', 'merchant-M123'),
  forbidden('GET /api/projections/payments/rebuilds/:id', 'merchant-M123'),
]);

// OWASP API1: merchant M456 reaches for M123's payments. Reads answer as if the payment did not exist.
const asM456 = (name: string, api: 'command' | 'query', req: RawRequest, status: number): Case => ({
  name,
  api,
  req,
  as: 'merchant-M456',
  status,
});
table('broken object-level authorization: M456 with M123 payment ids', [
  asM456('GET /api/payments/:id', 'query', { method: 'GET', path: '/api/payments/{authorized}' }, 404),
  asM456('GET /api/payments/:id in upper case', 'query', { method: 'GET', path: '/api/payments/{AUTHORIZED}' }, 404),
  asM456('GET /api/payments/:id of a payment in review', 'query', { method: 'GET', path: '/api/payments/{review}' }, 404),
  asM456('GET /api/payments/:id?asOf=now', 'query', { method: 'GET', path: '/api/payments/{authorized}?asOf={now}' }, 404),
  asM456('GET /api/payments/:id?minPosition', 'query', { method: 'GET', path: '/api/payments/{authorized}?minPosition={position}' }, 404),
  asM456('GET /api/payments/:id/events', 'query', { method: 'GET', path: '/api/payments/{authorized}/events' }, 404),
  asM456('GET /api/payments?merchantId=M123', 'query', { method: 'GET', path: '/api/payments?merchantId=M123' }, 403),
  asM456(
    'GET /api/payments?merchantId=M123&status=REVIEW',
    'query',
    { method: 'GET', path: '/api/payments?merchantId=M123&status=REVIEW' },
    403,
  ),
  asM456(
    'POST /api/payments/:id/approve (merchants may not approve)',
    'command',
    { method: 'POST', path: '/api/payments/{review}/approve', body: {} },
    403,
  ),
  asM456('POST /api/payments/:id/decline', 'command', { method: 'POST', path: '/api/payments/{review}/decline', body: {} }, 403),
  asM456('POST /api/payments for merchant M123', 'command', payment(VALID), 403),
]);

describe('broken object-level authorization: what M456 does see', () => {
  it('the ids are real: an analyst reads both payments', async () => {
    for (const id of [m123.authorized, m123.review]) {
      const res = await send(stack.queryUrl, {
        method: 'GET',
        path: `/api/payments/${id}`,
        headers: { authorization: `Bearer ${await stack.token('analyst')}` },
      });
      expect(res.status).toBe(200);
    }
  });

  it("M456's list, stats and series hold none of M123's payments", async () => {
    const authorization = `Bearer ${await stack.token('merchant-M456')}`;
    const read = async (path: string) => {
      const res = await send(stack.queryUrl, { method: 'GET', path, headers: { authorization } });
      expect(res.status).toBe(200);
      return JSON.parse(res.text);
    };
    expect((await read('/api/payments')).items).toEqual([]);
    expect((await read('/api/payments?status=REVIEW')).items).toEqual([]);
    const stats = await read('/api/stats');
    expect(stats.total).toBe(0);
    expect(stats.volume).toEqual([]);
    const series = await read('/api/stats/series');
    expect(
      Object.values(series.counts as Record<string, number[]>)
        .flat()
        .every((n) => n === 0),
    ).toBe(true);
  });

  it("M456's stream, replayed from the start, carries none of M123's payments", async () => {
    const messages = (await listen(stack.queryUrl, '/api/stream?since=0', await stack.token('merchant-M456'), 500)) as {
      type: string;
      payment?: { merchantId: string };
      stats?: { total: number };
    }[];
    expect(messages[0]).toMatchObject({ type: 'hello', position: 0 });
    expect(messages.filter((m) => m.type === 'payment.updated')).toEqual([]);
    for (const m of messages.filter((m) => m.type === 'stats')) expect(m.stats?.total).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Paths and query strings

const viewerGet = (name: string, path: string, status: number, as: ClientId = 'viewer'): Case => ({
  name,
  api: 'query',
  req: { method: 'GET', path },
  as,
  status,
});
table('invalid ids in paths', [
  viewerGet('not a uuid', '/api/payments/not-a-uuid', 400),
  viewerGet('a uuid one character short', '/api/payments/0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5', 400),
  viewerGet('a uuid with braces', '/api/payments/%7B0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b%7D', 400),
  viewerGet('an encoded NUL', '/api/payments/%00', 400),
  viewerGet('a uuid followed by an encoded NUL', '/api/payments/0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b%00', 400),
  viewerGet('SQL in the id', "/api/payments/'%20OR%201=1--", 400),
  viewerGet('an encoded path traversal', '/api/payments/..%2Fstats', 400),
  viewerGet('a broken percent-encoding', '/api/payments/%E0%A4%A', 400),
  viewerGet('an id of 300 characters', `/api/payments/${'a'.repeat(300)}`, 414),
  viewerGet('the nil uuid', '/api/payments/00000000-0000-0000-0000-000000000000', 404),
  viewerGet('the max uuid', '/api/payments/ffffffff-ffff-ffff-ffff-ffffffffffff', 404),
  viewerGet('events of not a uuid', '/api/payments/not-a-uuid/events', 400),
  viewerGet('events of an unknown payment', '/api/payments/0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b/events', 404),
  {
    name: 'approve with not a uuid',
    api: 'command',
    req: { method: 'POST', path: '/api/payments/not-a-uuid/approve', body: {} },
    as: 'analyst',
    status: 400,
  },
  {
    name: 'approve of an unknown payment',
    api: 'command',
    req: { method: 'POST', path: '/api/payments/0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b/approve', body: {} },
    as: 'analyst',
    status: 404,
  },
  viewerGet('an unknown projection', '/api/projections/nope', 404),
  viewerGet('a projection name with NUL', '/api/projections/%00', 404),
  viewerGet('rebuild id not a number', '/api/projections/payments/rebuilds/abc', 400),
  viewerGet('rebuild id 0', '/api/projections/payments/rebuilds/0', 400),
  viewerGet('rebuild id -1', '/api/projections/payments/rebuilds/-1', 400),
  viewerGet('rebuild id of 20 digits', '/api/projections/payments/rebuilds/99999999999999999999', 400),
  viewerGet('an unknown rebuild', '/api/projections/payments/rebuilds/2147483648', 404),
  {
    name: 'rebuild of a projection name with SQL',
    api: 'query',
    req: { method: 'POST', path: "/api/projections/payments';drop%20table%20x;--/rebuild" },
    as: 'analyst',
    status: 404,
  },
]);

const cursorOf = (text: string) => Buffer.from(text).toString('base64url');
const uuid = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
table('bad query strings', [
  viewerGet('limit=0', '/api/payments?limit=0', 400),
  viewerGet('limit=100000', '/api/payments?limit=100000', 400),
  viewerGet('limit=abc', '/api/payments?limit=abc', 400),
  viewerGet('limit=-1', '/api/payments?limit=-1', 400),
  viewerGet('limit empty', '/api/payments?limit=', 400),
  viewerGet('limit twice', '/api/payments?limit=1&limit=2', 400),
  viewerGet('cursor garbage', '/api/payments?cursor=garbage', 400),
  viewerGet('cursor of two words', `/api/payments?cursor=${cursorOf('x|y')}`, 400),
  viewerGet('cursor with SQL', `/api/payments?cursor=${cursorOf("2024-01-01T00:00:00.000Z|' or 1=1--")}`, 400),
  viewerGet('cursor of 300 characters', `/api/payments?cursor=${'A'.repeat(300)}`, 400),
  // instants JavaScript round-trips but PostgreSQL's timestamptz refuses
  viewerGet('cursor in the year 0000', `/api/payments?cursor=${cursorOf(`0000-01-01T00:00:00.000Z|${uuid}`)}`, 400),
  viewerGet('cursor in the year +10000', `/api/payments?cursor=${cursorOf(`+010000-01-01T00:00:00.000Z|${uuid}`)}`, 400),
  viewerGet('cursor in the year -1', `/api/payments?cursor=${cursorOf(`-000001-01-01T00:00:00.000Z|${uuid}`)}`, 400),
  viewerGet('status in lower case', '/api/payments?status=pending', 400),
  viewerGet('an unknown status', '/api/payments?status=ANY', 400),
  viewerGet('merchantId with NUL', '/api/payments?merchantId=M123%00', 400),
  viewerGet('merchantId with SQL', "/api/payments?merchantId='%20OR%20'1'='1", 400),
  viewerGet('merchantId of 65 characters', `/api/payments?merchantId=${'M'.repeat(65)}`, 400),
  viewerGet('an unknown parameter', '/api/payments?foo=1', 400),
  viewerGet('minPosition=-1', '/api/payments?minPosition=-1', 400),
  viewerGet('minPosition=0', '/api/payments?minPosition=0', 400),
  viewerGet('minPosition=abc', '/api/payments?minPosition=abc', 400),
  viewerGet('minPosition of 20 digits', '/api/payments?minPosition=99999999999999999999', 400),
  viewerGet('minPosition of 20 digits on one payment', '/api/payments/{authorized}?minPosition=99999999999999999999', 400),
  viewerGet('asOf garbage', '/api/payments/{authorized}?asOf=yesterday', 400),
  viewerGet('asOf a date without a time', '/api/payments/{authorized}?asOf=2024-01-01', 400),
  viewerGet('asOf in month 13', '/api/payments/{authorized}?asOf=2024-13-01T00:00:00Z', 400),
  viewerGet('asOf on a leap second', '/api/payments/{authorized}?asOf=2016-12-31T23:59:60Z', 400),
  viewerGet('asOf with a time-zone suffix', '/api/payments/{authorized}?asOf=2024-01-01T00:00:00Z%5BEurope%2FParis%5D', 400),
  viewerGet('asOf before the payment existed (year 0000)', '/api/payments/{authorized}?asOf=0000-01-01T00:00:00Z', 404),
  viewerGet('asOf of 10 KB', `/api/payments/{authorized}?asOf=${'9'.repeat(10 * 1024)}`, 400),
  viewerGet('step=0', '/api/stats/series?step=0', 400),
  viewerGet('step=-1', '/api/stats/series?step=-1', 400),
  viewerGet('step=abc', '/api/stats/series?step=abc', 400),
  viewerGet('step over a day', '/api/stats/series?step=86401', 400),
  viewerGet('from garbage', '/api/stats/series?from=garbage', 400),
  viewerGet('from after to', '/api/stats/series?from=2024-01-02T00:00:00Z&to=2024-01-01T00:00:00Z', 400),
  viewerGet('ten years by the second', '/api/stats/series?from=2014-01-01T00:00:00Z&to=2024-01-01T00:00:00Z&step=1', 400),
  viewerGet('from on a leap second', '/api/stats/series?from=2016-12-31T23:59:60Z', 400),
  viewerGet('to with a time-zone suffix', '/api/stats/series?to=2024-01-01T00:00:00Z%5BEurope%2FParis%5D', 400),
  viewerGet('an unknown series parameter', '/api/stats/series?merchantId=M123', 400),
  viewerGet('events from garbage', '/api/events?from=garbage', 400, 'analyst'),
  viewerGet('events of an unknown type', '/api/events?type=PaymentStolen', 400, 'analyst'),
  viewerGet('events of a type with SQL', "/api/events?type='%20OR%201=1--", 400, 'analyst'),
  viewerGet('events from a time with a time-zone suffix', '/api/events?from=2024-01-01T00:00:00Z%5BEurope%2FParis%5D', 400, 'analyst'),
  viewerGet('events to a leap second', '/api/events?to=2016-12-31T23:59:60Z', 400, 'analyst'),
  viewerGet('events with an unknown parameter', '/api/events?limit=1', 400, 'analyst'),
]);

// ---------------------------------------------------------------------------------------------------------
// WebSocket /api/stream: refused at the upgrade, as an HTTP error with a JSON body

type Upgrade = { name: string; path: string; header?: HostileAuthorization; as?: ClientId; status: number };
const upgradeCases: Upgrade[] = [
  ...HOSTILE_AUTHORIZATIONS.map((token) => ({ name: `Authorization: ${token}`, path: '/api/stream', header: token, status: 401 })),
  { name: 'an expired token as ?token=', path: '/api/stream?token={expired}', status: 401 },
  { name: 'a token for the wrong audience as ?token=', path: '/api/stream?token={wrong audience}', status: 401 },
  { name: 'an alg none token as ?token=', path: '/api/stream?token={alg none}', status: 401 },
  { name: 'garbage as ?token=', path: '/api/stream?token=not.a.jwt', status: 401 },
  { name: 'an empty ?token=', path: '/api/stream?token=', status: 401 },
  { name: 'a ?token= of 9,000 characters', path: `/api/stream?token=${'a'.repeat(9000)}`, status: 400 },
  { name: 'since=abc', path: '/api/stream?since=abc', as: 'viewer', status: 400 },
  { name: 'since=-1', path: '/api/stream?since=-1', as: 'viewer', status: 400 },
  { name: 'an unknown parameter', path: '/api/stream?merchantId=M123', as: 'merchant-M456', status: 400 },
];
describe('WebSocket /api/stream refuses hostile upgrades', () => {
  let before: RowCounts;
  beforeAll(async () => {
    before = await rowCounts(stack.db.pool);
  });
  it.each(upgradeCases)('$name → $status', async (c) => {
    const path = c.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
      const value = hostile[name as HostileAuthorization];
      return encodeURIComponent((value ?? '').replace(/^Bearer /, ''));
    });
    const headers: Record<string, string> = {};
    if (c.header !== undefined) {
      const value = hostile[c.header];
      if (value !== null) headers.authorization = value;
    }
    if (c.as) headers.authorization = `Bearer ${await stack.token(c.as)}`;
    const outcome = await tryUpgrade(stack.queryUrl, path, headers);
    expect(outcome.opened).toBe(false);
    if (outcome.opened) return;
    expectRejection({ status: outcome.status, headers: outcome.headers as RawResponse['headers'], text: outcome.text }, c.status);
  });
  it('still upgrades a valid token, and wrote nothing', async () => {
    expect(await tryUpgrade(stack.queryUrl, '/api/stream', { authorization: `Bearer ${await stack.token('viewer')}` })).toEqual({
      opened: true,
    });
    expect(await rowCounts(stack.db.pool)).toEqual(before);
    await expectReady(stack.queryUrl);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Odd but valid: accepted, and stored exactly (these write, so they run last)

describe('odd but valid input is accepted and kept intact', () => {
  it('a reference of emoji, combining marks and right-to-left letters is stored exactly', async () => {
    const reference = '👩‍👩‍👧 e\u0301 שלום مرحبا 𝔘';
    const res = await send(stack.commandUrl, {
      method: 'POST',
      path: '/api/payments',
      headers: { authorization: `Bearer ${await stack.token('merchant-M123')}` },
      body: { ...VALID, reference },
    });
    expect(res.status, res.text).toBe(202);
    const { paymentId } = JSON.parse(res.text) as { paymentId: string };
    const { rows } = await stack.db.pool.query(`select data->>'reference' as reference from es.events where stream_id = $1`, [paymentId]);
    expect(rows[0].reference).toBe(reference);
  });

  it('an oversized X-Request-Id is not copied into the event, so the payment is still decided', async () => {
    const res = await send(stack.commandUrl, {
      method: 'POST',
      path: '/api/payments',
      headers: { authorization: `Bearer ${await stack.token('merchant-M123')}`, 'x-request-id': 'r'.repeat(4096) },
      body: VALID,
    });
    expect(res.status, res.text).toBe(202);
    const { paymentId } = JSON.parse(res.text) as { paymentId: string };
    const { rows } = await stack.db.pool.query(`select metadata->>'correlationId' as id from es.events where stream_id = $1`, [paymentId]);
    expect((rows[0].id as string).length).toBeLessThanOrEqual(128);
    await eventually(
      async () => {
        const { rows } = await stack.db.pool.query(`select status from read.payments where payment_id = $1`, [paymentId]);
        return rows[0]?.status === 'AUTHORIZED' ? true : undefined;
      },
      20_000,
      'the payment decided and projected',
    );
  });
});

describe('an Idempotency-Key is bound to its whole request', () => {
  const review = async (paymentId: string, action: 'approve' | 'decline', req: Partial<RawRequest> = {}) =>
    send(stack.commandUrl, {
      method: 'POST',
      path: `/api/payments/${paymentId}/${action}`,
      ...req,
      headers: { authorization: `Bearer ${await stack.token('analyst')}`, ...req.headers },
    });
  const statusOf = async (paymentId: string) => {
    const { rows } = await stack.db.pool.query<{ status: string }>('select status from read.payments where payment_id = $1', [paymentId]);
    return rows[0]?.status;
  };
  /** A new M123 payment, decided REVIEW and projected. */
  async function paymentInReview(): Promise<string> {
    const res = await send(stack.commandUrl, {
      method: 'POST',
      path: '/api/payments',
      headers: { authorization: `Bearer ${await stack.token('merchant-M123')}` },
      body: { merchantId: 'M123', amount: '20000.00', currency: 'INR' },
    });
    expect(res.status, res.text).toBe(202);
    const { paymentId } = JSON.parse(res.text) as { paymentId: string };
    await eventually(async () => ((await statusOf(paymentId)) === 'REVIEW' ? true : undefined), 20_000, 'the payment in review');
    return paymentId;
  }

  it('a key used to approve one payment is refused on another, which stays in review', async () => {
    const [a, b] = [await paymentInReview(), await paymentInReview()];
    const headers = { 'idempotency-key': 'review-key-1' };
    const first = await review(a, 'approve', { body: {}, headers });
    expect(first.status, first.text).toBe(200);
    const other = await review(b, 'approve', { body: {}, headers });
    expectRejection(other, 422, 'idempotency_key_reused');
    expect(other.headers['idempotent-replayed']).toBeUndefined();
    const declined = await review(a, 'decline', { body: {}, headers });
    expectRejection(declined, 422, 'idempotency_key_reused');
    const { rows } = await stack.db.pool.query<{ n: number }>('select count(*)::int as n from es.events where stream_id = $1', [b]);
    expect(rows[0]?.n).toBe(2); // requested, sent to review: nothing appended for the refused approval
    const replay = await review(a, 'approve', { body: {}, headers });
    expect(replay.status, replay.text).toBe(200);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(JSON.parse(replay.text)).toEqual(JSON.parse(first.text));
  });

  it('the same key with another reason is another request', async () => {
    const a = await paymentInReview();
    const headers = { 'idempotency-key': 'review-key-2' };
    expect((await review(a, 'decline', { body: { reason: 'card testing' }, headers })).status).toBe(200);
    expectRejection(await review(a, 'decline', { body: { reason: 'other' }, headers }), 422, 'idempotency_key_reused');
  });

  it('approve and decline take an absent body, as the README shows', async () => {
    const [a, b] = [await paymentInReview(), await paymentInReview()];
    const approved = await review(a, 'approve', { contentType: null });
    expect(approved.status, approved.text).toBe(200);
    expect(JSON.parse(approved.text)).toMatchObject({ status: 'APPROVED' });
    // a client that always sends Content-Type: application/json, with no body
    const declined = await review(b, 'decline', { body: '' });
    expect(declined.status, declined.text).toBe(200);
    expect(JSON.parse(declined.text)).toMatchObject({ status: 'DECLINED' });
  });
});

describe('an amount sent as a JSON number is read as written', () => {
  it.each([
    ['1.50', 'INR', '1.50', 150],
    ['100', 'JPY', '100', 100],
    ['0.005', 'BHD', '0.005', 5],
  ])('%s %s is accepted as %s', async (raw, currency, amount, amountMinor) => {
    const res = await send(stack.commandUrl, {
      method: 'POST',
      path: '/api/payments',
      headers: { authorization: `Bearer ${await stack.token('merchant-M123')}` },
      body: `{"merchantId":"M123","amount":${raw},"currency":"${currency}"}`,
    });
    expect(res.status, res.text).toBe(202);
    expect(JSON.parse(res.text)).toMatchObject({ amount, amountMinor, currency });
  });
});
