import { type UIEvent, useCallback, useEffect, useRef } from 'react';
import { Button } from '../../../components/button.tsx';
import { Card } from '../../../components/card.tsx';
import { Spinner } from '../../../components/spinner.tsx';
import { useHeldRows } from '../hooks/use-held-rows.ts';
import { MAX_ROWS, usePaymentsStore } from '../stores/payments-store.ts';
import { PaymentFilters } from './payment-filters.tsx';
import { PaymentRow } from './payment-row.tsx';

/** Scrolled further than this from the top counts as "reading": new rows are held back. */
const HOLD_THRESHOLD_PX = 24;

export function PaymentsTable() {
  const ids = usePaymentsStore((s) => s.ids);
  const byId = usePaymentsStore((s) => s.feed.byId);
  const loading = usePaymentsStore((s) => s.loading);
  const loadingMore = usePaymentsStore((s) => s.loadingMore);
  const nextCursor = usePaymentsStore((s) => s.nextCursor);
  const error = usePaymentsStore((s) => s.error);
  const trimmed = usePaymentsStore((s) => s.trimmed);
  const filter = usePaymentsStore((s) => s.filter);
  const selectedId = usePaymentsStore((s) => s.selectedId);
  const { load, loadMore, select } = usePaymentsStore.getState();
  const scroller = useRef<HTMLDivElement>(null);
  const held = useHeldRows(ids, byId);
  const { setScrolledAway, reveal } = held;

  // A new filter is a new list: start at its top.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the filter changes
  useEffect(() => {
    scroller.current?.scrollTo({ top: 0 });
    reveal();
  }, [filter, reveal]);

  const onScroll = useCallback(
    (event: UIEvent<HTMLDivElement>) => setScrolledAway(event.currentTarget.scrollTop > HOLD_THRESHOLD_PX),
    [setScrolledAway],
  );

  const showNew = () => {
    scroller.current?.scrollTo({ top: 0, behavior: 'smooth' });
    reveal();
  };

  return (
    <Card title="Payments" titleId="payments-title" testId="payments-card" bodyClassName="" actions={<PaymentFilters />}>
      <div className="relative">
        {held.holding && held.newCount > 0 && (
          <div className="pointer-events-none absolute inset-x-0 top-10 z-20 flex justify-center">
            <button
              type="button"
              onClick={showNew}
              className="pointer-events-auto rounded-full bg-sky-600 px-3 py-1 text-xs font-semibold text-white shadow-lg hover:bg-sky-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-500"
              data-testid="new-rows-pill"
              data-count={held.newCount}
            >
              ↑ {held.newCount} new
            </button>
          </div>
        )}
        <div ref={scroller} onScroll={onScroll} className="relative max-h-[65vh] overflow-auto" data-testid="payments-scroll">
          <table className="w-full border-collapse text-left" aria-labelledby="payments-title" aria-busy={loading}>
            <thead className="sticky top-0 z-10 bg-slate-50/95 text-xs font-medium uppercase tracking-wide text-slate-500 backdrop-blur">
              <tr>
                <th scope="col" className="hidden py-2 pl-4 pr-2 font-medium sm:table-cell">
                  Created
                </th>
                <th scope="col" className="py-2 pl-3 pr-2 font-medium sm:pl-0">
                  Payment
                </th>
                <th scope="col" className="hidden py-2 pr-2 font-medium sm:table-cell">
                  Merchant
                </th>
                <th scope="col" className="py-2 pr-3 text-right font-medium">
                  Amount
                </th>
                <th scope="col" className="py-2 pr-3 font-medium sm:pr-4">
                  Status
                </th>
              </tr>
            </thead>
            <tbody>
              {held.visibleIds.map((id) => {
                const payment = byId[id];
                return payment ? <PaymentRow key={id} payment={payment} selected={id === selectedId} onOpen={select} /> : null;
              })}
            </tbody>
          </table>
          {loading && ids.length === 0 && (
            <div className="flex justify-center p-8">
              <Spinner label="Loading payments" />
            </div>
          )}
          {!loading && !error && ids.length === 0 && (
            <p className="p-8 text-center text-sm text-slate-500" data-testid="payments-empty">
              No payments {filter.status || filter.merchantId ? 'match these filters' : 'yet'}.
            </p>
          )}
          {error && (
            <div
              role="alert"
              className="m-4 flex flex-wrap items-center justify-between gap-2 rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-800 ring-1 ring-rose-600/30"
            >
              <span>Could not load payments: {error}</span>
              <Button size="sm" onClick={() => void (nextCursor ? loadMore() : load())}>
                Retry
              </Button>
            </div>
          )}
          <div className="flex items-center justify-between gap-2 border-t border-slate-100 px-4 py-2 text-xs text-slate-500">
            <span data-testid="payments-count">
              {ids.length} shown{trimmed ? ` (latest ${MAX_ROWS}; older rows let go)` : ''}
            </span>
            {nextCursor !== null ? (
              <Button size="sm" onClick={() => void loadMore()} disabled={loadingMore} data-testid="load-more">
                {loadingMore ? 'Loading…' : 'Load more'}
              </Button>
            ) : trimmed ? (
              <Button size="sm" onClick={() => void load()} data-testid="reload-list">
                Reload to page through history
              </Button>
            ) : ids.length > 0 ? (
              <span>End of list</span>
            ) : null}
          </div>
        </div>
      </div>
    </Card>
  );
}
