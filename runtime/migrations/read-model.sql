-- The read models the projector folds events into. Created under a schema name given at run time: `read`
-- for the live tables, another name while a rebuild fills fresh tables beside them.
create schema __SCHEMA__;

create table __SCHEMA__.payments (
  payment_id uuid primary key,
  merchant_id text not null,
  status text not null,
  amount_minor bigint not null,
  currency text not null,
  reference text,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  version integer not null,
  decision json,
  reviewer text,
  review_reason text
);
create index payments_newest on __SCHEMA__.payments (created_at desc, payment_id desc);
create index payments_merchant_newest on __SCHEMA__.payments (merchant_id, created_at desc, payment_id desc);
create index payments_status_newest on __SCHEMA__.payments (status, created_at desc, payment_id desc);
-- Every payment updates this table, so ANALYZE runs often: no statistics of the decision's JSON, a 3 000-row
-- sample of the rest, enough for the few statuses and merchants the lists filter on (004_lean_statistics.sql).
select public.use_lean_statistics('__SCHEMA__.payments');

-- Counters per merchant, currency and status; totals are sums over this small table.
create table __SCHEMA__.merchant_stats (
  merchant_id text not null,
  currency text not null,
  status text not null,
  count bigint not null,
  volume_minor numeric not null,
  primary key (merchant_id, currency, status)
);

-- Per-second buckets of outcomes, for charts.
create table __SCHEMA__.series (
  bucket timestamptz not null,
  merchant_id text not null,
  outcome text not null,
  count bigint not null,
  primary key (bucket, merchant_id, outcome)
);

-- Kafka offsets, written in the same transaction as the rows above: the projector's exactly-once effect.
create table __SCHEMA__.kafka_offsets (
  consumer_group text not null,
  topic text not null,
  partition integer not null,
  next_offset bigint not null,
  primary key (consumer_group, topic, partition)
);
