// A stand-in for autovacuum, for servers that run without it (this repository's CI machine does:
// `autovacuum = off`). Each service looks after the tables it writes, with PostgreSQL's own default rules:
// VACUUM once dead rows exceed 50 + 20% of the table, ANALYZE once changed rows exceed 50 + 10%.
//
// Both matter more than housekeeping here. The outbox is a queue: every relayed row leaves a dead tuple that
// the next claims walk over. And without ANALYZE a cached plan is never made again: a statement first planned
// when a table was nearly empty keeps its sequential scan as the table grows (on a fresh database the group
// commit's key lookup read all of es.idempotency_keys for every batch). An ANALYZE invalidates the plans that
// use the table, so they are made again for the table as it is now.
//
// Where autovacuum runs, this does nothing.
import type pg from 'pg';
import type { Logger } from './logger.ts';

export type TableMaintenanceOptions = {
  pool: pg.Pool;
  /** Schema-qualified names of the tables this service writes. */
  tables: string[];
  logger: Logger;
  intervalMs?: number;
  /** Tests: maintain even where autovacuum runs. */
  evenWithAutovacuum?: boolean;
};

type TableStats = { name: string; reltuples: number; dead: number; modified: number };

const STATS_SQL = `
select n.nspname || '.' || c.relname as name, greatest(c.reltuples, 0)::float8 as reltuples,
       coalesce(s.n_dead_tup, 0)::float8 as dead, coalesce(s.n_mod_since_analyze, 0)::float8 as modified
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
  left join pg_stat_user_tables s on s.relid = c.oid
 where n.nspname || '.' || c.relname = any($1::text[])`;

/** PostgreSQL's default autovacuum thresholds. */
export function dueWork(t: TableStats): { vacuum: boolean; analyze: boolean } {
  return { vacuum: t.dead > 50 + 0.2 * t.reltuples, analyze: t.modified > 50 + 0.1 * t.reltuples };
}

export class TableMaintenance {
  private readonly options: Required<Omit<TableMaintenanceOptions, 'evenWithAutovacuum'>> & TableMaintenanceOptions;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(options: TableMaintenanceOptions) {
    const odd = options.tables.filter((t) => !/^[a-z_]+\.[a-z_]+$/.test(t));
    if (odd.length) throw new Error(`table maintenance takes schema.table names only, got ${odd.join(', ')}`);
    this.options = { intervalMs: 10_000, ...options };
  }

  async start(): Promise<void> {
    const { rows } = await this.options.pool.query<{ on: boolean }>(`select current_setting('autovacuum') = 'on' as on`);
    if (rows[0]?.on && !this.options.evenWithAutovacuum) return;
    this.options.logger.info({ tables: this.options.tables }, 'autovacuum is off: this service vacuums and analyzes its tables');
    this.timer = setInterval(() => {
      this.running ??= this.runOnce()
        .then(() => {})
        .catch((error: unknown) => this.options.logger.warn({ err: error }, 'table maintenance failed; trying again later'))
        .finally(() => {
          this.running = null;
        });
    }, this.options.intervalMs);
  }

  /** Vacuums and analyzes whichever of the tables is due; returns what it did. */
  async runOnce(): Promise<string[]> {
    const { rows } = await this.options.pool.query<TableStats>(STATS_SQL, [this.options.tables]);
    const due = rows.map((table) => ({ table, ...dueWork(table) })).filter((t) => t.vacuum || t.analyze);
    if (due.length === 0) return [];
    const client = await this.options.pool.connect();
    const done: string[] = [];
    try {
      // as gentle as autovacuum (its cost delay and limit): run flat out, a VACUUM's burst of writes and WAL
      // can hold up the commits queued behind it
      await client.query(`SET vacuum_cost_delay = '2ms'; SET vacuum_cost_limit = 200`);
      for (const { table, vacuum } of due) {
        // SKIP_LOCKED: a table someone else is already at can wait. TRUNCATE false: giving back the file's
        // empty tail needs an exclusive lock that would hold up writers; the space is reused anyway.
        const what = vacuum ? 'VACUUM (SKIP_LOCKED, TRUNCATE false, ANALYZE)' : 'ANALYZE (SKIP_LOCKED)';
        await client.query(`${what} ${table.name}`);
        done.push(`${vacuum ? 'vacuum' : 'analyze'} ${table.name}`);
      }
      await client.query('RESET vacuum_cost_delay; RESET vacuum_cost_limit');
    } catch (error) {
      // the connection may still carry the cost settings: close it rather than hand it back to the pool
      client.release(error as Error);
      throw error;
    }
    client.release();
    this.options.logger.debug({ done }, 'table maintenance');
    return done;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
