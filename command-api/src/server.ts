// Entry point of the command API process.
import { createLogger, onShutdown, runMain } from '@payments/runtime';
import { loadCommandApiConfig } from './config.ts';
import { startCommandApi } from './service.ts';

await runMain(loadCommandApiConfig, async (config) => {
  const logger = createLogger('command-api', config.logLevel);
  const service = await startCommandApi(config, logger);
  onShutdown(logger, service.stop);
});
