// A plain ordered-SQL migration runner: files in runtime/migrations, applied once each, in name order, each
// in its own transaction, under an advisory lock so concurrent starters do not race.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { LIVE_READ_SCHEMA } from './names.ts';

const MIGRATIONS_DIR = join(import.meta.dirname, '..', '..', 'migrations');
const MIGRATION_LOCK = 7_000_001;

/** The read-model DDL for a schema name: `read` when migrating, a fresh name during a rebuild. */
export function readModelDdl(schema: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`bad schema name ${schema}`);
  return readFileSync(join(MIGRATIONS_DIR, 'read-model.sql'), 'utf8').replaceAll('__SCHEMA__', schema);
}

function migrations(): { name: string; sql: string }[] {
  const files = readdirSync(MIGRATIONS_DIR)
    .filter((f) => /^\d{3}_.+\.sql$/.test(f))
    .sort();
  const list = files.map((name) => ({ name, sql: readFileSync(join(MIGRATIONS_DIR, name), 'utf8') }));
  list.push({ name: '100_read_models', sql: readModelDdl(LIVE_READ_SCHEMA) });
  return list.sort((a, b) => a.name.localeCompare(b.name));
}

export async function migrate(pool: pg.Pool): Promise<string[]> {
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query(
      'create table if not exists public.schema_migrations (name text primary key, applied_at timestamptz not null default now())',
    );
    const done = new Set((await client.query<{ name: string }>('select name from public.schema_migrations')).rows.map((r) => r.name));
    for (const { name, sql } of migrations()) {
      if (done.has(name)) continue;
      await client.query('BEGIN');
      try {
        await client.query(sql);
        await client.query('insert into public.schema_migrations (name) values ($1)', [name]);
        await client.query('COMMIT');
        applied.push(name);
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${name} failed: ${(error as Error).message}`, { cause: error });
      }
    }
  } finally {
    await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
    client.release();
  }
  return applied;
}
