export { authorizerHandler } from './authorizer.ts';
export * from './rules.ts';
export { type AuthorizerConfig, loadAuthorizerConfig, startAuthorizer } from './service.ts';
