// Entry point of the query API process.
import { createLogger, onShutdown, runMain } from '@payments/runtime';
import { loadQueryApiConfig } from './config.ts';
import { startQueryApi } from './service.ts';

await runMain(loadQueryApiConfig, async (config) => {
  const logger = createLogger('query-api', config.logLevel);
  const service = await startQueryApi(config, logger);
  onShutdown(logger, service.stop);
});
