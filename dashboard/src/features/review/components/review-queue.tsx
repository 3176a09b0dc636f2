import { Button } from '../../../components/button.tsx';
import { Card } from '../../../components/card.tsx';
import { Spinner } from '../../../components/spinner.tsx';
import { useReviewStore } from '../stores/review-store.ts';
import { ReviewItem } from './review-item.tsx';

/** Analysts only: payments waiting for a decision. */
export function ReviewQueue({ onOpen }: { onOpen(paymentId: string): void }) {
  const ids = useReviewStore((s) => s.ids);
  const byId = useReviewStore((s) => s.byId);
  const settled = useReviewStore((s) => s.settled);
  const loading = useReviewStore((s) => s.loading);
  const error = useReviewStore((s) => s.error);
  const nextCursor = useReviewStore((s) => s.nextCursor);
  const { load, loadMore } = useReviewStore.getState();
  const waiting = ids.filter((id) => settled[id] === undefined).length;

  return (
    <Card
      title={
        <>
          Review queue{' '}
          <span
            className="ml-1 rounded-full bg-amber-100 px-2 py-0.5 text-xs font-semibold text-amber-900 tabular-nums"
            data-testid="review-queue-count"
            data-value={waiting}
          >
            {waiting}
            {nextCursor ? '+' : ''}
          </span>
        </>
      }
      titleId="review-title"
      testId="review-queue"
      bodyClassName=""
    >
      {error && (
        <div
          role="alert"
          className="m-4 flex items-center justify-between gap-2 rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-800 ring-1 ring-rose-600/30"
        >
          <span>Could not load the queue: {error}</span>
          <Button size="sm" onClick={() => void load()}>
            Retry
          </Button>
        </div>
      )}
      {ids.length === 0 && !error ? (
        <div className="p-6 text-center text-sm text-slate-500">
          {loading ? <Spinner label="Loading queue" /> : 'Nothing waiting for review.'}
        </div>
      ) : (
        <ul className="relative max-h-[32rem] divide-y divide-slate-100 overflow-y-auto" aria-labelledby="review-title">
          {ids.map((id) => {
            const payment = byId[id];
            return payment ? <ReviewItem key={id} payment={payment} onOpen={onOpen} /> : null;
          })}
        </ul>
      )}
      {nextCursor && (
        <div className="border-t border-slate-100 px-4 py-2 text-right">
          <Button size="sm" onClick={() => void loadMore()} disabled={loading}>
            Load more
          </Button>
        </div>
      )}
    </Card>
  );
}
