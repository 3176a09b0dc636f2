// Raw HTTP and WebSocket probes for the hostile-input suite. node:http rather than fetch: a hostile request
// needs what fetch refuses or rewrites (no Content-Type with a body, raw non-ASCII header bytes, a lying
// media type, headers past the server's limit), and the answer is read as bytes, never trusted to be JSON.
import { request } from 'node:http';
import type { Pool } from '@payments/runtime/pg';
import { expect } from 'vitest';
import WebSocket from 'ws';

export type RawRequest = {
  method: 'GET' | 'POST';
  /** Path and raw query string, sent exactly as written (no normalisation, no re-encoding). */
  path: string;
  headers?: Record<string, string | string[]>;
  /** A Buffer or string is sent as is; anything else as JSON.stringify(body). */
  body?: unknown;
  /** Content-Type for the body; `null` sends none. Default: application/json when there is a body. */
  contentType?: string | null;
};

export type RawResponse = { status: number; headers: Record<string, string | string[] | undefined>; text: string };

export function send(baseUrl: string, req: RawRequest): Promise<RawResponse> {
  const url = new URL(baseUrl);
  const payload =
    req.body === undefined
      ? undefined
      : Buffer.isBuffer(req.body)
        ? req.body
        : Buffer.from(typeof req.body === 'string' ? req.body : JSON.stringify(req.body), 'utf8');
  const headers: Record<string, string | string[] | number> = { ...req.headers };
  const contentType = req.contentType === undefined ? (payload ? 'application/json' : null) : req.contentType;
  if (contentType !== null) headers['content-type'] = contentType;
  if (payload) headers['content-length'] = payload.length;
  return new Promise((resolve, reject) => {
    const r = request(
      { host: url.hostname, port: url.port, method: req.method, path: req.path, headers, agent: false, insecureHTTPParser: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    r.on('error', reject);
    r.end(payload);
  });
}

// What an error body must never carry: a stack trace, source paths, SQL or driver text, internal names.
const LEAKS = [
  /\n\s+at\s/,
  /\bat (?:\S+ )?\(?(?:\/|file:|node:)[^\s)]*:\d+:\d+/,
  /node_modules|node:internal|\/work\/|file:\/\//,
  /\.(ts|js|mjs):\d+/,
  /\b(select|insert into|update|delete from)\b[\s\S]*\b(from|set|values|where)\b/i,
  /syntax error at or near|violates .* constraint|relation "|invalid input syntax|pg_|\bes\.(events|outbox|idempotency_keys)\b|auth\.clients/i,
  /\b(TypeError|ReferenceError|RangeError|ECONNREFUSED|ECONNRESET)\b/,
];

/** A rejection as the contract wants it: the status, a JSON {error, message} of strings, nothing internal. */
export function expectRejection(res: RawResponse, status: number, error?: string): void {
  let body: unknown;
  try {
    body = JSON.parse(res.text);
  } catch {
    body = undefined;
  }
  const shape = (b: unknown) =>
    b !== null && typeof b === 'object' && !Array.isArray(b)
      ? { error: typeof (b as Record<string, unknown>).error, message: typeof (b as Record<string, unknown>).message }
      : b;
  expect({ status: res.status, body: shape(body) }, res.text.slice(0, 300)).toEqual({
    status,
    body: { error: 'string', message: 'string' },
  });
  expect(String(res.headers['content-type'] ?? '')).toMatch(/^application\/json/);
  expect(Object.keys(body as object)).not.toContain('stack');
  if (error !== undefined) expect((body as { error: string }).error).toBe(error);
  for (const leak of LEAKS) expect(res.text).not.toMatch(leak);
}

export type RowCounts = { events: number; outbox: number; idempotencyKeys: number; clients: number; rebuilds: number };

/** The tables a hostile request must never write to (projection.rebuilds: the one write the query API does). */
export async function rowCounts(pool: Pool): Promise<RowCounts> {
  const { rows } = await pool.query<RowCounts>(
    `select (select count(*) from es.events)::int as events, (select count(*) from es.outbox)::int as outbox,
            (select count(*) from es.idempotency_keys)::int as "idempotencyKeys",
            (select count(*) from auth.clients)::int as clients, (select count(*) from projection.rebuilds)::int as rebuilds`,
  );
  return rows[0] as RowCounts;
}

export async function expectReady(baseUrl: string): Promise<void> {
  const res = await send(baseUrl, { method: 'GET', path: '/health/ready' });
  expect({ url: baseUrl, status: res.status }).toEqual({ url: baseUrl, status: 200 });
}

export type UpgradeOutcome = { opened: true } | { opened: false; status: number; text: string; headers: Record<string, unknown> };

/** Tries a WebSocket upgrade; a refusal comes back as the HTTP response the server sent instead. */
export function tryUpgrade(queryUrl: string, pathAndQuery: string, headers: Record<string, string> = {}): Promise<UpgradeOutcome> {
  const socket = new WebSocket(`${queryUrl.replace(/^http/, 'ws')}${pathAndQuery}`, { headers });
  return new Promise((resolve, reject) => {
    socket.once('open', () => {
      socket.terminate();
      resolve({ opened: true });
    });
    socket.once('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        resolve({ opened: false, status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), headers: res.headers });
        socket.terminate();
      });
    });
    socket.once('error', (error) => {
      if (socket.readyState !== WebSocket.CLOSED) reject(error);
    });
  });
}

/** Collects what a WebSocket receives for `ms` after it opens. */
export async function listen(queryUrl: string, pathAndQuery: string, token: string, ms: number): Promise<unknown[]> {
  const socket = new WebSocket(`${queryUrl.replace(/^http/, 'ws')}${pathAndQuery}`, { headers: { authorization: `Bearer ${token}` } });
  const messages: unknown[] = [];
  socket.on('message', (data) => messages.push(JSON.parse(String(data))));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    socket.once('error', reject);
  });
  await new Promise((r) => setTimeout(r, ms));
  socket.terminate();
  return messages;
}
