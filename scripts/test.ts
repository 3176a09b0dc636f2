// `npm test`: the whole suite against real PostgreSQL and Kafka, found or started like `npm start` does
// (scripts/infra.ts). Integration tests are never skipped for want of infrastructure: if it cannot be brought
// up, this fails. Extra arguments go to vitest (`npm test -- runtime/`); what this run started is stopped after.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Infra } from './infra.ts';
import { ensureInfra, message, ROOT } from './infra.ts';

const say = (line: string) => process.stdout.write(`${line}\n`);
const REPORT = join(ROOT, '.cache', 'vitest-report.json');

/**
 * One plain closing line, the same in any CI: `tests: N passed, N failed, N skipped` (the fault suite counts
 * as one test).
 */
function printSummary(vitestCode: number | null, faults: number | null): void {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  if (vitestCode !== null) {
    try {
      const report = JSON.parse(readFileSync(REPORT, 'utf8')) as {
        numPassedTests: number;
        numFailedTests: number;
        numPendingTests: number;
        numTodoTests: number;
      };
      passed += report.numPassedTests;
      failed += report.numFailedTests;
      skipped += report.numPendingTests + report.numTodoTests;
    } catch {
      say('npm test: vitest wrote no report');
      failed += 1;
    }
    if (vitestCode !== 0 && failed === 0) failed += 1; // vitest failed outside any test (e.g. a suite error)
  }
  if (faults !== null) {
    if (faults === 0) passed += 1;
    else failed += 1;
  }
  say(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
}

async function main(args: string[]): Promise<number> {
  // Until vitest runs, a signal only marks the run as interrupted: infrastructure half started must still be
  // stopped, so we let ensureInfra finish and undo it.
  let interrupted: NodeJS.Signals | undefined;
  let vitest: ReturnType<typeof spawn> | undefined;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      interrupted ??= signal;
      // A Ctrl-C reaches vitest from the terminal directly; a SIGTERM sent to us alone is passed on.
      if (vitest && signal !== 'SIGINT') vitest.kill(signal);
    });
  }
  let infra: Infra;
  try {
    infra = await ensureInfra((line) => say(`[infra] ${line}`));
  } catch (error) {
    say(`npm test: the test infrastructure could not be brought up; not running the tests.\n${message(error)}`);
    return 1;
  }
  if (interrupted) {
    await infra.stop();
    return 130;
  }
  const env = {
    ...process.env,
    TEST_DATABASE_ADMIN_URL: infra.adminUrl,
    KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
    ...(process.env.CI ? { CI: process.env.CI } : {}),
  };
  const faultsOnly = args[0] === '--faults';
  try {
    let vitestCode = 0;
    if (!faultsOnly) {
      vitest = spawn('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${REPORT}`, ...args], {
        cwd: ROOT,
        stdio: 'inherit',
        env,
      });
      vitestCode = await exitCode(vitest, 'vitest');
    }
    // the fault suite restarts Kafka and PostgreSQL, so it runs alone, after the rest, and only for the
    // whole suite (`npm test`) or on its own (`npm run test:faults`)
    let faults: number | null = null;
    if (faultsOnly || (args.length === 0 && vitestCode === 0 && !interrupted)) {
      say('\n=== fault suite (tests/faults/run.ts)');
      faults = await exitCode(
        spawn(process.execPath, [join(ROOT, 'tests', 'faults', 'run.ts')], { cwd: ROOT, stdio: 'inherit', env }),
        'fault suite',
      );
    }
    printSummary(faultsOnly ? null : vitestCode, faults);
    return vitestCode || (faults ?? 0);
  } finally {
    await infra.stop();
  }
}

function exitCode(child: ReturnType<typeof spawn>, name: string): Promise<number> {
  return new Promise((resolve) => {
    child.on('error', (error) => {
      say(`npm test: could not run ${name}: ${message(error)}`);
      resolve(1);
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

process.exit(await main(process.argv.slice(2)));
