// HTTP (`@payments/runtime/http`): what both APIs share. The base app, its error handling and JSON body
// parser, token authentication for routes, and the OpenAPI document's helpers.
export * from './auth-plugin.ts';
export * from './base-app.ts';
export * from './errors.ts';
export * from './json-body.ts';
export * from './openapi.ts';
