import { Card } from '../../../components/card.tsx';
import { formatMoney } from '../../../lib/format-money.ts';
import { useStatsStore } from '../stores/stats-store.ts';

const countFormat = new Intl.NumberFormat();

/** Volume per currency: everything requested, and what was accepted (authorized + approved). */
export function VolumeCard() {
  const volume = useStatsStore((s) => s.stats?.volume);
  const rows = [...(volume ?? [])].sort((a, b) => b.count - a.count || a.currency.localeCompare(b.currency));

  return (
    <Card title="Volume by currency" titleId="volume-title" testId="volume-card" bodyClassName="">
      {rows.length === 0 ? (
        <p className="p-4 text-sm text-slate-500">{volume === undefined ? 'Loading…' : 'No payments yet.'}</p>
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full text-sm" aria-labelledby="volume-title">
            <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <th scope="col" className="py-2 pl-4 pr-2 text-left font-medium">
                  Currency
                </th>
                <th scope="col" className="py-2 pr-2 text-right font-medium">
                  Payments
                </th>
                <th scope="col" className="py-2 pr-2 text-right font-medium">
                  Requested
                </th>
                <th scope="col" className="py-2 pr-4 text-right font-medium">
                  Accepted
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.currency} className="border-t border-slate-100" data-testid="volume-row" data-currency={row.currency}>
                  <th scope="row" className="py-2 pl-4 pr-2 text-left font-mono text-xs font-semibold text-slate-700">
                    {row.currency}
                  </th>
                  <td className="py-2 pr-2 text-right tabular-nums text-slate-600">{countFormat.format(row.count)}</td>
                  <td
                    className="whitespace-nowrap py-2 pr-2 text-right tabular-nums text-slate-900"
                    data-testid="volume-total"
                    data-minor={row.totalMinor}
                  >
                    {formatMoney(row.totalMinor, row.currency)}
                  </td>
                  <td
                    className="whitespace-nowrap py-2 pr-4 text-right tabular-nums text-emerald-700"
                    data-testid="volume-accepted"
                    data-minor={row.acceptedMinor}
                  >
                    {formatMoney(row.acceptedMinor, row.currency)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}
