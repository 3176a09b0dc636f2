// PostgreSQL (`@payments/runtime/pg`): pools and transactions, the event store, migrations, the read-model
// row, and the channel and schema names the services share.
export * from './db.ts';
export * from './event-store.ts';
export * from './migrations.ts';
export * from './names.ts';
export * from './read-model.ts';
