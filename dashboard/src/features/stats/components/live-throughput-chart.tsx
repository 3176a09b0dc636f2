import { OUTCOMES } from '@payments/schemas';
import { useEffect, useRef } from 'react';
import type uPlot from 'uplot';
import { Card } from '../../../components/card.tsx';
import { OUTCOME_LOOK } from '../../../lib/payment-status.ts';
import { baseOptions, useUplot } from '../hooks/use-uplot.ts';
import { LIVE_WINDOW_SECONDS, recentRates, windowSeries } from '../stores/throughput.ts';
import { useThroughputStore } from '../stores/throughput-store.ts';

const HEIGHT = 220;
const REDRAW_MS = 1000;

const rateFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });

/**
 * Payments per second by outcome over the last five minutes, live. The store changes at stream speed;
 * this component never re-renders for it: it subscribes to the store into a ref and redraws uPlot once a
 * second (which also slides the window when nothing happens).
 */
export function LiveThroughputChart() {
  const container = useRef<HTMLDivElement>(null);
  const rates = useRef<HTMLParagraphElement>(null);
  const latest = useRef(useThroughputStore.getState());

  const chart = useUplot(
    container,
    (width) => ({
      ...baseOptions(width, HEIGHT),
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, Math.ceil(max * 1.15))] } },
      series: [
        { label: 'Time' },
        ...OUTCOMES.map((outcome) => ({
          label: OUTCOME_LOOK[outcome].label,
          stroke: OUTCOME_LOOK[outcome].color,
          width: 2,
          points: { show: false },
          value: (_u: uPlot, v: number | null) => (v === null ? '–' : `${v}/s`),
        })),
      ],
    }),
    windowSeries(latest.current, Date.now()),
  );

  useEffect(() => {
    const unsubscribe = useThroughputStore.subscribe((state) => {
      latest.current = state;
    });
    const draw = () => {
      const now = Date.now();
      chart.current?.setData(windowSeries(latest.current, now));
      if (rates.current) {
        const r = recentRates(latest.current, now);
        rates.current.textContent = OUTCOMES.map((o) => `${OUTCOME_LOOK[o].label} ${rateFormat.format(r[o])}/s`).join(' · ');
      }
    };
    draw();
    const timer = setInterval(draw, REDRAW_MS);
    return () => {
      unsubscribe();
      clearInterval(timer);
    };
  }, [chart]);

  return (
    <Card
      title="Payments per second, live"
      titleId="live-chart-title"
      testId="live-chart"
      actions={<span className="text-xs text-slate-500">last {LIVE_WINDOW_SECONDS / 60} minutes</span>}
    >
      <div
        ref={container}
        role="img"
        aria-labelledby="live-chart-title"
        aria-describedby="live-chart-rates"
        className="min-h-[260px] w-full overflow-hidden"
      />
      <p id="live-chart-rates" ref={rates} className="mt-2 text-xs text-slate-500 tabular-nums" aria-live="off" data-testid="live-rates" />
    </Card>
  );
}
