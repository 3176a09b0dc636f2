// The SQL side of the payments projection: loads the rows a batch touches and writes a fold's result into
// a read-model schema (`read` live, another name during a rebuild) with set-based upserts.

import { type PaymentRow, paymentFromRow, prepared, type Queryable } from '@payments/runtime';
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

export async function writeProjection(db: Queryable, schema: string, result: ProjectionResult): Promise<void> {
  const s = ident(schema);
  const { changed, stats, series } = result;
  if (changed.length) {
    await prepared(
      db,
      `upsert-payments-${s}`,
      `insert into ${s}.payments (payment_id, merchant_id, status, amount_minor, currency, reference, created_at, updated_at, version, decision, reviewer, review_reason)
       select * from unnest($1::uuid[], $2::text[], $3::text[], $4::int8[], $5::text[], $6::text[], $7::timestamptz[], $8::timestamptz[], $9::int[], $10::jsonb[], $11::text[], $12::text[])
       on conflict (payment_id) do update set status = excluded.status, updated_at = excluded.updated_at, version = excluded.version,
         decision = excluded.decision, reviewer = excluded.reviewer, review_reason = excluded.review_reason`,
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
      ],
    );
  }
  if (stats.length) {
    await prepared(
      db,
      `upsert-stats-${s}`,
      `insert into ${s}.merchant_stats (merchant_id, currency, status, count, volume_minor)
       select * from unnest($1::text[], $2::text[], $3::text[], $4::int8[], $5::numeric[])
       on conflict (merchant_id, currency, status) do update
         set count = ${s}.merchant_stats.count + excluded.count, volume_minor = ${s}.merchant_stats.volume_minor + excluded.volume_minor`,
      [
        stats.map((d) => d.merchantId),
        stats.map((d) => d.currency),
        stats.map((d) => d.status),
        stats.map((d) => d.count),
        stats.map((d) => d.volumeMinor.toString()),
      ],
    );
    // a status everyone has left is no row at all, however the events were batched: live and rebuilt
    // tables stay identical
    await prepared(
      db,
      `delete-empty-stats-${s}`,
      `delete from ${s}.merchant_stats where count = 0 and volume_minor = 0
         and (merchant_id, currency, status) in (select * from unnest($1::text[], $2::text[], $3::text[]))`,
      [stats.map((d) => d.merchantId), stats.map((d) => d.currency), stats.map((d) => d.status)],
    );
  }
  if (series.length) {
    await prepared(
      db,
      `upsert-series-${s}`,
      `insert into ${s}.series (bucket, merchant_id, outcome, count)
       select to_timestamp(b), m, o, c from unnest($1::int8[], $2::text[], $3::text[], $4::int8[]) as t(b, m, o, c)
       on conflict (bucket, merchant_id, outcome) do update set count = ${s}.series.count + excluded.count`,
      [series.map((d) => d.bucket), series.map((d) => d.merchantId), series.map((d) => d.outcome), series.map((d) => d.count)],
    );
  }
}
