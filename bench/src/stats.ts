// Latency histograms (HDR, microsecond resolution, 3 significant digits) and the small statistics the report
// needs: medians with min and max over rounds, and rounding for display.
import type { Histogram } from 'hdr-histogram-js';
import hdr from 'hdr-histogram-js';

export type { Histogram };

export type LatencySummary = {
  count: number;
  p50Ms: number | null;
  p90Ms: number | null;
  p99Ms: number | null;
  p999Ms: number | null;
  maxMs: number | null;
  meanMs: number | null;
};

export type Spread = { median: number; min: number; max: number; values: number[] };

export function newHistogram(): Histogram {
  // up to an hour in microseconds; the plain JS implementation (no WebAssembly start-up)
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });
}

/** Records a latency given in milliseconds (fractions kept down to the microsecond). */
export function recordMs(histogram: Histogram, ms: number): void {
  histogram.recordValue(Math.max(1, Math.round(ms * 1000)));
}

export function summarize(histogram: Histogram): LatencySummary {
  const count = histogram.totalCount;
  const at = (p: number) => (count ? round(histogram.getValueAtPercentile(p) / 1000, 2) : null);
  return {
    count,
    p50Ms: at(50),
    p90Ms: at(90),
    p99Ms: at(99),
    p999Ms: at(99.9),
    maxMs: count ? round(histogram.maxValue / 1000, 2) : null,
    meanMs: count ? round(histogram.mean / 1000, 2) : null,
  };
}

/** Percentile of plain values (nearest rank); null for none. */
export function percentile(values: readonly number[], p: number): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? null;
}

export function spread(values: readonly number[]): Spread {
  if (!values.length) return { median: 0, min: 0, max: 0, values: [] };
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  return { median, min: sorted[0] ?? 0, max: sorted[sorted.length - 1] ?? 0, values: [...values] };
}

export function round(value: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
