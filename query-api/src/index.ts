export { buildQueryApi } from './app.ts';
export { loadQueryApiConfig, type QueryApiConfig } from './config.ts';
export { type QueryApiHandle, startQueryApi } from './service.ts';
