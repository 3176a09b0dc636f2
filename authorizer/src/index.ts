export * from './rules.ts';
export { authorizerHandler } from './authorizer.ts';
export { type AuthorizerConfig, loadAuthorizerConfig, startAuthorizer } from './service.ts';
