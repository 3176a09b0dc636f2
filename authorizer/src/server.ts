// Entry point of the authorizer process.
import { createLogger } from '@payments/runtime/logger';
import { onShutdown, runMain } from '@payments/runtime/shutdown';
import { loadAuthorizerConfig, startAuthorizer } from './service.ts';

await runMain(loadAuthorizerConfig, async (config) => {
  const logger = createLogger('authorizer', config.logLevel);
  const service = await startAuthorizer(config, logger);
  onShutdown(logger, service.stop);
});
