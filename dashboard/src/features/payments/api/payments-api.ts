// The query API's payment reads (:8081).
import type { EventMetadata, PaymentEventType, PaymentPage, PaymentStatus, PaymentView, RuleDecision } from '@payments/schemas';
import { config } from '../../../config/env.ts';
import { apiRequest } from '../../../lib/api-client.ts';

export interface ListPaymentsQuery {
  status?: PaymentStatus | null;
  merchantId?: string | null;
  limit?: number;
  cursor?: string | null;
}

/** GET /api/payments: newest first, cursor paged. */
export function listPayments(query: ListPaymentsQuery, signal?: AbortSignal): Promise<PaymentPage> {
  return apiRequest<PaymentPage>(config.queryApiUrl, '/api/payments', {
    query: { status: query.status, merchantId: query.merchantId, limit: query.limit, cursor: query.cursor },
    ...(signal ? { signal } : {}),
  });
}

/** GET /api/payments/:id, or as it stood at `asOf` (ISO time). */
export function getPayment(paymentId: string, asOf?: string | null, signal?: AbortSignal): Promise<PaymentView> {
  return apiRequest<PaymentView>(config.queryApiUrl, `/api/payments/${encodeURIComponent(paymentId)}`, {
    query: { asOf },
    ...(signal ? { signal } : {}),
  });
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
  return apiRequest<{ items: PaymentEventRecord[] }>(config.queryApiUrl, `/api/payments/${encodeURIComponent(paymentId)}/events`, {
    ...(signal ? { signal } : {}),
  });
}
