// The query API's aggregate reads (:8081).
import type { Outcome, Stats } from '@payments/schemas';
import { api, unwrap } from '../../../lib/api-client.ts';

export function getStats(signal?: AbortSignal): Promise<Stats> {
  return unwrap<Stats>(api.query.GET('/api/stats', signal ? { signal } : {}));
}

/** GET /api/stats/series: bucket starts in epoch seconds, one count array per outcome (uPlot's shape). */
export interface StatsSeries {
  from: string;
  to: string;
  stepSeconds: number;
  t: number[];
  counts: Record<Outcome, number[]>;
}

export function getStatsSeries(query: { from: string; to: string; step: number }, signal?: AbortSignal): Promise<StatsSeries> {
  return unwrap<StatsSeries>(
    api.query.GET('/api/stats/series', {
      params: { query: { from: query.from, to: query.to, step: query.step } },
      ...(signal ? { signal } : {}),
    }),
  );
}
