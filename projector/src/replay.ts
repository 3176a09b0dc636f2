// `npm run replay`: rebuilds the payments read models from the start of the event store and switches over,
// printing progress. Safe while everything runs: the live tables serve until the switch.
import { type CommonConfig, commonConfigSpec, loadConfig } from '@payments/runtime/config';
import { createLogger } from '@payments/runtime/logger';
import { createPool } from '@payments/runtime/pg';
import { runRebuild } from './rebuild-requests.ts';

const config = loadConfig<CommonConfig>(commonConfigSpec);
const logger = createLogger('replay', 'warn');
const pool = createPool(config.databaseUrl, { max: 4, name: 'replay' });
const { rows } = await pool
  .query<{ id: number }>(
    `insert into projection.rebuilds (projection, status, requested_by, started_at) values ('payments', 'running', 'npm run replay', now()) returning id`,
  )
  .catch((error: { code?: string }) => {
    if (error.code === '23505') {
      process.stderr.write('a rebuild of payments is already running\n');
      process.exit(1);
    }
    throw error;
  });
const id = rows[0]?.id as number;
const progress = setInterval(async () => {
  const { rows: p } = await pool.query('select events_done, events_total, events_per_second from projection.rebuilds where id = $1', [id]);
  if (p[0]) process.stdout.write(`replay: ${p[0].events_done}/${p[0].events_total} events, ${p[0].events_per_second} events/s\n`);
}, 1000);
const started = performance.now();
await runRebuild(pool, logger, id);
clearInterval(progress);
const { rows: final } = await pool.query('select status, events_done, events_per_second, error from projection.rebuilds where id = $1', [
  id,
]);
const f = final[0];
process.stdout.write(
  `replay ${f?.status}: ${f?.events_done} events in ${((performance.now() - started) / 1000).toFixed(2)} s (${f?.events_per_second} events/s)${f?.error ? ` error: ${f.error}` : ''}\n`,
);
await pool.end();
process.exit(f?.status === 'done' ? 0 : 1);
