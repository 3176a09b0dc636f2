export { buildQueryApi } from './app.ts';
export { loadQueryApiConfig, type QueryApiConfig } from './config.ts';
export { startQueryApi } from './service.ts';
