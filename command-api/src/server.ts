// Entry point of the command API process.
import { createLogger } from '@payments/runtime/logger';
import { onShutdown, runMain } from '@payments/runtime/shutdown';
import { loadCommandApiConfig } from './config.ts';
import { startCommandApi } from './service.ts';

await runMain(loadCommandApiConfig, async (config) => {
  const logger = createLogger('command-api', config.logLevel);
  const service = await startCommandApi(config, logger);
  onShutdown(logger, service.stop);
});
