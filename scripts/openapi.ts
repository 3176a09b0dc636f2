// `npm run openapi`: writes the OpenAPI documents of both APIs to docs/openapi/, as `GET /openapi.json` serves
// them. Each app is built in process with stub dependencies (no PostgreSQL, no Kafka: the document depends
// only on the routes' schemas) and asked for GET /openapi.json (app.swagger()). scripts/openapi.unit.spec.ts fails when a
// committed document differs from what the routes declare now.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCommandApi } from '@payments/command-api';
import { buildQueryApi } from '@payments/query-api';
import type { App } from '@payments/runtime/http';
import type { EventStore } from '@payments/runtime/pg';
import { quietAppDeps, stubPool, testTokens } from '@payments/runtime/testing';

const ROOT = join(import.meta.dirname, '..');

export type ApiName = 'command-api' | 'query-api';
export const API_NAMES: readonly ApiName[] = ['command-api', 'query-api'];

/** Where the committed document of each API is. */
export const documentPath = (api: ApiName) => join(ROOT, 'docs', 'openapi', `${api}.json`);

/** The app of one API over stubs: enough to list its routes and generate its document, never to serve. */
export async function buildStubApp(api: ApiName): Promise<App> {
  const tokens = testTokens();
  const common = { ...quietAppDeps(), pool: stubPool().pool, eventStore: {} as EventStore, verifier: tokens.verifier };
  const app =
    api === 'command-api'
      ? await buildCommandApi({
          ...common,
          issuer: tokens.issuer,
          idempotencyTtlSeconds: 60,
          onAppended: () => {},
          rateLimitPerMinute: 1000,
          tokenRateLimitPerMinute: 1000,
          queryApiUrl: 'http://localhost:8081',
        })
      : await buildQueryApi({ ...common, tail: {} as never, hub: {} as never, minPositionMaxWaitMs: 100 });
  await app.ready();
  return app;
}

/** The document `GET /openapi.json` of that API serves. */
export async function generateDocument(api: ApiName): Promise<Record<string, unknown>> {
  const app = await buildStubApp(api);
  try {
    // exactly as served: GET /openapi.json answers app.swagger()
    const res = await app.inject({ method: 'GET', url: '/openapi.json' });
    if (res.statusCode !== 200) throw new Error(`GET /openapi.json of the ${api}: ${res.statusCode} ${res.body}`);
    return res.json() as Record<string, unknown>;
  } finally {
    await app.close();
  }
}

if (import.meta.main) {
  const written: string[] = [];
  for (const api of API_NAMES) {
    const path = documentPath(api);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, `${JSON.stringify(await generateDocument(api), null, 2)}\n`);
    written.push(path);
  }
  // formatted as `npm run lint` wants it, so that regenerating an unchanged document changes no byte
  execFileSync(join(ROOT, 'node_modules', '.bin', 'biome'), ['format', '--write', ...written], { stdio: 'inherit' });
  console.log(`wrote ${written.map((path) => path.slice(ROOT.length + 1)).join(', ')}`);
}
