// Reads of the payments read model. Lists use keyset pagination on (created_at, payment_id), newest first:
// a page boundary never moves when new payments arrive, because new payments sort before every cursor.

import { PAYMENT_COLUMNS, type PaymentRow, paymentFromRow, type Queryable } from '@payments/runtime/pg';
import { type PaymentStatus, type PaymentView, toPaymentView } from '@payments/schemas';

const toView = (row: PaymentRow): PaymentView => toPaymentView(paymentFromRow(row));

export type Cursor = { createdAt: string; paymentId: string };

export const encodeCursor = (c: Cursor) => Buffer.from(`${c.createdAt}|${c.paymentId}`).toString('base64url');

const ISO_INSTANT = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$/;

export function decodeCursor(raw: string): Cursor | null {
  const [createdAt, paymentId, ...rest] = Buffer.from(raw, 'base64url').toString('utf8').split('|');
  if (!createdAt || !paymentId || rest.length) return null;
  // only what encodeCursor produces: an exact ISO instant that round-trips, in a year PostgreSQL's timestamptz
  // takes (JavaScript also round-trips year 0000, +010000 and -000001), and a canonical uuid
  if (!ISO_INSTANT.test(createdAt) || createdAt.startsWith('0000')) return null;
  const time = new Date(createdAt);
  if (Number.isNaN(time.getTime()) || time.toISOString() !== createdAt) return null;
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(paymentId)) return null;
  return { createdAt, paymentId };
}

export async function listPayments(
  db: Queryable,
  filter: { status?: PaymentStatus; merchantId?: string; limit: number; cursor?: Cursor },
): Promise<{ items: PaymentView[]; nextCursor: string | null }> {
  const { rows } = await db.query<PaymentRow>(
    `select ${PAYMENT_COLUMNS} from read.payments
      where ($1::text is null or status = $1)
        and ($2::text is null or merchant_id = $2)
        and ($3::timestamptz is null or (created_at, payment_id) < ($3::timestamptz, $4::uuid))
      order by created_at desc, payment_id desc
      limit $5`,
    [
      filter.status ?? null,
      filter.merchantId ?? null,
      filter.cursor?.createdAt ?? null,
      filter.cursor?.paymentId ?? null,
      filter.limit + 1,
    ],
  );
  const items = rows.slice(0, filter.limit).map(toView);
  const last = items[items.length - 1];
  return {
    items,
    nextCursor: rows.length > filter.limit && last ? encodeCursor({ createdAt: last.createdAt, paymentId: last.paymentId }) : null,
  };
}

export async function getPayment(db: Queryable, paymentId: string): Promise<PaymentView | null> {
  const { rows } = await db.query<PaymentRow>(`select ${PAYMENT_COLUMNS} from read.payments where payment_id = $1`, [paymentId]);
  return rows[0] ? toView(rows[0]) : null;
}

/**
 * Read-your-writes: whether the read model already reflects the event at `position` (the position a
 * command returned). The event's own stream version tells: its payment row must have reached it.
 */
export async function hasApplied(db: Queryable, position: number): Promise<boolean> {
  const { rows } = await db.query<{ applied: boolean }>(
    `select coalesce((select p.version >= e.stream_version from read.payments p where p.payment_id = e.stream_id), false) as applied
       from es.events e where e.position = $1`,
    [position],
  );
  // an unknown position was never written: nothing to wait for
  return rows[0]?.applied ?? true;
}
