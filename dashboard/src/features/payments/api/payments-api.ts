// The query API's payment reads (:8081).
import type { EventMetadata, PaymentEventType, PaymentPage, PaymentStatus, PaymentView, RuleDecision } from '@payments/schemas';
import { api, unwrap } from '../../../lib/api-client.ts';

export interface ListPaymentsQuery {
  status?: PaymentStatus | null;
  merchantId?: string | null;
  limit?: number;
  cursor?: string | null;
}

/** GET /api/payments: newest first, cursor paged. */
export function listPayments(query: ListPaymentsQuery, signal?: AbortSignal): Promise<PaymentPage> {
  // as apiRequest did, an empty or null parameter is left out
  const params = {
    query: {
      status: query.status || undefined,
      merchantId: query.merchantId || undefined,
      limit: query.limit,
      cursor: query.cursor || undefined,
    },
  };
  return unwrap<PaymentPage>(api.query.GET('/api/payments', { params, ...(signal ? { signal } : {}) }));
}

/** GET /api/payments/:id, or as it stood at `asOf` (ISO time). */
export function getPayment(paymentId: string, asOf?: string | null, signal?: AbortSignal): Promise<PaymentView> {
  const params = { path: { id: paymentId }, query: { asOf: asOf || undefined } };
  return unwrap<PaymentView>(api.query.GET('/api/payments/{id}', { params, ...(signal ? { signal } : {}) }));
}

/** One recorded event of a payment, as GET /api/payments/:id/events serves it. */
export interface PaymentEventRecord {
  position: number;
  eventId: string;
  type: PaymentEventType;
  streamVersion: number;
  occurredAt: string;
  data: {
    decision?: RuleDecision;
    reviewer?: string;
    reason?: string | null;
    amountMinor?: number;
    currency?: string;
    merchantId?: string;
    reference?: string | null;
  };
  metadata: EventMetadata;
}

export function getPaymentEvents(paymentId: string, signal?: AbortSignal): Promise<{ items: PaymentEventRecord[] }> {
  // the document types an event's type as a string and its data and metadata as unknown (they differ by type)
  return unwrap(api.query.GET('/api/payments/{id}/events', { params: { path: { id: paymentId } }, ...(signal ? { signal } : {}) })).then(
    (body) => body as { items: PaymentEventRecord[] },
  );
}
