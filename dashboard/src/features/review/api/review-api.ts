// Analyst decisions on the command API (:8080), and the queue's read on the query API (:8081).
import type { PaymentPage, PaymentStatus } from '@payments/schemas';
import { api, unwrap } from '../../../lib/api-client.ts';

export interface ReviewResult {
  paymentId: string;
  status: PaymentStatus;
  position: number;
}

export type ReviewDecision = 'approve' | 'decline';

/** POST /api/payments/:id/approve|decline; 409 when it is no longer in REVIEW. */
export function decidePayment(paymentId: string, decision: ReviewDecision, reason: string | null): Promise<ReviewResult> {
  const init = { params: { path: { id: paymentId } }, body: reason ? { reason } : {} };
  return unwrap<ReviewResult>(
    decision === 'approve' ? api.command.POST('/api/payments/{id}/approve', init) : api.command.POST('/api/payments/{id}/decline', init),
  );
}

export function listInReview(cursor: string | null, limit = 100): Promise<PaymentPage> {
  return unwrap<PaymentPage>(
    api.query.GET('/api/payments', { params: { query: { status: 'REVIEW', limit, cursor: cursor || undefined } } }),
  );
}
