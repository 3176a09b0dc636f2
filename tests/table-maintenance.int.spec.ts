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

  it('refuses a table name that is not schema.table', () => {
    expect(() => new TableMaintenance({ pool: db.pool, tables: ['x; drop table y'], logger })).toThrow(/schema.table/);
  });
});
