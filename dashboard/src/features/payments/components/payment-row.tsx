import type { PaymentView } from '@payments/schemas';
import { memo } from 'react';
import { FOCUS_RING } from '../../../components/button.tsx';
import { StatusBadge } from '../../../components/status-badge.tsx';
import { formatMoney } from '../../../lib/format-money.ts';
import { formatTime } from '../../../lib/format-time.ts';

interface PaymentRowProps {
  payment: PaymentView;
  selected: boolean;
  onOpen(paymentId: string): void;
}

/** One row; memoised on the view object, so a stream update re-renders only the rows it changed. */
export const PaymentRow = memo(function PaymentRow({ payment, selected, onOpen }: PaymentRowProps) {
  return (
    <tr
      className={`cursor-pointer border-b border-slate-100 last:border-0 hover:bg-slate-50 ${selected ? 'bg-sky-50' : ''}`}
      onClick={() => onOpen(payment.paymentId)}
      data-testid="payment-row"
      data-payment-id={payment.paymentId}
      data-status={payment.status}
      data-version={payment.version}
    >
      <td className="hidden whitespace-nowrap py-2 pl-4 pr-2 text-xs text-slate-500 tabular-nums sm:table-cell">
        <time dateTime={payment.createdAt}>{formatTime(payment.createdAt)}</time>
      </td>
      <td className="max-w-[10rem] py-2 pl-3 pr-2 sm:pl-0">
        <button
          type="button"
          className={`block max-w-full truncate rounded text-left font-mono text-xs text-sky-700 hover:underline ${FOCUS_RING}`}
          onClick={(e) => {
            e.stopPropagation();
            onOpen(payment.paymentId);
          }}
          aria-label={`Open payment ${payment.paymentId}`}
          title={payment.paymentId}
        >
          {payment.paymentId.slice(0, 8)}…{payment.paymentId.slice(-4)}
        </button>
        {payment.reference && <span className="block truncate text-xs text-slate-500">{payment.reference}</span>}
        <time className="block text-xs text-slate-400 tabular-nums sm:hidden" dateTime={payment.createdAt}>
          {formatTime(payment.createdAt)}
        </time>
      </td>
      <td className="hidden whitespace-nowrap py-2 pr-2 text-sm text-slate-700 sm:table-cell">{payment.merchantId}</td>
      <td className="whitespace-nowrap py-2 pr-3 text-right text-sm font-medium text-slate-900 tabular-nums" data-testid="payment-amount">
        {formatMoney(payment.amountMinor, payment.currency)}
      </td>
      <td className="py-2 pr-3 sm:pr-4">
        {/* Re-keyed on each version so the highlight animation replays when the row changes. */}
        <span key={payment.version} className="settle-flash inline-block rounded-full">
          <StatusBadge status={payment.status} />
        </span>
      </td>
    </tr>
  );
});
