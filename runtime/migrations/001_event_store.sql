-- The event store: the source of truth. Every event of every payment, ordered per stream (stream_version,
-- unique per stream: optimistic concurrency) and globally (position). tx_id lets readers of the global
-- order tell which transactions were still open (see event-store.ts and rebuild).
create schema if not exists es;

create table es.events (
  position bigint generated always as identity primary key,
  event_id uuid not null unique,
  stream_id uuid not null,
  stream_version integer not null check (stream_version > 0),
  type text not null,
  schema_version integer not null,
  data jsonb not null,
  metadata jsonb not null,
  occurred_at timestamptz not null,
  tx_id xid8 not null default pg_current_xact_id(),
  constraint events_stream_version_unique unique (stream_id, stream_version)
);
create index events_occurred_at on es.events (occurred_at);
create index events_type_position on es.events (type, position);
-- A rebuild's catch-up finds the events its snapshot could not see by transaction id.
create index events_tx_id on es.events (tx_id);

-- Rows waiting to be published to Kafka; the relay deletes a row once Kafka acknowledged it.
create table es.outbox (
  id bigint generated always as identity primary key,
  event_position bigint not null,
  topic text not null,
  message_key text not null,
  payload text not null,
  headers jsonb not null,
  created_at timestamptz not null default now()
);
-- The relay claims only the oldest waiting row of each key, so this index serves its "head of key" check.
create index outbox_key_id on es.outbox (message_key, id);

-- Idempotency keys (IETF draft + Stripe): the first response is stored with the payment it created, in the
-- same transaction, and replayed for the same key and body until it expires.
create table es.idempotency_keys (
  scope text not null,
  endpoint text not null,
  idempotency_key text not null,
  request_hash text not null,
  response_status integer not null,
  response_body jsonb not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  primary key (scope, endpoint, idempotency_key)
);
create index idempotency_keys_expires_at on es.idempotency_keys (expires_at);
