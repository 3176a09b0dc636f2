// Owns one uPlot instance for a container: created on mount at the container's width, resized with it
// (ResizeObserver), destroyed on unmount. Callers push data with chartRef.current.setData(...), outside
// React's render cycle.
import { type RefObject, useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export function useUplot(
  container: RefObject<HTMLDivElement | null>,
  makeOptions: (width: number) => uPlot.Options,
  initialData: uPlot.AlignedData,
): RefObject<uPlot | null> {
  const chart = useRef<uPlot | null>(null);
  // Options and first data are read once, at mount: later changes go through the instance.
  const init = useRef({ makeOptions, initialData });

  useEffect(() => {
    const element = container.current;
    if (element === null) return;
    const width = Math.max(200, element.clientWidth);
    const instance = new uPlot(init.current.makeOptions(width), init.current.initialData, element);
    chart.current = instance;
    const observer = new ResizeObserver(() => {
      const next = Math.max(200, element.clientWidth);
      if (next !== instance.width) instance.setSize({ width: next, height: instance.height });
    });
    observer.observe(element);
    return () => {
      observer.disconnect();
      instance.destroy();
      chart.current = null;
    };
  }, [container]);

  return chart;
}

const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const clockSeconds = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const day = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });

/** Tick labels in the user's locale, as fine as the visible span needs (epoch seconds in). */
export function timeTicks(u: uPlot, splits: number[]): string[] {
  const span = (u.scales.x?.max ?? 0) - (u.scales.x?.min ?? 0);
  const format = span > 2 * 86_400 ? day : span <= 900 ? clockSeconds : clock;
  return splits.map((s) => format.format(new Date(s * 1000)));
}

/** Shared look of the console's charts. */
export function baseOptions(width: number, height: number): Pick<uPlot.Options, 'width' | 'height' | 'axes' | 'cursor' | 'legend'> {
  const axis: uPlot.Axis = {
    stroke: '#64748b',
    grid: { stroke: '#e2e8f0', width: 1 },
    ticks: { stroke: '#e2e8f0', width: 1 },
    font: '11px ui-sans-serif, system-ui, sans-serif',
  };
  return {
    width,
    height,
    axes: [
      { ...axis, space: 70, values: timeTicks },
      { ...axis, size: 40 },
    ],
    cursor: { drag: { x: false, y: false } },
    legend: { live: true },
  };
}
