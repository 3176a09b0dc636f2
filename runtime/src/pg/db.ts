// PostgreSQL access: one pool per process and the one way to run a transaction.
import pg from 'pg';

// int8 (positions, counts) arrive as JS numbers: positions and counters stay far below 2^53. Money sums are
// returned as text by the queries that compute them, never through this parser.
pg.types.setTypeParser(20, (value: string) => {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new Error(`int8 ${value} exceeds the safe integer range`);
  return n;
});

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;
export type Queryable = Pick<pg.Pool, 'query'>;

/** Readiness: resolves once the server answers a trivial query, rejects with why it did not. */
export async function postgresAnswers(db: Queryable): Promise<void> {
  await db.query('select 1');
}

export function createPool(connectionString: string, options: { max?: number; name?: string } = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 10,
    application_name: options.name ?? 'payments',
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 10_000,
  });
  // A connection lost while idle (PostgreSQL restarted) is dropped by the pool; one lost while checked out,
  // e.g. a relay transaction waiting on Kafka, would emit an unhandled 'error' and crash the process. Every
  // client gets a listener for its whole life: the pending or next query fails with the error instead, and
  // the pool discards the dead client when it is released.
  pool.on('error', () => {});
  pool.on('connect', (client) => {
    client.on('error', () => {});
  });
  return pool;
}

export async function withTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/** Creates the database named in the URL when the server has no such database yet. */
export async function ensureDatabase(connectionString: string): Promise<void> {
  const url = new URL(connectionString);
  const name = decodeURIComponent(url.pathname.slice(1));
  url.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  try {
    const found = await admin.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount === 0) {
      await admin.query(`create database ${pg.escapeIdentifier(name)}`).catch((error: { code?: string }) => {
        if (error.code !== '42P04') throw error; // created concurrently by another process
      });
    }
  } finally {
    await admin.end();
  }
}

/**
 * Runs a hot statement as a named (prepared) statement: parsed and planned once per connection. Names are
 * resolved again after DDL, so a schema swapped in by a rebuild is picked up.
 */
export function prepared<R extends pg.QueryResultRow = pg.QueryResultRow>(db: Queryable, name: string, text: string, values: unknown[]) {
  return db.query<R>({ name, text, values });
}
