-- API clients (client-credentials). Secrets are stored as scrypt hashes only.
create schema if not exists auth;

create table auth.clients (
  client_id text primary key,
  secret_hash text not null,
  role text not null check (role in ('merchant', 'analyst', 'viewer')),
  merchant_id text,
  created_at timestamptz not null default now(),
  check ((role = 'merchant') = (merchant_id is not null))
);
