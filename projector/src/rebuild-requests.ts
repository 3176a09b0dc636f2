// Rebuild requests, queued by the query API (POST /api/projections/payments/rebuild) or `npm run replay`,
// carried out here, one at a time, with progress written back for the API to report.
import type { Logger } from '@payments/runtime/logger';
import { type Pool, type PoolClient, REBUILD_CHANNEL } from '@payments/runtime/pg';
import { rebuildPayments } from './rebuild.ts';

/** Claims the oldest requested rebuild and runs it; returns false when there was none. */
export async function runNextRebuild(pool: Pool, logger: Logger): Promise<boolean> {
  const { rows } = await pool.query<{ id: number }>(
    `update projection.rebuilds set status = 'running', started_at = now()
      where id = (select id from projection.rebuilds where status = 'requested' order by id limit 1 for update skip locked)
      returning id`,
  );
  const id = rows[0]?.id;
  if (id === undefined) return false;
  await runRebuild(pool, logger, id);
  return true;
}

export async function runRebuild(pool: Pool, logger: Logger, id: number): Promise<void> {
  const log = logger.child({ component: 'rebuild', rebuildId: id });
  let lastWrite = 0;
  try {
    await rebuildPayments(pool, log, async (p) => {
      if (Date.now() - lastWrite < 250 && p.eventsDone < p.eventsTotal) return;
      lastWrite = Date.now();
      await pool.query('update projection.rebuilds set events_done = $2, events_total = $3, events_per_second = $4 where id = $1', [
        id,
        p.eventsDone,
        p.eventsTotal,
        p.eventsPerSecond,
      ]);
    });
    await pool.query(`update projection.rebuilds set status = 'done', finished_at = now() where id = $1`, [id]);
  } catch (error) {
    log.error({ err: error }, 'rebuild failed');
    await pool.query(`update projection.rebuilds set status = 'failed', error = $2, finished_at = now() where id = $1`, [
      id,
      (error as Error).message,
    ]);
  }
}

/** A rebuild left running by a process that died will never finish: mark it failed so another can start. */
export async function failInterruptedRebuilds(pool: Pool): Promise<void> {
  await pool.query(`update projection.rebuilds set status = 'failed', error = 'interrupted', finished_at = now() where status = 'running'`);
}

/** Watches for rebuild requests (LISTEN plus a slow poll) until stopped. */
export function watchRebuildRequests(pool: Pool, logger: Logger): { stop: () => Promise<void> } {
  let running = true;
  let busy: Promise<void> = Promise.resolve();
  const drain = () => {
    busy = busy.then(async () => {
      while (running && (await runNextRebuild(pool, logger).catch(() => false)));
    });
  };
  const timer = setInterval(drain, 2000);
  let listener: PoolClient | null = null;
  pool
    .connect()
    .then(async (client) => {
      listener = client;
      client.on('notification', drain);
      client.on('error', () => {});
      await client.query(`listen ${REBUILD_CHANNEL}`);
    })
    .catch((error: unknown) => logger.warn({ err: error }, 'rebuild LISTEN failed; polling'));
  drain();
  return {
    async stop() {
      running = false;
      clearInterval(timer);
      listener?.release();
      await busy;
    },
  };
}
