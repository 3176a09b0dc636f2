// `npm run migrate`: creates the database when missing and applies the pending migrations. Also the one-shot
// `migrate` service of docker-compose.yml, which adds --seed-dev-clients and --ensure-topics; `npm start` uses
// prepareDatabase() for the same steps.

import { seedDevClients } from '@payments/runtime/auth';
import { ConfigError, commonConfigSpec, loadConfig } from '@payments/runtime/config';
import { createKafka, ensureTopics } from '@payments/runtime/kafka';
import { createLogger } from '@payments/runtime/logger';
import { createPool, ensureDatabase, migrate } from '@payments/runtime/pg';

/** ensureDatabase + migrate (+ the development clients): returns the migrations applied and clients created. */
export async function prepareDatabase(
  databaseUrl: string,
  options: { seedDevClients: boolean },
): Promise<{ applied: string[]; seeded: string[] }> {
  await ensureDatabase(databaseUrl);
  const pool = createPool(databaseUrl, { max: 1, name: 'migrate' });
  try {
    const applied = await migrate(pool);
    const seeded = options.seedDevClients ? await seedDevClients(pool) : [];
    return { applied, seeded };
  } finally {
    await pool.end();
  }
}

async function main(args: string[]): Promise<void> {
  const unknown = args.filter((a) => a !== '--seed-dev-clients' && a !== '--ensure-topics');
  if (unknown.length) {
    process.stderr.write(`unknown argument(s): ${unknown.join(' ')}\nusage: migrate.ts [--seed-dev-clients] [--ensure-topics]\n`);
    process.exit(2);
  }
  const { databaseUrl, kafkaBrokers, eventsTopic, dlqTopic } = loadConfig<{
    databaseUrl: string;
    kafkaBrokers: string[];
    eventsTopic: string;
    dlqTopic: string;
  }>({
    databaseUrl: commonConfigSpec.databaseUrl,
    kafkaBrokers: commonConfigSpec.kafkaBrokers,
    eventsTopic: commonConfigSpec.eventsTopic,
    dlqTopic: commonConfigSpec.dlqTopic,
  });
  const where = new URL(databaseUrl);
  const { applied, seeded } = await prepareDatabase(databaseUrl, { seedDevClients: args.includes('--seed-dev-clients') });
  const target = `${where.host}${where.pathname}`;
  if (applied.length === 0) process.stdout.write(`migrate: ${target} is up to date\n`);
  for (const name of applied) process.stdout.write(`migrate: applied ${name}\n`);
  if (seeded.length) process.stdout.write(`migrate: seeded development clients ${seeded.join(', ')}\n`);
  if (args.includes('--ensure-topics')) {
    const kafka = createKafka({ brokers: kafkaBrokers, clientId: 'migrate', logger: createLogger('migrate', 'warn') });
    await ensureTopics(kafka, { eventsTopic, dlqTopic });
    process.stdout.write(`migrate: topics ${eventsTopic}, ${dlqTopic} exist\n`);
  }
}

if (import.meta.main) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    const code = (error as { code?: string }).code;
    const hint = code === 'ECONNREFUSED' ? '\n(is PostgreSQL running? `npm start` finds or starts one; or set DATABASE_URL)' : '';
    // A refused connection to a name with several addresses (localhost) arrives as an AggregateError.
    const cause = error instanceof AggregateError && error.errors[0] instanceof Error ? error.errors[0] : error;
    process.stderr.write(`migrate failed: ${cause instanceof Error ? cause.message : String(cause)}${hint}\n`);
    process.exit(1);
  });
}
