// One shutdown path per process: on SIGTERM or SIGINT, run the closers in order (stop intake, drain,
// commit offsets, close pools), then exit; a second signal or a stuck closer forces the exit.
import type { Logger } from './logger.ts';

export function onShutdown(logger: Logger, close: () => Promise<void>, timeoutMs = 15_000): void {
  let closing = false;
  const handler = (signal: string) => {
    if (closing) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    closing = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error('shutdown timed out');
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    close().then(
      () => {
        logger.info('stopped');
        logger.flush?.();
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => handler('SIGTERM'));
  process.once('SIGINT', () => handler('SIGINT'));
}

/**
 * Runs a process entry point: loads the config (a bad one prints every problem and exits 2), then starts.
 * A start-up failure is printed and exits 1.
 */
export async function runMain<C>(load: () => C, start: (config: C) => Promise<void>): Promise<void> {
  let config: C;
  try {
    config = load();
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(2);
  }
  try {
    await start(config);
  } catch (error) {
    process.stderr.write(`start-up failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  }
}
