// `npm test`: the whole suite against real PostgreSQL and Kafka, found or started like `npm start` does
// (scripts/infra.ts). Integration tests are never skipped for want of infrastructure: if it cannot be brought
// up, this fails. Extra arguments go to vitest (`npm test -- runtime/`); what this run started is stopped after.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Infra } from './infra.ts';
import { CHILD_NODE_OPTIONS, ensureInfra, message, quietKafkajsTimeoutWarning, ROOT } from './infra.ts';

const say = (line: string) => process.stdout.write(`${line}\n`);
const REPORT = join(ROOT, '.cache', 'vitest-report.json');

/** One plain closing line, the same in any CI: `tests: N passed, N failed, N skipped`. */
function printSummary(): void {
  try {
    const report = JSON.parse(readFileSync(REPORT, 'utf8')) as {
      numPassedTests: number;
      numFailedTests: number;
      numPendingTests: number;
      numTodoTests: number;
    };
    say(`tests: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${report.numPendingTests + report.numTodoTests} skipped`);
  } catch {
    say('tests: no report (vitest did not finish)');
  }
}

async function main(args: string[]): Promise<number> {
  quietKafkajsTimeoutWarning();
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
  try {
    return await new Promise<number>((resolve) => {
      vitest = spawn('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${REPORT}`, ...args], {
        cwd: ROOT,
        stdio: 'inherit',
        env: {
          ...process.env,
          TEST_DATABASE_ADMIN_URL: infra.adminUrl,
          KAFKA_BROKERS: infra.kafkaBrokers.join(','),
          KAFKAJS_NO_PARTITIONER_WARNING: '1',
          NODE_OPTIONS: CHILD_NODE_OPTIONS,
          ...(process.env.CI ? { CI: process.env.CI } : {}),
        },
      });
      vitest.on('error', (error) => {
        say(`npm test: could not run vitest: ${message(error)}`);
        resolve(1);
      });
      vitest.on('exit', (code, signal) => {
        printSummary();
        resolve(code ?? (signal ? 1 : 0));
      });
    });
  } finally {
    await infra.stop();
  }
}

process.exit(await main(process.argv.slice(2)));
