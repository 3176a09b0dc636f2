// Projection rebuilds on the query API (:8081), analysts only.
import { config } from '../../../config/env.ts';
import { apiRequest } from '../../../lib/api-client.ts';

export interface RebuildProgress {
  id: string | number;
  /** requested → running → done | failed */
  status: string;
  eventsDone?: number;
  eventsTotal?: number;
  eventsPerSecond?: number;
  error?: string | null;
}

export function startRebuild(projection = 'payments'): Promise<RebuildProgress> {
  return apiRequest<RebuildProgress>(config.queryApiUrl, `/api/projections/${projection}/rebuild`, { method: 'POST', body: {} });
}

export function getRebuild(id: string | number, projection = 'payments'): Promise<RebuildProgress> {
  return apiRequest<RebuildProgress>(config.queryApiUrl, `/api/projections/${projection}/rebuilds/${encodeURIComponent(String(id))}`);
}

/** The projection and its latest rebuild (running or not), so a console opened mid-rebuild can follow it. */
export function getProjection(projection = 'payments'): Promise<{ name: string; lastRebuild: RebuildProgress | null }> {
  return apiRequest(config.queryApiUrl, `/api/projections/${projection}`);
}
