// The names several services share: PostgreSQL notification channels and the read-model schemas. Defined
// once, so a sender and its listener cannot drift apart.

/** Appends wake the outbox relays (runtime/src/outbox-relay.ts). */
export const OUTBOX_CHANNEL = 'es_outbox';
/** The projector's commits wake the query API's feed tail (feed.changes). */
export const FEED_CHANNEL = 'feed_changes';
/** A rebuild request wakes the projector's rebuild worker (projection.rebuilds). */
export const REBUILD_CHANNEL = 'projection_rebuilds';

/** The live read models. */
export const LIVE_READ_SCHEMA = 'read';
/** Where a rebuild folds the history before it takes the live schema's place. */
export const REBUILD_READ_SCHEMA = 'read_rebuild';
/** The schema a rebuild moves aside, dropped in the same transaction. */
export const REPLACED_READ_SCHEMA = 'read_replaced';
