// Entry point of the projector process.
import { createLogger, onShutdown, runMain } from '@payments/runtime';
import { loadProjectorConfig, startProjector } from './service.ts';

await runMain(loadProjectorConfig, async (config) => {
  const logger = createLogger('projector', config.logLevel);
  const service = await startProjector(config, logger);
  onShutdown(logger, service.stop);
});
