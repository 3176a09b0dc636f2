// Transitional: everything, for code not yet importing by subpath (`@payments/runtime/<area>`).
export * from './auth.ts';
export * from './config.ts';
export * from './http/index.ts';
export * from './ids.ts';
export * from './kafka/index.ts';
export * from './logger.ts';
export * from './merchant-positions.ts';
export * from './metrics.ts';
export * from './ops-server.ts';
export * from './outbox-relay.ts';
export * from './pg/index.ts';
export * from './shutdown.ts';
