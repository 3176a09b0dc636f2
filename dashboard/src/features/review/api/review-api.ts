// Analyst decisions on the command API (:8080), and the queue's read on the query API (:8081).
import type { PaymentPage, PaymentStatus } from '@payments/schemas';
import { config } from '../../../config/env.ts';
import { apiRequest } from '../../../lib/api-client.ts';

export interface ReviewResult {
  paymentId: string;
  status: PaymentStatus;
  position: number;
}

export type ReviewDecision = 'approve' | 'decline';

/** POST /api/payments/:id/approve|decline; 409 when it is no longer in REVIEW. */
export function decidePayment(paymentId: string, decision: ReviewDecision, reason: string | null): Promise<ReviewResult> {
  return apiRequest<ReviewResult>(config.commandApiUrl, `/api/payments/${encodeURIComponent(paymentId)}/${decision}`, {
    method: 'POST',
    body: reason ? { reason } : {},
  });
}

export function listInReview(cursor: string | null, limit = 100): Promise<PaymentPage> {
  return apiRequest<PaymentPage>(config.queryApiUrl, '/api/payments', { query: { status: 'REVIEW', limit, cursor } });
}
