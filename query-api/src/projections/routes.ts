// Projection rebuilds: analysts queue one here; the projector carries it out and records progress.

import { type App, conflict, errorResponses, notFound, principalOf, requireRole } from '@payments/runtime/http';
import { type Pool, REBUILD_CHANNEL } from '@payments/runtime/pg';
import { Type } from 'typebox';

const PROJECTIONS = ['payments'];
const RebuildSchema = Type.Object({
  id: Type.Integer(),
  projection: Type.String(),
  status: Type.String(),
  requestedBy: Type.String(),
  eventsDone: Type.Integer(),
  eventsTotal: Type.Integer(),
  eventsPerSecond: Type.Number(),
  error: Type.Union([Type.String(), Type.Null()]),
  requestedAt: Type.String(),
  startedAt: Type.Union([Type.String(), Type.Null()]),
  finishedAt: Type.Union([Type.String(), Type.Null()]),
});

type Row = {
  id: number;
  projection: string;
  status: string;
  requested_by: string;
  events_done: number;
  events_total: number;
  events_per_second: string;
  error: string | null;
  requested_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
};
const toRebuild = (r: Row) => ({
  id: r.id,
  projection: r.projection,
  status: r.status,
  requestedBy: r.requested_by,
  eventsDone: r.events_done,
  eventsTotal: r.events_total,
  eventsPerSecond: Number(r.events_per_second),
  error: r.error,
  requestedAt: r.requested_at.toISOString(),
  startedAt: r.started_at?.toISOString() ?? null,
  finishedAt: r.finished_at?.toISOString() ?? null,
});

export async function projectionRoutes(app: App, options: { pool: Pool }) {
  const Name = Type.Object({ name: Type.String({ maxLength: 64 }) });
  const known = (name: string) => {
    // the name comes from the URL: never echoed back
    if (!PROJECTIONS.includes(name)) throw notFound('no such projection');
  };

  app.post(
    '/api/projections/:name/rebuild',
    {
      schema: { params: Name, response: { 202: RebuildSchema, ...errorResponses(400, 401, 403, 404, 409) } },
      onRequest: requireRole('analyst'),
    },
    async (request, reply) => {
      known(request.params.name);
      const { rows } = await options.pool
        .query<Row>(`insert into projection.rebuilds (projection, requested_by) values ($1, $2) returning *`, [
          request.params.name,
          principalOf(request).sub,
        ])
        .catch((error: { code?: string }) => {
          if (error.code === '23505')
            throw conflict(`a rebuild of ${request.params.name} is already queued or running`, 'rebuild_in_progress');
          throw error;
        });
      await options.pool.query(`select pg_notify('${REBUILD_CHANNEL}', '')`);
      const rebuild = toRebuild(rows[0] as Row);
      return reply.status(202).header('location', `/api/projections/${rebuild.projection}/rebuilds/${rebuild.id}`).send(rebuild);
    },
  );

  app.get(
    '/api/projections/:name/rebuilds/:id',
    {
      schema: {
        // bounded: a 20-digit id passed the integer check and overflowed PostgreSQL's bigint (a 500)
        params: Type.Object({ name: Type.String({ maxLength: 64 }), id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) }),
        response: { 200: RebuildSchema, ...errorResponses(400, 401, 403, 404) },
      },
      onRequest: requireRole('analyst', 'viewer'),
    },
    async (request) => {
      known(request.params.name);
      const { rows } = await options.pool.query<Row>('select * from projection.rebuilds where projection = $1 and id = $2', [
        request.params.name,
        request.params.id,
      ]);
      if (!rows[0]) throw notFound(`no rebuild ${request.params.id}`);
      return toRebuild(rows[0]);
    },
  );

  app.get(
    '/api/projections/:name',
    {
      schema: {
        params: Name,
        response: {
          200: Type.Object({ name: Type.String(), lastRebuild: Type.Union([RebuildSchema, Type.Null()]) }),
          ...errorResponses(400, 401, 403, 404),
        },
      },
      onRequest: requireRole('analyst', 'viewer'),
    },
    async (request) => {
      known(request.params.name);
      const { rows } = await options.pool.query<Row>('select * from projection.rebuilds where projection = $1 order by id desc limit 1', [
        request.params.name,
      ]);
      return { name: request.params.name, lastRebuild: rows[0] ? toRebuild(rows[0]) : null };
    },
  );
}
