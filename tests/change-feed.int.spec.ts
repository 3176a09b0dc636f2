// The change feed is gap-safe: concurrent projector transactions commit in any order, yet a reader that
// resumes from the highest position it has seen never skips a change that commits later. Without the
// projection lock, a slower transaction holding a lower position would commit after a reader had moved
// past it: the Marten/Eventuous/Emmett bug.

import { appendToFeed, PROJECTION_LOCK } from '@payments/projector';
import { uuidv7 } from '@payments/runtime/ids';
import type { Payment } from '@payments/schemas';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/stack.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function payment(): Payment {
  const now = new Date().toISOString();
  return {
    status: 'PENDING',
    paymentId: uuidv7(),
    merchantId: 'M1',
    amountMinor: 100,
    currency: 'EUR',
    reference: null,
    version: 1,
    createdAt: now,
    updatedAt: now,
    decision: null,
    reviewer: null,
    reviewReason: null,
  };
}

it('a reader tailing by position sees every change exactly once while writers commit concurrently', async () => {
  const WRITERS = 8;
  const TRANSACTIONS = 25;
  let writing = true;
  const seen: number[] = [];
  const reader = (async () => {
    let last = 0;
    for (;;) {
      const done = !writing;
      const { rows } = await db.pool.query<{ position: number }>(
        'select position from feed.changes where position > $1 order by position',
        [last],
      );
      for (const r of rows) seen.push(r.position);
      last = rows.at(-1)?.position ?? last;
      if (done) return;
    }
  })();
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      for (let t = 0; t < TRANSACTIONS; t++) {
        const client = await db.pool.connect();
        try {
          await client.query('begin');
          await client.query('select pg_advisory_xact_lock($1)', [PROJECTION_LOCK]);
          await sleep(Math.random() * 3);
          await appendToFeed(client, [payment(), payment()]);
          await sleep(Math.random() * 3);
          await client.query('commit');
        } finally {
          client.release();
        }
      }
    }),
  );
  writing = false;
  await reader;
  const { rows } = await db.pool.query<{ position: number }>('select position from feed.changes order by position');
  expect(rows).toHaveLength(WRITERS * TRANSACTIONS * 2);
  expect(seen).toEqual(rows.map((r) => r.position));
});
