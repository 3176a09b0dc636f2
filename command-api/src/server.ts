// Entry point of the command API process.
import { applyCpuPriority, createLogger, onShutdown, runMain } from '@payments/runtime';
import { loadCommandApiConfig } from './config.ts';
import { startCommandApi } from './service.ts';

await runMain(loadCommandApiConfig, async (config) => {
  const logger = createLogger('command-api', config.logLevel);
  applyCpuPriority(config.cpuNice, logger);
  const service = await startCommandApi(config, logger);
  onShutdown(logger, service.stop);
});
