-- Lean statistics for the tables every payment writes. ANALYZE (autovacuum's, or TableMaintenance's where
-- autovacuum is off) samples 300 rows per unit of the largest statistics target, then sorts every column of
-- the sample. With the default target (100) that meant reading all of es.events and sorting 30 000 JSON
-- documents per column: about a second of CPU per table, every few seconds while the tables are young, and
-- a quarter of PostgreSQL's CPU in the bench's end-to-end pass. No query filters, joins or sorts on the JSON
-- payloads, so they get no statistics at all. Every other column is looked up by a unique key or scanned by a
-- range of an ever-growing value (position, time), for which a 3 000-row sample (target 10) is plenty.
--
-- The rule lives in this one function, so a column added later follows it too: read-model.sql calls it for
-- every read.payments it creates (a new database, every rebuild).
create function public.use_lean_statistics(tbl regclass) returns void language plpgsql as $$
declare
  col record;
begin
  for col in select attname, atttypid from pg_attribute where attrelid = tbl and attnum > 0 and not attisdropped loop
    execute format('alter table %s alter column %I set statistics %s', tbl, col.attname,
      case when col.atttypid = 'jsonb'::regtype or col.attname in ('payload', 'request_hash') then 0 else 10 end);
  end loop;
end $$;

-- read.payments only exists here on a database made before this migration; on a new one read-model.sql runs
-- after this file.
select public.use_lean_statistics(to_regclass(t))
  from unnest(array['es.events', 'es.outbox', 'es.idempotency_keys', 'feed.changes', 'read.payments']) as t
 where to_regclass(t) is not null;

-- The relay no longer looks for the head of each key (outbox-relay.ts): the index only cost every insert.
drop index if exists es.outbox_key_id;
