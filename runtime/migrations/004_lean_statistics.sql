-- Lean statistics for the tables every payment writes. ANALYZE (autovacuum's, or TableMaintenance's where
-- autovacuum is off) samples 300 rows per unit of the largest statistics target, then sorts every column of
-- the sample. With the default target (100) that meant reading all of es.events and sorting 30 000 JSON
-- documents per column: about a second of CPU per table, every few seconds while the tables are young, and
-- a quarter of PostgreSQL's CPU in the bench's end-to-end pass. No query filters, joins or sorts on the JSON
-- payloads, so they get no statistics at all. Every other column is looked up by a unique key or scanned by a
-- range of an ever-growing value (position, time), for which a 3 000-row sample (target 10) is plenty.
-- read.payments is here for databases made before this migration; a new one (and every rebuild) gets the same
-- targets from read-model.sql, which runs after this file on a fresh database.
do $$
declare
  col record;
begin
  for col in
    select a.attrelid::regclass as tbl, a.attname, a.atttypid
      from pg_attribute a
     where a.attrelid in (select to_regclass(t) from unnest(array['es.events', 'es.outbox', 'es.idempotency_keys', 'feed.changes',
                                                                   'read.payments']) as t)
       and a.attnum > 0 and not a.attisdropped
  loop
    execute format('alter table %s alter column %I set statistics %s', col.tbl, col.attname,
      case when col.atttypid = 'jsonb'::regtype or col.attname in ('payload', 'request_hash') then 0 else 10 end);
  end loop;
end $$;

-- The relay no longer looks for the head of each key (outbox-relay.ts): the index only cost every insert.
drop index if exists es.outbox_key_id;
