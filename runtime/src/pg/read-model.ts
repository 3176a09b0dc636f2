// The payments read-model row (`read.payments`, DDL in migrations/read-model.sql) and its mapping to the
// payment state: written by the projector, read by the query API, so it lives once, here.
import type { Payment, PaymentStatus, RuleDecision } from '@payments/schemas';

export const PAYMENT_COLUMNS =
  'payment_id, merchant_id, status, amount_minor, currency, reference, created_at, updated_at, version, decision, reviewer, review_reason';

export type PaymentRow = {
  payment_id: string;
  merchant_id: string;
  status: PaymentStatus;
  amount_minor: number;
  currency: string;
  reference: string | null;
  created_at: Date;
  updated_at: Date;
  version: number;
  decision: RuleDecision | null;
  reviewer: string | null;
  review_reason: string | null;
};

export const paymentFromRow = (r: PaymentRow): Payment => ({
  paymentId: r.payment_id,
  merchantId: r.merchant_id,
  status: r.status,
  amountMinor: r.amount_minor,
  currency: r.currency,
  reference: r.reference,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
  version: r.version,
  decision: r.decision,
  reviewer: r.reviewer,
  reviewReason: r.review_reason,
});
