// The query API's aggregate reads (:8081).
import type { Outcome, Stats } from '@payments/schemas';
import { config } from '../../../config/env.ts';
import { apiRequest } from '../../../lib/api-client.ts';

export function getStats(signal?: AbortSignal): Promise<Stats> {
  return apiRequest<Stats>(config.queryApiUrl, '/api/stats', signal ? { signal } : {});
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
  return apiRequest<StatsSeries>(config.queryApiUrl, '/api/stats/series', {
    query: { from: query.from, to: query.to, step: query.step },
    ...(signal ? { signal } : {}),
  });
}
