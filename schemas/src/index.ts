export * from './commands.ts';
export * from './currencies.ts';
export * from './dev-clients.ts';
export * from './events.ts';
export * from './money.ts';
export * from './payment.ts';
export * from './payment-traffic.ts';
export * from './read-models.ts';
