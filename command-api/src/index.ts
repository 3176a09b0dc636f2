export { buildCommandApi, type CommandApiDeps } from './app.ts';
export { type CommandApiConfig, loadCommandApiConfig } from './config.ts';
export * from './payments/decide.ts';
export { deleteExpiredKeys, requestHash } from './payments/idempotency.ts';
export { type CommandApiHandle, startCommandApi } from './service.ts';
