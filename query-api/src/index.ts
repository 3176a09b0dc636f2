export { buildQueryApi } from './app.ts';
export { type QueryApiConfig, loadQueryApiConfig } from './config.ts';
export { startQueryApi } from './service.ts';
