// The SQL side of the payments projection: loads the rows a batch touches and writes a fold's result into
// a read-model schema (`read` live, another name during a rebuild) with set-based upserts.

import { type PaymentRow, paymentFromRow, prepared, type Queryable } from '@payments/runtime/pg';
import type { Payment } from '@payments/schemas';
import type { ProjectionResult } from './fold.ts';

const ident = (schema: string) => {
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`bad schema name ${schema}`);
  return schema;
};

export async function loadPayments(db: Queryable, schema: string, ids: string[]): Promise<Map<string, Payment>> {
  if (ids.length === 0) return new Map();
  const { rows } = await prepared<PaymentRow>(
    db,
    `load-payments-${schema}`,
    `select * from ${ident(schema)}.payments where payment_id = any($1::uuid[])`,
    [ids],
  );
  return new Map(rows.map((r) => [r.payment_id, paymentFromRow(r)]));
}

/** Writes a fold's result in two statements: the counters (MERGE, dropping rows that fall to zero), then payments and series. */
export async function writeProjection(db: Queryable, schema: string, result: ProjectionResult): Promise<void> {
  const s = ident(schema);
  const { changed, stats, series } = result;
  if (stats.length) {
    // a status everyone has left is no row at all, however the events were batched: live and rebuilt
    // tables stay identical
    await prepared(
      db,
      `merge-stats-${s}`,
      `merge into ${s}.merchant_stats t
       using (select * from unnest($1::text[], $2::text[], $3::text[], $4::int8[], $5::numeric[]) as u(merchant_id, currency, status, count, volume_minor)) d
          on t.merchant_id = d.merchant_id and t.currency = d.currency and t.status = d.status
       when matched and t.count + d.count = 0 and t.volume_minor + d.volume_minor = 0 then delete
       when matched then update set count = t.count + d.count, volume_minor = t.volume_minor + d.volume_minor
       when not matched and (d.count <> 0 or d.volume_minor <> 0) then
         insert (merchant_id, currency, status, count, volume_minor) values (d.merchant_id, d.currency, d.status, d.count, d.volume_minor)`,
      [
        stats.map((d) => d.merchantId),
        stats.map((d) => d.currency),
        stats.map((d) => d.status),
        stats.map((d) => d.count),
        stats.map((d) => d.volumeMinor.toString()),
      ],
    );
  }
  if (changed.length === 0 && series.length === 0) return;
  await prepared(
    db,
    `upsert-payments-series-${s}`,
    `with payments as (
       insert into ${s}.payments (payment_id, merchant_id, status, amount_minor, currency, reference, created_at, updated_at, version, decision, reviewer, review_reason)
       select * from unnest($1::uuid[], $2::text[], $3::text[], $4::int8[], $5::text[], $6::text[], $7::timestamptz[], $8::timestamptz[], $9::int[], $10::json[], $11::text[], $12::text[])
       on conflict (payment_id) do update set status = excluded.status, updated_at = excluded.updated_at, version = excluded.version,
         decision = excluded.decision, reviewer = excluded.reviewer, review_reason = excluded.review_reason
     ), series as (
       insert into ${s}.series (bucket, merchant_id, outcome, count)
       select to_timestamp(b), m, o, c from unnest($13::int8[], $14::text[], $15::text[], $16::int8[]) as t(b, m, o, c)
       on conflict (bucket, merchant_id, outcome) do update set count = ${s}.series.count + excluded.count
     )
     select 1`,
    [
      changed.map((p) => p.paymentId),
      changed.map((p) => p.merchantId),
      changed.map((p) => p.status),
      changed.map((p) => p.amountMinor),
      changed.map((p) => p.currency),
      changed.map((p) => p.reference),
      changed.map((p) => p.createdAt),
      changed.map((p) => p.updatedAt),
      changed.map((p) => p.version),
      changed.map((p) => (p.decision ? JSON.stringify(p.decision) : null)),
      changed.map((p) => p.reviewer),
      changed.map((p) => p.reviewReason),
      series.map((d) => d.bucket),
      series.map((d) => d.merchantId),
      series.map((d) => d.outcome),
      series.map((d) => d.count),
    ],
  );
}
