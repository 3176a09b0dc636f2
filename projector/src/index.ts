export * from './fold.ts';
export { appendToFeed, PROJECTION_LOCK, projectorHandler } from './projector.ts';
export { rebuildPayments } from './rebuild.ts';
export { loadProjectorConfig, type ProjectorConfig, startProjector } from './service.ts';
