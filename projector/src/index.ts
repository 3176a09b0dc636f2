export * from './fold.ts';
export { PROJECTION_LOCK, appendToFeed, projectorHandler } from './projector.ts';
export { rebuildPayments } from './rebuild.ts';
export { type ProjectorConfig, loadProjectorConfig, startProjector } from './service.ts';
