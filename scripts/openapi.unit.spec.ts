// The OpenAPI documents of both APIs: each is valid OpenAPI 3.1 by a maintained validator, the committed copy
// in docs/openapi/ is exactly what the routes declare now, no route fastify serves is missing from it, and the
// committed types of the typed client (schemas/src/api/) are exactly what openapi-typescript makes of it.
import { readFileSync } from 'node:fs';
import { compileErrors, validate } from '@readme/openapi-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_NAMES, type ApiName, buildStubApp, documentPath, generateDocument, generateTypes, typesPath } from './openapi.ts';

type Document = Record<string, unknown> & { paths: Record<string, Record<string, unknown>> };

const documents = new Map<ApiName, Document>();
beforeAll(async () => {
  for (const api of API_NAMES) documents.set(api, (await generateDocument(api)) as Document);
});
const documentOf = (api: ApiName) => documents.get(api) as Document;

/** The validator dereferences in place: each check gets its own copy. */
const check = async (document: object) => validate(structuredClone(document) as never);

describe.each(API_NAMES)('the OpenAPI document of the %s', (api) => {
  it('is valid OpenAPI 3.1 by @readme/openapi-parser', async () => {
    const document = documentOf(api);
    expect(document.openapi).toBe('3.1.0');
    const result = await check(document);
    expect(result.valid, result.valid ? '' : compileErrors(result)).toBe(true);
  });

  it('fails the validator once broken: the check above really checks', async () => {
    const broken = structuredClone(documentOf(api));
    const [path, operations] = Object.entries(broken.paths)[0] as [string, Record<string, { responses?: unknown }>];
    for (const operation of Object.values(operations)) operation.responses = 'none';
    broken.paths[path] = operations;
    expect((await check(broken)).valid).toBe(false);
    expect((await check({ ...broken, openapi: '3.1.0', info: undefined })).valid).toBe(false);
  });

  it('is the one committed in docs/openapi/ (run `npm run openapi` after changing a route)', () => {
    const committed = JSON.parse(readFileSync(documentPath(api), 'utf8')) as unknown;
    expect(documentOf(api), `docs/openapi/${api}.json is out of date: run \`npm run openapi\` and commit it`).toEqual(committed);
  });

  it('has its committed TypeScript types in schemas/src/api/ generated from the committed document', async () => {
    const committed = JSON.parse(readFileSync(documentPath(api), 'utf8')) as object;
    expect(readFileSync(typesPath(api), 'utf8'), `schemas/src/api/${api}.ts is out of date: run \`npm run openapi\` and commit it`).toBe(
      await generateTypes(api, committed),
    );
  });

  it('lists every route the app serves, with the method it serves it by', async () => {
    const app = await buildStubApp(api);
    try {
      // printRoutes lists each route with its methods; the CORS preflight (OPTIONS *), the HEAD that fastify
      // adds for every GET and Swagger UI's own pages and assets (/docs…) are not API operations
      const served = servedRoutes(app.printRoutes({ commonPrefix: false }))
        .filter(({ method, url }) => method !== 'OPTIONS' && method !== 'HEAD' && url !== '/docs' && !url.startsWith('/docs/'))
        .map(({ method, url }) => `${method} ${url.replace(/:(\w+)/g, '{$1}')}`);
      const documented = Object.entries(documentOf(api).paths).flatMap(([url, operations]) =>
        Object.keys(operations).map((method) => `${method.toUpperCase()} ${url}`),
      );
      expect(served.length).toBeGreaterThan(5);
      expect(documented.sort()).toEqual([...new Set(served)].sort());
    } finally {
      await app.close();
    }
  });
});

/**
 * The routes in fastify's printRoutes tree: each line is a segment indented under its parent, followed by
 * the methods its route answers, e.g. `│   ├── :id (GET, HEAD)`.
 */
function servedRoutes(tree: string): { method: string; url: string }[] {
  const routes: { method: string; url: string }[] = [];
  const stack: { depth: number; prefix: string }[] = [];
  for (const line of tree.split('\n')) {
    const match = /^([│ ]*)(?:[├└]── )?(.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match?.[2]) continue;
    const depth = (match[1] ?? '').length;
    while (stack.length && (stack.at(-1)?.depth ?? 0) >= depth) stack.pop();
    const prefix = `${stack.at(-1)?.prefix ?? ''}${match[2]}`;
    stack.push({ depth, prefix });
    for (const method of match[3]?.split(', ') ?? []) routes.push({ method, url: prefix });
  }
  return routes;
}

describe('the rendered reference at /docs', () => {
  let app: Awaited<ReturnType<typeof buildStubApp>>;
  beforeAll(async () => {
    app = await buildStubApp('query-api');
  });
  afterAll(async () => {
    await app?.close();
  });

  it('is Swagger UI served from node_modules: the page and every script and stylesheet it names answer 200', async () => {
    const page = await app.inject({ method: 'GET', url: '/docs' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    const assets = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1] as string);
    expect(assets).toEqual(expect.arrayContaining(['/docs/static/swagger-ui-bundle.js', '/docs/static/swagger-ui.css']));
    for (const asset of assets) {
      expect(asset, 'nothing from another origin').toMatch(/^\/docs\//);
      const res = await app.inject({ method: 'GET', url: asset });
      expect({ asset, status: res.statusCode }).toEqual({ asset, status: 200 });
    }
    expect((await app.inject({ method: 'GET', url: '/docs/json' })).json()).toEqual(documentOf('query-api'));
  });

  it("keeps helmet's CSP, less upgrade-insecure-requests, which only /docs drops", async () => {
    const csp = (url: string) => app.inject({ method: 'GET', url }).then((res) => String(res.headers['content-security-policy']));
    for (const url of ['/docs', '/docs/static/swagger-initializer.js']) {
      expect(await csp(url)).toContain("script-src 'self'");
      expect(await csp(url)).not.toContain('upgrade-insecure-requests');
    }
    expect(await csp('/health/live')).toContain('upgrade-insecure-requests');
  });

  it('serves the document at /openapi.json, without a token', async () => {
    const res = await app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(documentOf('query-api'));
  });
});
