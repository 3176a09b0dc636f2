// Read models served by the query API (:8081) and the messages of its WebSocket stream.
import { type Static, Type } from 'typebox';
import { PaymentStatusSchema, RuleDecisionSchema } from './events.ts';
import { formatMinor } from './money.ts';
import type { Payment } from './payment.ts';

export const PaymentViewSchema = Type.Object({
  paymentId: Type.String(),
  merchantId: Type.String(),
  status: PaymentStatusSchema,
  amount: Type.String({ description: 'major units, exact decimal string' }),
  amountMinor: Type.Integer(),
  currency: Type.String(),
  reference: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  version: Type.Integer(),
  decision: Type.Union([RuleDecisionSchema, Type.Null()]),
  reviewer: Type.Union([Type.String(), Type.Null()]),
  reviewReason: Type.Union([Type.String(), Type.Null()]),
});
export type PaymentView = Static<typeof PaymentViewSchema>;

export const PaymentPageSchema = Type.Object({
  items: Type.Array(PaymentViewSchema),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});
export type PaymentPage = Static<typeof PaymentPageSchema>;

export const CurrencyVolumeSchema = Type.Object({
  currency: Type.String(),
  count: Type.Integer(),
  /** Everything requested, in major units (exact decimal string) and minor units. */
  total: Type.String(),
  totalMinor: Type.String(),
  /** Authorized + approved: what will settle. */
  accepted: Type.String(),
  acceptedMinor: Type.String(),
});

export const StatusCountsSchema = Type.Object({
  PENDING: Type.Integer(),
  AUTHORIZED: Type.Integer(),
  REVIEW: Type.Integer(),
  APPROVED: Type.Integer(),
  DECLINED: Type.Integer(),
});
export type StatusCounts = Static<typeof StatusCountsSchema>;

export const StatsSchema = Type.Object({
  total: Type.Integer(),
  byStatus: StatusCountsSchema,
  volume: Type.Array(CurrencyVolumeSchema),
  /** The change-feed head these figures correspond to (a stream's `since`): global, or a merchant's own position. */
  position: Type.Integer(),
});
export type Stats = Static<typeof StatsSchema>;

export const OUTCOMES = ['requested', 'authorized', 'review', 'approved', 'declined'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const SeriesSchema = Type.Object({
  from: Type.String(),
  to: Type.String(),
  stepSeconds: Type.Integer(),
  /** Bucket start times in epoch seconds, and one count array per outcome, aligned with it (uPlot's shape). */
  t: Type.Array(Type.Integer()),
  counts: Type.Object({
    requested: Type.Array(Type.Integer()),
    authorized: Type.Array(Type.Integer()),
    review: Type.Array(Type.Integer()),
    approved: Type.Array(Type.Integer()),
    declined: Type.Array(Type.Integer()),
  }),
});

export const PaymentUpdatedMessageSchema = Type.Object({
  type: Type.Literal('payment.updated'),
  position: Type.Integer(),
  payment: PaymentViewSchema,
});
export const StatsMessageSchema = Type.Object({
  type: Type.Literal('stats'),
  position: Type.Integer(),
  stats: StatsSchema,
});
export const HelloMessageSchema = Type.Object({
  type: Type.Literal('hello'),
  /** The position the stream resumes after; `since` echoed, or the current head for a fresh client (a merchant's own). */
  position: Type.Integer(),
});
export const StreamMessageSchema = Type.Union([PaymentUpdatedMessageSchema, StatsMessageSchema, HelloMessageSchema]);
export type StreamMessage = Static<typeof StreamMessageSchema>;
export type PaymentUpdatedMessage = Static<typeof PaymentUpdatedMessageSchema>;

/** The list/detail view of a payment, as served and streamed. */
export function toPaymentView(p: Payment): PaymentView {
  return {
    paymentId: p.paymentId,
    merchantId: p.merchantId,
    status: p.status,
    amount: formatMinor(p.amountMinor, p.currency),
    amountMinor: p.amountMinor,
    currency: p.currency,
    reference: p.reference,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
    version: p.version,
    decision: p.decision,
    reviewer: p.reviewer,
    reviewReason: p.reviewReason,
  };
}
