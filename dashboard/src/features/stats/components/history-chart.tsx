import { OUTCOMES } from '@payments/schemas';
import { useEffect, useRef, useState } from 'react';
import type uPlot from 'uplot';
import { Card } from '../../../components/card.tsx';
import { Spinner } from '../../../components/spinner.tsx';
import { errorMessage } from '../../../lib/api-client.ts';
import { OUTCOME_LOOK } from '../../../lib/payment-status.ts';
import { getStatsSeries } from '../api/stats-api.ts';
import { baseOptions, useUplot } from '../hooks/use-uplot.ts';

const RANGES = [
  { key: '1h', label: '1 hour', seconds: 3600, step: 60 },
  { key: '24h', label: '24 hours', seconds: 86_400, step: 900 },
  { key: '7d', label: '7 days', seconds: 604_800, step: 3600 },
] as const;
type RangeKey = (typeof RANGES)[number]['key'];

const HEIGHT = 220;
const REFRESH_MS = 30_000;
const EMPTY: uPlot.AlignedData = [[], ...OUTCOMES.map(() => [])];

/** Payments per bucket by outcome from GET /api/stats/series, refreshed every 30 seconds. */
export function HistoryChart() {
  const container = useRef<HTMLDivElement>(null);
  const [range, setRange] = useState<RangeKey>('1h');
  const [state, setState] = useState<{ loading: boolean; error: string | null; step: number | null }>({
    loading: true,
    error: null,
    step: null,
  });

  const chart = useUplot(
    container,
    (width) => ({
      ...baseOptions(width, HEIGHT),
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, Math.ceil(max * 1.1))] } },
      series: [
        { label: 'Time' },
        ...OUTCOMES.map((outcome) => ({
          label: OUTCOME_LOOK[outcome].label,
          stroke: OUTCOME_LOOK[outcome].color,
          fill: outcome === 'requested' ? 'rgba(99,102,241,0.08)' : undefined,
          width: 1.5,
          points: { show: false },
        })),
      ],
    }),
    EMPTY,
  );

  useEffect(() => {
    const spec = RANGES.find((r) => r.key === range) ?? RANGES[0];
    let controller = new AbortController();
    const load = () => {
      controller.abort();
      controller = new AbortController();
      const to = new Date();
      const from = new Date(to.getTime() - spec.seconds * 1000);
      getStatsSeries({ from: from.toISOString(), to: to.toISOString(), step: spec.step }, controller.signal)
        .then((series) => {
          chart.current?.setData([series.t, ...OUTCOMES.map((o) => series.counts[o] ?? [])]);
          setState({ loading: false, error: null, step: series.stepSeconds });
        })
        .catch((error: unknown) => {
          if (!controller.signal.aborted) setState((s) => ({ ...s, loading: false, error: errorMessage(error) }));
        });
    };
    setState((s) => ({ ...s, loading: true }));
    load();
    const timer = setInterval(load, REFRESH_MS);
    return () => {
      clearInterval(timer);
      controller.abort();
    };
  }, [range, chart]);

  return (
    <Card
      title="History"
      titleId="history-chart-title"
      testId="history-chart"
      actions={
        <fieldset className="flex rounded-md ring-1 ring-slate-300" aria-label="Time range">
          {RANGES.map((r) => (
            <label
              key={r.key}
              className="cursor-pointer text-xs first:rounded-l-md last:rounded-r-md has-[:checked]:bg-slate-900 has-[:checked]:text-white has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-sky-500"
            >
              <input
                type="radio"
                name="history-range"
                value={r.key}
                checked={range === r.key}
                onChange={() => setRange(r.key)}
                className="sr-only"
              />
              <span className="block px-2.5 py-1">{r.label}</span>
            </label>
          ))}
        </fieldset>
      }
    >
      <div ref={container} role="img" aria-labelledby="history-chart-title" className="min-h-[260px] w-full overflow-hidden" />
      <p className="mt-2 text-xs text-slate-500" aria-live="polite">
        {state.error ? (
          <span className="text-rose-700">Could not load history: {state.error}</span>
        ) : state.loading ? (
          <Spinner label="Loading history" />
        ) : state.step ? (
          `Payments per ${state.step >= 3600 ? `${state.step / 3600} h` : `${state.step / 60} min`} bucket`
        ) : null}
      </p>
    </Card>
  );
}
