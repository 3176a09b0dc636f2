// Entry point of the query API process.
import { createLogger } from '@payments/runtime/logger';
import { onShutdown, runMain } from '@payments/runtime/shutdown';
import { loadQueryApiConfig } from './config.ts';
import { startQueryApi } from './service.ts';

await runMain(loadQueryApiConfig, async (config) => {
  const logger = createLogger('query-api', config.logLevel);
  const service = await startQueryApi(config, logger);
  onShutdown(logger, service.stop);
});
