import { useId } from 'react';
import { FOCUS_RING } from '../../../components/button.tsx';
import { Card } from '../../../components/card.tsx';
import { DEMO_RATES, useDemoTrafficStore } from '../stores/demo-traffic-store.ts';

const countFormat = new Intl.NumberFormat();

/** DEVELOPMENT ONLY: signs in the development merchant clients and posts demo payments at a chosen rate. */
export function DemoTrafficSwitch() {
  const { running, rate, sent, accepted, failed, lastError } = useDemoTrafficStore();
  const { start, stop, setRate } = useDemoTrafficStore.getState();
  const ids = { rate: useId() };

  return (
    <Card
      title="Demo traffic"
      titleId="demo-title"
      testId="demo-traffic"
      actions={
        <span className="rounded bg-amber-100 px-1.5 py-0.5 text-[10px] font-semibold uppercase tracking-wide text-amber-900">
          Dev only
        </span>
      }
    >
      <div className="flex flex-wrap items-center gap-4">
        <div className="flex items-center gap-2">
          <button
            type="button"
            role="switch"
            aria-checked={running}
            aria-label="Demo traffic"
            onClick={() => (running ? stop() : void start())}
            className={`relative inline-flex h-6 w-11 shrink-0 rounded-full transition-colors ${running ? 'bg-emerald-500' : 'bg-slate-300'} ${FOCUS_RING}`}
            data-testid="demo-traffic-switch"
          >
            <span
              className={`absolute top-0.5 size-5 rounded-full bg-white shadow transition-transform ${running ? 'translate-x-5.5' : 'translate-x-0.5'}`}
            />
          </button>
          <span className="text-sm font-medium text-slate-700" aria-hidden="true">
            {running ? 'Sending' : 'Off'}
          </span>
        </div>
        <div className="flex items-center gap-2">
          <label htmlFor={ids.rate} className="text-sm text-slate-600">
            Rate
          </label>
          <select
            id={ids.rate}
            value={rate}
            onChange={(e) => setRate(Number(e.target.value))}
            className={`rounded-md border-0 py-1 pl-2 pr-7 text-sm ring-1 ring-inset ring-slate-300 ${FOCUS_RING}`}
            data-testid="demo-traffic-rate"
          >
            {DEMO_RATES.map((r) => (
              <option key={r} value={r}>
                {r} / s
              </option>
            ))}
          </select>
        </div>
      </div>
      <p className="mt-3 text-xs text-slate-500 tabular-nums" data-testid="demo-traffic-counts">
        {countFormat.format(sent)} sent · {countFormat.format(accepted)} accepted · {countFormat.format(failed)} failed
      </p>
      <p className="mt-1 text-xs text-slate-500">Posts as the development merchants M123 and M456 through the real API.</p>
      {lastError && (
        <p role="alert" className="mt-2 text-xs text-rose-700">
          {lastError}
        </p>
      )}
    </Card>
  );
}
