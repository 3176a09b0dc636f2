-- Each merchant's own numbering of its change-feed entries: 1, 2, 3… in the same commit order as the global
-- position. A merchant's stream resumes by it and its stats report it, so nothing a merchant orders by counts
-- another merchant's traffic. The projector draws it under the same lock as the global position
-- (projector.ts: the merchant's last number plus the entry's rank in the batch), so it has no gaps either.
alter table feed.changes add column merchant_position bigint;

-- on a database that already has a feed: number what is there, in position order
update feed.changes c
   set merchant_position = n.merchant_position
  from (select position, row_number() over (partition by merchant_id order by position) as merchant_position from feed.changes) n
 where c.position = n.position;

alter table feed.changes alter column merchant_position set not null;

-- a merchant's reads (and its last number) go by merchant_position now; unique, so a numbering mistake fails
-- the projector's transaction instead of handing a resuming client a duplicate
drop index feed.changes_merchant_position;
create unique index changes_merchant_sequence on feed.changes (merchant_id, merchant_position);

select public.use_lean_statistics('feed.changes');
