// Stubs and probes for the APIs' tests: for in-process route tests (`app.inject()`, no PostgreSQL, no Kafka) a
// freshly generated signing key with its issuer and verifier, and a pool that records every statement it is
// given and answers from the test's script; for the HTTP layer's own tests a raw-socket exchange. Test code
// only: no service imports this module.
import { generateKeyPairSync } from 'node:crypto';
import { connect } from 'node:net';
import { devClient } from '@payments/schemas';
import { TokenIssuer, TokenVerifier } from './auth.ts';
import { createLogger } from './logger.ts';
import { MerchantPositions } from './merchant-positions.ts';
import { createRegistry } from './metrics.ts';
import type { Pool } from './pg/index.ts';

const SETTINGS = { issuer: 'payments-command-api', audience: 'payments', ttlSeconds: 300 };

export type TestTokens = {
  issuer: TokenIssuer;
  verifier: TokenVerifier;
  /** `{ authorization: 'Bearer …' }` for a development client (merchant-M123, analyst, viewer, …). */
  as: (clientId: string) => Promise<{ authorization: string }>;
};

export function testTokens(): TestTokens {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const issuer = new TokenIssuer(privateKey, SETTINGS);
  return {
    issuer,
    verifier: new TokenVerifier(publicKey, SETTINGS),
    async as(clientId) {
      const { role, merchantId } = devClient(clientId);
      const { token } = await issuer.issue({ sub: clientId, role, ...(merchantId ? { merchantId } : {}) });
      return { authorization: `Bearer ${token}` };
    },
  };
}

export type RecordedQuery = { sql: string; params: unknown[] };
export type QueryAnswer = { rows: unknown[]; rowCount?: number };
type Answer = (query: RecordedQuery) => QueryAnswer | Promise<QueryAnswer>;

export type StubPool = {
  /** Pass as the app's `pool`: queries on it and on the clients it hands out are recorded, then answered. */
  pool: Pool;
  /** Every statement, in order, whether on the pool or a client from `connect()`. */
  queries: RecordedQuery[];
  /** What each statement returns (or throws); no rows until a test says otherwise. */
  answer: Answer;
  /** Forgets the statements and the answer: for a beforeEach. */
  reset: () => void;
};

const noRows: Answer = () => ({ rows: [] });

/** A pool whose `query` records the statement and returns (or throws) what `answer` gives. */
export function stubPool(): StubPool {
  const stub: StubPool = {
    pool: undefined as unknown as Pool,
    queries: [],
    answer: noRows,
    reset() {
      stub.queries.length = 0;
      stub.answer = noRows;
    },
  };
  const query = async (text: string | { text: string; values?: unknown[] }, params: unknown[] = []) => {
    const recorded = typeof text === 'string' ? { sql: text, params } : { sql: text.text, params: text.values ?? [] };
    stub.queries.push(recorded);
    const { rows, rowCount } = await stub.answer(recorded);
    return { rows, rowCount: rowCount ?? rows.length };
  };
  stub.pool = { query, connect: async () => ({ query, release: () => {} }), end: async () => {} } as unknown as Pool;
  return stub;
}

/** The dependencies both APIs' apps take that a route test has no use for: a silent logger, a registry, … */
export function quietAppDeps() {
  return {
    logger: createLogger('test', 'silent'),
    registry: createRegistry('test'),
    corsOrigins: [],
    merchantPositions: new MerchantPositions('test'),
  };
}

/**
 * Writes raw bytes on a fresh socket, as no HTTP client would (a body that never ends, a malformed request
 * line); resolves with what came back once the server closed the socket, or with `closed: false` after `waitMs`.
 */
export function rawExchange(url: string, text: string, waitMs: number): Promise<{ closed: boolean; ms: number; response: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = connect(Number(port), hostname);
    let response = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ closed: false, ms: Date.now() - started, response });
    }, waitMs);
    socket.on('data', (chunk) => {
      response += chunk.toString('latin1');
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ closed: true, ms: Date.now() - started, response });
    });
    socket.write(text);
  });
}
