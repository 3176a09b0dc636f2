// The OpenAPI documents against the running system: what each API answers on its main routes, successes and
// refusals, is valid by the schema its own GET /openapi.json gives for that route and status (Ajv, JSON
// Schema 2020-12 as OpenAPI 3.1 uses it), and the headers of the contract it sends are documented there.
import { dereference } from '@readme/openapi-parser';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, get, type Json, post, type Stack, startStack } from './support/stack.ts';

type Operation = { responses: Record<string, { headers?: Record<string, unknown>; content?: Record<string, { schema: object }> }> };
type Document = { openapi: string; paths: Record<string, Record<string, Operation>> };
type Live = { status: number; headers: Headers; body: Json };

let stack: Stack;
const documents: { command: Document; query: Document } = {} as never;
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);

beforeAll(async () => {
  stack = await startStack();
  for (const [api, url] of [
    ['command', stack.commandUrl],
    ['query', stack.queryUrl],
  ] as const) {
    const res = await fetch(`${url}/openapi.json`);
    expect(res.status).toBe(200);
    documents[api] = (await dereference((await res.json()) as never)) as unknown as Document;
  }
});
afterAll(async () => {
  await stack?.stop();
});

/** The headers of the API's contract: when a response carries one, the document must list it for that status. */
const CONTRACT_HEADERS = ['idempotent-replayed', 'x-read-consistency', 'retry-after', 'location'];

/** `live` is what the document says `method path` answers with that status: a listed status, a valid body. */
function expectDocumented(api: 'command' | 'query', method: string, path: string, live: Live) {
  const operation = documents[api].paths[path]?.[method.toLowerCase()];
  expect(operation, `${method} ${path} is in the ${api} API's document`).toBeDefined();
  const response = operation?.responses[String(live.status)];
  expect(response, `${method} ${path} documents its ${live.status}`).toBeDefined();
  const schema = response?.content?.['application/json']?.schema;
  expect(schema, `${method} ${path} ${live.status} has a JSON schema`).toBeDefined();
  const validate = ajv.compile(schema as object);
  expect(validate(live.body) ? [] : validate.errors, `${method} ${path} ${live.status}: ${JSON.stringify(live.body)}`).toEqual([]);
  const documentedHeaders = Object.keys(response?.headers ?? {}).map((name) => name.toLowerCase());
  for (const name of CONTRACT_HEADERS)
    if (live.headers.has(name)) expect(documentedHeaders, `${method} ${path} ${live.status}`).toContain(name);
}

