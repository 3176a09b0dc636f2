// HTTP (`@payments/runtime/http`): what both APIs share. The base app, its error handling and JSON body
// parser, and token authentication for routes.
export * from './auth-plugin.ts';
export * from './base-app.ts';
export * from './errors.ts';
export * from './json-body.ts';
