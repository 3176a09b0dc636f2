// The stand-in for autovacuum on a real PostgreSQL: a table with enough dead rows is vacuumed, one with
// enough changed rows analyzed (which is what makes cached plans be made again), and a quiet one left alone.
import { dueWork, TableMaintenance } from '@payments/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, eventually, logger, type TestDatabase } from './support/stack.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  await db.pool.query(
    'create schema scratch; create table scratch.churned (id int); create table scratch.grown (id int); create table scratch.quiet (id int)',
  );
});
afterAll(async () => {
  await db?.drop();
});

const counts = async (table: string) => {
  const { rows } = await db.pool.query<{ vacuums: string; analyzes: string }>(
    `select vacuum_count::text as vacuums, analyze_count::text as analyzes from pg_stat_user_tables where schemaname = 'scratch' and relname = $1`,
    [table],
  );
  return { vacuums: Number(rows[0]?.vacuums), analyzes: Number(rows[0]?.analyzes) };
};

describe('table maintenance', () => {
  it("uses PostgreSQL's default thresholds", () => {
    expect(dueWork({ name: 't', reltuples: 1000, dead: 260, modified: 0 })).toEqual({ vacuum: true, analyze: false });
    expect(dueWork({ name: 't', reltuples: 1000, dead: 240, modified: 160 })).toEqual({ vacuum: false, analyze: true });
    expect(dueWork({ name: 't', reltuples: 0, dead: 50, modified: 50 })).toEqual({ vacuum: false, analyze: false });
  });

  it('vacuums a table full of dead rows, analyzes a grown one and leaves a quiet one alone', async () => {
    await db.pool.query('insert into scratch.churned select generate_series(1, 300)');
    await db.pool.query('delete from scratch.churned');
    await db.pool.query('insert into scratch.grown select generate_series(1, 300)');
    await db.pool.query('insert into scratch.quiet values (1)');
    const maintenance = new TableMaintenance({
      pool: db.pool,
      tables: ['scratch.churned', 'scratch.grown', 'scratch.quiet'],
      logger,
      evenWithAutovacuum: true,
    });
    // the statistics of the writes above reach pg_stat_user_tables within a second or so
    const done = await eventually(async () => {
      const did = await maintenance.runOnce();
      return did.length === 2 ? did : undefined;
    });
    expect(done.sort()).toEqual(['analyze scratch.grown', 'vacuum scratch.churned']);
    expect(await counts('churned')).toEqual({ vacuums: 1, analyzes: 1 });
    expect(await counts('grown')).toEqual({ vacuums: 0, analyzes: 1 });
    expect(await counts('quiet')).toEqual({ vacuums: 0, analyzes: 0 });
    expect(await maintenance.runOnce()).toEqual([]); // nothing left to do
  });

  it('keeps no statistics of the JSON payloads and a small sample of the rest on the tables every payment writes', async () => {
    const { rows } = await db.pool.query<{ col: string; target: number }>(
      `select attrelid::regclass::text || '.' || attname as col, attstattarget as target from pg_attribute
        where attrelid = any(array['es.events', 'es.outbox', 'es.idempotency_keys', 'feed.changes', 'read.payments']::regclass[])
          and attnum > 0 and not attisdropped`,
    );
    const payloads = ['es.events.data', 'es.events.metadata', 'es.outbox.payload', 'es.outbox.headers', 'es.idempotency_keys.request_hash'];
    payloads.push('es.idempotency_keys.response_body', 'feed.changes.payload', 'read.payments.decision');
    const byName = (a: { col: string }, b: { col: string }) => a.col.localeCompare(b.col);
    expect(rows.filter((r) => payloads.includes(r.col)).sort(byName)).toEqual(payloads.map((col) => ({ col, target: 0 })).sort(byName));
    expect(rows.filter((r) => !payloads.includes(r.col) && r.target !== 10)).toEqual([]);
    expect(rows.length).toBeGreaterThan(payloads.length + 30);

    // what ANALYZE then keeps: the event type's distribution, nothing of the event's JSON
    await db.pool.query(
      `insert into es.events (event_id, stream_id, stream_version, type, schema_version, data, metadata, occurred_at)
       select gen_random_uuid(), gen_random_uuid(), 1, 'PaymentRequested', 1, '{"amount": 1}', '{}', now() from generate_series(1, 20)`,
    );
    await db.pool.query('analyze es.events');
    const { rows: kept } = await db.pool.query<{ attname: string }>(
      `select attname from pg_stats where schemaname = 'es' and tablename = 'events' and attname in ('type', 'data', 'metadata')`,
    );
    expect(kept.map((r) => r.attname)).toEqual(['type']);
  });

  it('refuses a table name that is not schema.table', () => {
    expect(() => new TableMaintenance({ pool: db.pool, tables: ['x; drop table y'], logger })).toThrow(/schema.table/);
  });
});
