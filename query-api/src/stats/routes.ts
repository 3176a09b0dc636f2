// Counters and chart series; a merchant's token sees its own figures only.

import { type App, badRequest, errorResponses, principalOf, requireRole } from '@payments/runtime/http';
import type { Pool } from '@payments/runtime/pg';
import { SeriesSchema, StatsSchema } from '@payments/schemas';
import { Type } from 'typebox';
import { parseInstant } from '../instant.ts';
import { loadSeries, loadStats } from './queries.ts';

const MAX_POINTS = 10_000;

export async function statsRoutes(app: App, options: { pool: Pool }) {
  const readers = requireRole('merchant', 'analyst', 'viewer');
  const scope = (p: { role: string; merchantId?: string }) => (p.role === 'merchant' ? (p.merchantId ?? '') : null);

  app.get('/api/stats', { schema: { response: { 200: StatsSchema, ...errorResponses(401) } }, onRequest: readers }, async (request) =>
    loadStats(options.pool, scope(principalOf(request))),
  );

  app.get(
    '/api/stats/series',
    {
      schema: {
        querystring: Type.Object(
          {
            from: Type.Optional(Type.String({ format: 'date-time' })),
            to: Type.Optional(Type.String({ format: 'date-time' })),
            step: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: SeriesSchema, ...errorResponses(400, 401) },
      },
      onRequest: readers,
    },
    async (request) => {
      const to = request.query.to ? parseInstant(request.query.to, 'querystring.to') : new Date();
      const from = request.query.from ? parseInstant(request.query.from, 'querystring.from') : new Date(to.getTime() - 15 * 60_000);
      const stepSeconds = request.query.step ?? 1;
      if (from >= to) throw badRequest('querystring.from must be before to');
      if ((to.getTime() - from.getTime()) / 1000 / stepSeconds > MAX_POINTS)
        throw badRequest(`querystring.step too small: at most ${MAX_POINTS} points`);
      return loadSeries(options.pool, { from, to, stepSeconds, merchantId: scope(principalOf(request)) });
    },
  );
}
