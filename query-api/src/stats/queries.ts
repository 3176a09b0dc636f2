// Counters, volume per currency and per-second series, for everyone or one merchant. The position is the
// change feed's head the counters correspond to: the global one for everyone, a merchant's own position
// (merchant_position) for one merchant, so a merchant's figures and position move with its own traffic only.

import type { Queryable } from '@payments/runtime/pg';
import { formatMinor, OUTCOMES, type Outcome, PAYMENT_STATUSES, type Stats, type StatusCounts } from '@payments/schemas';

const HEAD = `select case when $1::text is null then (select coalesce(max(position), 0) from feed.changes)
  else (select coalesce(max(merchant_position), 0) from feed.changes where merchant_id = $1) end::int8`;

export async function loadStats(db: Queryable, merchantId: string | null): Promise<Stats> {
  // one statement, one snapshot: the counters and the feed position they correspond to
  const { rows } = await db.query<{ currency: string; status: string; count: number; volume: string; head: number }>(
    `select currency, status, sum(count)::int8 as count, sum(volume_minor)::text as volume, (${HEAD}) as head
       from read.merchant_stats where ($1::text is null or merchant_id = $1)
      group by currency, status`,
    [merchantId],
  );
  const byStatus = Object.fromEntries(PAYMENT_STATUSES.map((s) => [s, 0])) as StatusCounts;
  const volume = new Map<string, { count: number; total: bigint; accepted: bigint }>();
  let head = rows[0]?.head;
  for (const r of rows) {
    byStatus[r.status as keyof StatusCounts] += r.count;
    const v = volume.get(r.currency) ?? { count: 0, total: 0n, accepted: 0n };
    v.count += r.count;
    v.total += BigInt(r.volume);
    if (r.status === 'AUTHORIZED' || r.status === 'APPROVED') v.accepted += BigInt(r.volume);
    volume.set(r.currency, v);
  }
  if (head === undefined) {
    const h = await db.query<{ head: number }>(`select (${HEAD}) as head`, [merchantId]);
    head = h.rows[0]?.head ?? 0;
  }
  return {
    total: Object.values(byStatus).reduce((a, b) => a + b, 0),
    byStatus,
    volume: [...volume]
      .filter(([, v]) => v.count > 0)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([currency, v]) => ({
        currency,
        count: v.count,
        total: formatMinor(v.total, currency),
        totalMinor: v.total.toString(),
        accepted: formatMinor(v.accepted, currency),
        acceptedMinor: v.accepted.toString(),
      })),
    position: head,
  };
}

export async function loadSeries(db: Queryable, options: { from: Date; to: Date; stepSeconds: number; merchantId: string | null }) {
  const from = Math.floor(options.from.getTime() / 1000);
  const to = Math.floor(options.to.getTime() / 1000);
  const step = options.stepSeconds;
  const first = from - (from % step);
  const buckets = Math.max(0, Math.ceil((to - first) / step));
  const t = Array.from({ length: buckets }, (_, i) => first + i * step);
  const counts = Object.fromEntries(OUTCOMES.map((o) => [o, new Array<number>(buckets).fill(0)])) as Record<Outcome, number[]>;
  const { rows } = await db.query<{ b: number; outcome: Outcome; n: number }>(
    `select (extract(epoch from bucket)::int8 - $3::int8) / $4::int8 as b, outcome, sum(count)::int8 as n
       from read.series
      where bucket >= to_timestamp($1) and bucket < to_timestamp($2) and ($5::text is null or merchant_id = $5)
      group by 1, 2`,
    [first, to, first, step, options.merchantId],
  );
  for (const r of rows) {
    const series = counts[r.outcome];
    if (series && r.b >= 0 && r.b < buckets) series[r.b] = (series[r.b] ?? 0) + r.n;
  }
  return { from: new Date(first * 1000).toISOString(), to: new Date(to * 1000).toISOString(), stepSeconds: step, t, counts };
}
