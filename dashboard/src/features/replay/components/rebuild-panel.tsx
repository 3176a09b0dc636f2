import { useEffect } from 'react';
import { Button } from '../../../components/button.tsx';
import { Card } from '../../../components/card.tsx';
import { isFailed, isTerminal, useRebuildStore } from '../stores/rebuild-store.ts';

const countFormat = new Intl.NumberFormat();

/** Analysts: rebuild the payments read model from the event log, with live progress. */
export function RebuildPanel() {
  const job = useRebuildStore((s) => s.job);
  const starting = useRebuildStore((s) => s.starting);
  const error = useRebuildStore((s) => s.error);
  const start = useRebuildStore((s) => s.start);

  useEffect(() => {
    void useRebuildStore.getState().resume();
  }, []);
  const running = starting || (job !== null && !isTerminal(job.status));
  const total = job?.eventsTotal ?? 0;
  const done = job?.eventsDone ?? 0;
  const fraction = total > 0 ? Math.min(1, done / total) : null;

  return (
    <Card title="Replay" titleId="replay-title" testId="replay-panel">
      <p className="text-sm text-slate-600">
        Rebuild the payments read model from the event log into new tables; the current ones keep serving until the switch.
      </p>
      <div className="mt-3 flex items-center gap-3">
        <Button variant="primary" size="sm" onClick={() => void start()} disabled={running} data-testid="replay-start">
          {running ? 'Rebuilding…' : 'Rebuild read model'}
        </Button>
        {job && (
          <span
            className={`text-xs font-medium ${isFailed(job.status) ? 'text-rose-700' : 'text-slate-600'}`}
            data-testid="replay-status"
            data-status={job.status}
          >
            {job.status}
          </span>
        )}
      </div>
      {job && (
        <div className="mt-3 space-y-1">
          <div
            className="h-2 overflow-hidden rounded-full bg-slate-100"
            role="progressbar"
            aria-label="Rebuild progress"
            aria-valuemin={0}
            aria-valuemax={total || undefined}
            aria-valuenow={total ? done : undefined}
            data-testid="replay-progress"
          >
            <div
              className={`h-full rounded-full transition-[width] ${isFailed(job.status) ? 'bg-rose-500' : 'bg-sky-500'} ${fraction === null && running ? 'w-1/3 animate-pulse' : ''}`}
              style={fraction === null ? undefined : { width: `${(fraction * 100).toFixed(1)}%` }}
            />
          </div>
          <p className="text-xs text-slate-500 tabular-nums">
            {countFormat.format(done)}
            {total ? ` / ${countFormat.format(total)}` : ''} events
            {job.eventsPerSecond ? ` · ${countFormat.format(Math.round(job.eventsPerSecond))} events/s` : ''}
          </p>
        </div>
      )}
      {job?.error && (
        <p className="mt-2 text-sm text-rose-700" data-testid="replay-error">
          {job.error}
        </p>
      )}
      {error && (
        <p role="alert" className="mt-2 text-sm text-rose-700">
          {error}
        </p>
      )}
    </Card>
  );
}
