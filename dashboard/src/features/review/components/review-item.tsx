import type { PaymentView } from '@payments/schemas';
import { memo, useId, useState } from 'react';
import { Button, FOCUS_RING } from '../../../components/button.tsx';
import { StatusBadge } from '../../../components/status-badge.tsx';
import { formatMoney } from '../../../lib/format-money.ts';
import { formatTime } from '../../../lib/format-time.ts';
import { useReviewStore } from '../stores/review-store.ts';

export const ReviewItem = memo(function ReviewItem({ payment, onOpen }: { payment: PaymentView; onOpen(paymentId: string): void }) {
  const id = payment.paymentId;
  const decision = useReviewStore((s) => s.decisions[id]);
  const settled = useReviewStore((s) => s.settled[id]);
  const { approve, decline, dismiss } = useReviewStore.getState();
  const [reason, setReason] = useState('');
  const reasonId = useId();
  const busy = decision?.state === 'submitting' || decision?.state === 'sent' || settled !== undefined;

  return (
    <li
      className={`space-y-2 px-4 py-3 transition-colors ${settled ? 'bg-slate-50' : ''}`}
      data-testid="review-item"
      data-payment-id={id}
      data-status={payment.status}
    >
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div className="min-w-0">
          <p className="text-base font-semibold tabular-nums text-slate-900">{formatMoney(payment.amountMinor, payment.currency)}</p>
          <p className="text-xs text-slate-500">
            {payment.merchantId} · {formatTime(payment.createdAt)} ·{' '}
            <button
              type="button"
              className={`rounded font-mono text-sky-700 hover:underline ${FOCUS_RING}`}
              onClick={() => onOpen(id)}
              aria-label={`Open payment ${id}`}
            >
              {id.slice(0, 8)}…
            </button>
          </p>
          {payment.decision && <p className="mt-0.5 text-xs text-slate-600">{payment.decision.reason}</p>}
        </div>
        <StatusBadge status={payment.status} />
      </div>

      {settled ? (
        <p className="flex items-center justify-between gap-2 text-sm text-slate-700" role="status" data-testid="review-settled">
          <span>
            {settled === 'APPROVED' ? 'Approved' : settled === 'DECLINED' ? 'Declined' : settled}
            {payment.reviewer ? ` by ${payment.reviewer}` : ''}
            {payment.reviewReason ? `: “${payment.reviewReason}”` : ''}
          </span>
          <Button size="sm" variant="ghost" onClick={() => dismiss(id)}>
            Dismiss
          </Button>
        </p>
      ) : (
        <form
          className="flex flex-wrap items-end gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            void approve(id, reason);
          }}
        >
          <div className="flex min-w-[10rem] flex-1 flex-col">
            <label htmlFor={reasonId} className="sr-only">
              Reason for payment {id}
            </label>
            <input
              id={reasonId}
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              placeholder="Reason (optional)"
              maxLength={500}
              disabled={busy}
              className={`rounded-md border-0 px-2.5 py-1.5 text-sm ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-sky-600 disabled:bg-slate-50 ${FOCUS_RING}`}
              data-testid="review-reason"
            />
          </div>
          <Button type="submit" size="sm" variant="success" disabled={busy} data-testid="review-approve">
            {decision?.state === 'submitting' && decision.decision === 'approve' ? 'Approving…' : 'Approve'}
          </Button>
          <Button size="sm" variant="danger" disabled={busy} onClick={() => void decline(id, reason)} data-testid="review-decline">
            {decision?.state === 'submitting' && decision.decision === 'decline' ? 'Declining…' : 'Decline'}
          </Button>
        </form>
      )}

      {decision?.state === 'sent' && !settled && (
        <p className="text-xs text-slate-500" role="status">
          Sent. Waiting for it to settle…
        </p>
      )}
      {decision?.state === 'error' && (
        <p
          role="alert"
          className={`rounded-md px-2.5 py-1.5 text-sm ring-1 ${decision.conflict ? 'bg-amber-50 text-amber-900 ring-amber-600/30' : 'bg-rose-50 text-rose-800 ring-rose-600/30'}`}
          data-testid="review-error"
          data-conflict={decision.conflict || undefined}
        >
          {decision.message}
        </p>
      )}
    </li>
  );
});
