-- The read side's change feed: one row per read-model change, numbered in commit order. The projector takes
-- an advisory lock (feed.lock_key) right before it numbers its changes and holds it until commit, so a
-- reader that has seen position N can never later find a committed change below N (no gaps to skip).
create schema if not exists feed;

create sequence feed.position_seq;

create table feed.changes (
  position bigint primary key,
  payment_id uuid not null,
  merchant_id text not null,
  payload jsonb not null,
  committed_at timestamptz not null default now()
);
create index changes_merchant_position on feed.changes (merchant_id, position);
create index changes_committed_at on feed.changes (committed_at);

-- Projection rebuilds requested through the query API and carried out by the projector, with progress.
create schema if not exists projection;

create table projection.rebuilds (
  id bigint generated always as identity primary key,
  projection text not null,
  status text not null default 'requested' check (status in ('requested', 'running', 'done', 'failed')),
  requested_by text not null,
  events_total bigint not null default 0,
  events_done bigint not null default 0,
  events_per_second numeric not null default 0,
  error text,
  requested_at timestamptz not null default now(),
  started_at timestamptz,
  finished_at timestamptz
);
-- at most one rebuild of a projection at a time
create unique index rebuilds_one_active on projection.rebuilds (projection) where status in ('requested', 'running');
