// Entry point of the query API process.
import { applyCpuPriority, createLogger, onShutdown, runMain } from '@payments/runtime';
import { loadQueryApiConfig } from './config.ts';
import { startQueryApi } from './service.ts';

await runMain(loadQueryApiConfig, async (config) => {
  const logger = createLogger('query-api', config.logLevel);
  applyCpuPriority(config.cpuNice, logger);
  const service = await startQueryApi(config, logger);
  onShutdown(logger, service.stop);
});
