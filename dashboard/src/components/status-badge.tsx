import type { PaymentStatus } from '@payments/schemas';
import { STATUS_LOOK } from '../lib/payment-status.ts';

export function StatusBadge({ status }: { status: PaymentStatus }) {
  const look = STATUS_LOOK[status];
  return (
    <span
      className={`inline-flex items-center gap-1 whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${look.badge}`}
      data-testid="status-badge"
      data-status={status}
    >
      <span aria-hidden="true">{look.glyph}</span>
      {look.label}
    </span>
  );
}
