// Projection rebuilds on the query API (:8081), analysts only.
import { config } from '../../../config/env.ts';
import { apiRequest } from '../../../lib/api-client.ts';

export interface RebuildProgress {
  id: string;
  status: string;
  eventsDone?: number;
  eventsTotal?: number;
  eventsPerSecond?: number;
}

export function startRebuild(projection = 'payments'): Promise<RebuildProgress> {
  return apiRequest<RebuildProgress>(config.queryApiUrl, `/api/projections/${projection}/rebuild`, { method: 'POST', body: {} });
}

export function getRebuild(id: string, projection = 'payments'): Promise<RebuildProgress> {
  return apiRequest<RebuildProgress>(config.queryApiUrl, `/api/projections/${projection}/rebuilds/${encodeURIComponent(id)}`);
}
