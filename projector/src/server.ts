// Entry point of the projector process.
import { createLogger } from '@payments/runtime/logger';
import { onShutdown, runMain } from '@payments/runtime/shutdown';
import { loadProjectorConfig, startProjector } from './service.ts';

await runMain(loadProjectorConfig, async (config) => {
  const logger = createLogger('projector', config.logLevel);
  const service = await startProjector(config, logger);
  onShutdown(logger, service.stop);
});