describe('live responses match the OpenAPI documents', () => {
  it('GET /openapi.json of both APIs is an OpenAPI 3.1 document that lists the main routes', () => {
    expect(documents.command.openapi).toBe('3.1.0');
    expect(documents.query.openapi).toBe('3.1.0');
    expect(Object.keys(documents.command.paths)).toEqual(expect.arrayContaining(['/api/auth/token', '/api/payments']));
    expect(Object.keys(documents.query.paths)).toEqual(expect.arrayContaining(['/api/payments', '/api/payments/{id}', '/api/stats']));
    // the check below really checks: a body the 202 does not describe fails it
    const accepted = documents.command.paths['/api/payments']?.post?.responses['202']?.content?.['application/json']?.schema;
    expect(ajv.validate(accepted as object, { paymentId: 'not-a-uuid', status: 'PENDING' })).toBe(false);
  });

  it('the token endpoint: 200, 400 and 401', async () => {
    const token = `${stack.commandUrl}/api/auth/token`;
    expectDocumented('command', 'POST', '/api/auth/token', await post(token, null, { clientId: 'analyst', clientSecret: 'nope' }));
    expectDocumented('command', 'POST', '/api/auth/token', await post(token, null, { clientId: 'analyst' }));
    const jwks = await get(`${stack.commandUrl}/.well-known/jwks.json`, null);
    expectDocumented('command', 'GET', '/.well-known/jwks.json', jwks);
  });

  it('a payment from request to approval, and the reads of it: 202 (also replayed), 200s, and the refusals', async () => {
    const merchant = await stack.token('merchant-M123');
    const analyst = await stack.token('analyst');
    const payments = `${stack.commandUrl}/api/payments`;
    // over JPY's review threshold: it waits for an analyst
    const body = { merchantId: 'M123', amount: '50000', currency: 'JPY', reference: 'openapi-contract' };
    const accepted = await post(payments, merchant, body, { 'idempotency-key': 'openapi-contract-1' });
    expect(accepted.status).toBe(202);
    expectDocumented('command', 'POST', '/api/payments', accepted);
    const replayed = await post(payments, merchant, body, { 'idempotency-key': 'openapi-contract-1' });
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
    expectDocumented('command', 'POST', '/api/payments', replayed);
    expectDocumented('command', 'POST', '/api/payments', await post(payments, merchant, { ...body, amount: 'lots' }));
    expectDocumented('command', 'POST', '/api/payments', await post(payments, null, body));
    expectDocumented('command', 'POST', '/api/payments', await post(payments, await stack.token('viewer'), body));

    const id = accepted.body.paymentId as string;
    const read = `${stack.queryUrl}/api/payments/${id}`;
    await eventually(async () => ((await get(read, merchant)).body.status === 'REVIEW' ? true : undefined), 20_000, 'payment in review');
    const approved = await post(`${payments}/${id}/approve`, analyst, { reason: 'checked by the contract test' });
    expect(approved.status).toBe(200);
    expectDocumented('command', 'POST', '/api/payments/{id}/approve', approved);
    expectDocumented(
      'command',
      'POST',
      '/api/payments/{id}/approve',
      await post(`${payments}/${crypto.randomUUID()}/approve`, analyst, {}),
    );
    expectDocumented('command', 'POST', '/api/payments/{id}/decline', await post(`${payments}/${id}/decline`, analyst, {}));

    const afterApproval = await get(`${read}?minPosition=${approved.body.position as number}`, analyst);
    expect(afterApproval.body.status).toBe('APPROVED');
    expectDocumented('query', 'GET', '/api/payments/{id}', afterApproval);
    expectDocumented('query', 'GET', '/api/payments/{id}', await get(`${stack.queryUrl}/api/payments/${crypto.randomUUID()}`, merchant));
    expectDocumented('query', 'GET', '/api/payments/{id}', await get(`${stack.queryUrl}/api/payments/not-a-uuid`, merchant));
    expectDocumented('query', 'GET', '/api/payments/{id}', await get(read, null));
    expectDocumented('query', 'GET', '/api/payments/{id}/events', await get(`${read}/events`, merchant));
  });

  it('the lists and figures: GET /api/payments and GET /api/stats, 200, 400, 401 and 403', async () => {
    const merchant = await stack.token('merchant-M123');
    const list = await get(`${stack.queryUrl}/api/payments?limit=5`, merchant);
    expect(list.status).toBe(200);
    expectDocumented('query', 'GET', '/api/payments', list);
    expectDocumented('query', 'GET', '/api/payments', await get(`${stack.queryUrl}/api/payments?limit=0`, merchant));
    expectDocumented('query', 'GET', '/api/payments', await get(`${stack.queryUrl}/api/payments?merchantId=M456`, merchant));
    expectDocumented('query', 'GET', '/api/payments', await get(`${stack.queryUrl}/api/payments`, null));
    for (const as of ['merchant-M123', 'viewer']) {
      const stats = await get(`${stack.queryUrl}/api/stats`, await stack.token(as));
      expect(stats.status).toBe(200);
      expectDocumented('query', 'GET', '/api/stats', stats);
    }
    expectDocumented('query', 'GET', '/api/stats', await get(`${stack.queryUrl}/api/stats`, null));
    expectDocumented('query', 'GET', '/api/stats/series', await get(`${stack.queryUrl}/api/stats/series`, merchant));
  });
});
