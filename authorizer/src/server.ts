// Entry point of the authorizer process.
import { createLogger, onShutdown, runMain } from '@payments/runtime';
import { loadAuthorizerConfig, startAuthorizer } from './service.ts';

await runMain(loadAuthorizerConfig, async (config) => {
  const logger = createLogger('authorizer', config.logLevel);
  const service = await startAuthorizer(config, logger);
  onShutdown(logger, service.stop);
});
