import type { PaymentStatus } from '@payments/schemas';
import { STATUS_LOOK } from '../../../lib/payment-status.ts';
import { useStatsStore } from '../stores/stats-store.ts';

const countFormat = new Intl.NumberFormat();
const percentFormat = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1 });

const CARDS: ReadonlyArray<{ testId: string; label: string; status: PaymentStatus | null }> = [
  { testId: 'kpi-total', label: 'Total', status: null },
  { testId: 'kpi-pending', label: 'Pending', status: 'PENDING' },
  { testId: 'kpi-authorized', label: 'Authorized', status: 'AUTHORIZED' },
  { testId: 'kpi-review', label: 'Under review', status: 'REVIEW' },
  { testId: 'kpi-approved', label: 'Approved', status: 'APPROVED' },
  { testId: 'kpi-declined', label: 'Declined', status: 'DECLINED' },
];

/** Counts per status from the stats store (REST snapshot, then the stream). */
export function KpiCards() {
  const stats = useStatsStore((s) => s.stats);
  const error = useStatsStore((s) => s.error);

  return (
    <section aria-label="Key figures" className="space-y-2">
      <dl className="grid grid-cols-2 gap-3 sm:grid-cols-3 xl:grid-cols-6">
        {CARDS.map((card) => {
          const value = stats === null ? null : card.status === null ? stats.total : stats.byStatus[card.status];
          const share = stats !== null && card.status !== null && stats.total > 0 && value !== null ? value / stats.total : null;
          return (
            <div key={card.testId} className="relative overflow-hidden rounded-xl border border-slate-200 bg-white px-4 py-3 shadow-sm">
              <span
                className={`absolute inset-y-0 left-0 w-1 ${card.status ? STATUS_LOOK[card.status].accent : 'bg-slate-900'}`}
                aria-hidden="true"
              />
              <dt className="flex items-center gap-1.5 text-xs font-medium uppercase tracking-wide text-slate-500">
                {card.status && <span aria-hidden="true">{STATUS_LOOK[card.status].glyph}</span>}
                {card.label}
              </dt>
              <dd className="mt-1 flex items-baseline justify-between gap-2">
                <span className="text-2xl font-semibold tabular-nums text-slate-900" data-testid={card.testId} data-value={value ?? ''}>
                  {value === null ? '—' : countFormat.format(value)}
                </span>
                {share !== null && <span className="text-xs text-slate-400 tabular-nums">{percentFormat.format(share)}</span>}
              </dd>
            </div>
          );
        })}
      </dl>
      {error && (
        <p role="alert" className="text-sm text-rose-700">
          Could not load the figures: {error}
        </p>
      )}
    </section>
  );
}
