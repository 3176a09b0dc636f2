// The history for analysts as NDJSON, streamed from a server-side cursor inside one snapshot: memory stays
// flat however long the history, and a slow reader slows only its own cursor (stream backpressure).
import { Readable } from 'node:stream';
import { type App, badRequest, errorResponses, requireRole } from '@payments/runtime/http';
import { type Pool, toRecordedEvent } from '@payments/runtime/pg';
import { PAYMENT_EVENT_TYPES, type PaymentEventType } from '@payments/schemas';
import { Type } from 'typebox';
import { parseInstant } from '../instant.ts';

const PAGE = 1000;

/** One line of the history: a stored event in its current shape (toRecordedEvent, through the upcaster chain). */
const HistoryLineSchema = Type.Object({
  position: Type.Integer(),
  eventId: Type.String(),
  streamId: Type.String(),
  streamVersion: Type.Integer(),
  type: Type.String(),
  schemaVersion: Type.Integer(),
  occurredAt: Type.String(),
  data: Type.Unknown(),
  metadata: Type.Unknown(),
});

export async function eventHistoryRoutes(app: App, options: { pool: Pool }) {
  app.get(
    '/api/events',
    {
      schema: {
        querystring: Type.Object(
          {
            from: Type.Optional(Type.String({ format: 'date-time' })),
            to: Type.Optional(Type.String({ format: 'date-time' })),
            type: Type.Optional(Type.String({ maxLength: 64 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: {
            description: 'One stored event per line, in position order',
            content: { 'application/x-ndjson': { schema: HistoryLineSchema } },
          },
          ...errorResponses(400, 401, 403),
        },
      },
      onRequest: requireRole('analyst'),
    },
    async (request, reply) => {
      const { type } = request.query;
      const from = request.query.from === undefined ? null : parseInstant(request.query.from, 'querystring.from');
      const to = request.query.to === undefined ? null : parseInstant(request.query.to, 'querystring.to');
      if (type !== undefined && !PAYMENT_EVENT_TYPES.includes(type as PaymentEventType)) {
        throw badRequest(`querystring.type must be one of ${PAYMENT_EVENT_TYPES.join(', ')}`);
      }
      const client = await options.pool.connect();
      let released = false;
      const release = async () => {
        if (released) return;
        released = true;
        await client.query('rollback').catch(() => {});
        client.release();
      };
      // a failure before the stream owns the client must release it too: a leaked client is never returned,
      // and the pool (and the service's shutdown, which waits for it) runs dry
      try {
        await client.query('begin isolation level repeatable read read only');
        await client.query(
          `declare history no scroll cursor for
           select position, event_id, stream_id, stream_version, type, schema_version, data, metadata, occurred_at
             from es.events
            where ($1::timestamptz is null or occurred_at >= $1) and ($2::timestamptz is null or occurred_at < $2)
              and ($3::text is null or type = $3)
            order by position`,
          [from, to, type ?? null],
        );
      } catch (error) {
        await release();
        throw error;
      }
      async function* lines() {
        try {
          for (;;) {
            const { rows } = await client.query(`fetch ${PAGE} from history`);
            if (rows.length === 0) return;
            yield `${rows.map((r) => JSON.stringify(toRecordedEvent(r))).join('\n')}\n`;
          }
        } finally {
          await release();
        }
      }
      const body = Readable.from(lines(), { objectMode: false, highWaterMark: 1 });
      reply.raw.on('close', () => body.destroy());
      // the 200's schema describes each line; the body itself is a stream, sent unserialized
      return reply.type('application/x-ndjson').send(body as never);
    },
  );
}
