// Payment reads. A merchant sees only its own payments: another merchant's payment is a 404, exactly like
// one that does not exist, so ids cannot be probed (OWASP API1).

import type { Principal } from '@payments/runtime/auth';
import { type App, badRequest, errorResponses, forbidden, notFound, principalOf, requireRole, withHeaders } from '@payments/runtime/http';
import type { EventStore, Pool } from '@payments/runtime/pg';
import type { MerchantPositions } from '@payments/runtime/positions';
import { foldPayment, MerchantIdSchema, PaymentPageSchema, PaymentStatusSchema, PaymentViewSchema, toPaymentView } from '@payments/schemas';
import { Type } from 'typebox';
import { commandPosition, waitForPosition } from '../consistency.ts';
import { parseInstant } from '../instant.ts';
import type { FeedTail } from '../stream/feed-tail.ts';
import { decodeCursor, getPayment, listPayments } from './queries.ts';

const errors = errorResponses(400, 401, 403, 404);
/** What waitForPosition (consistency.ts) says when minPosition was not reached in time. */
const READ_CONSISTENCY = {
  'X-Read-Consistency': {
    type: 'string',
    enum: ['stale'],
    description: 'Present when the read side had not reached minPosition in time: the answer may not include that write yet.',
  },
} as const;
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
// bounded: a 20-digit position passed the integer check and overflowed PostgreSQL's bigint (a 500)
const MinPosition = Type.Optional(
  Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'wait until the read side reflects this command position' }),
);

export const EventItemSchema = Type.Object({
  position: Type.Integer(),
  eventId: Type.String(),
  type: Type.String(),
  streamVersion: Type.Integer(),
  occurredAt: Type.String(),
  data: Type.Unknown(),
  metadata: Type.Unknown(),
});

const canSee = (principal: Principal, merchantId: string) => principal.role !== 'merchant' || principal.merchantId === merchantId;

export async function paymentReadRoutes(
  app: App,
  options: { pool: Pool; eventStore: EventStore; tail: FeedTail; merchantPositions: MerchantPositions; minPositionMaxWaitMs: number },
) {
  const { pool, eventStore, tail, merchantPositions } = options;
  const readers = requireRole('merchant', 'analyst', 'viewer');

  app.get(
    '/api/payments',
    {
      schema: {
        querystring: Type.Object(
          {
            status: Type.Optional(PaymentStatusSchema),
            // the ids merchants have: a NUL here reached PostgreSQL as text and failed the query (a 500)
            merchantId: Type.Optional(MerchantIdSchema),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
            cursor: Type.Optional(Type.String({ maxLength: 200 })),
            minPosition: MinPosition,
          },
          { additionalProperties: false },
        ),
        response: { 200: withHeaders(PaymentPageSchema, READ_CONSISTENCY), ...errors },
      },
      onRequest: readers,
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const q = request.query;
      if (principal.role === 'merchant' && q.merchantId !== undefined && q.merchantId !== principal.merchantId) {
        throw forbidden('a merchant may list only its own payments');
      }
      const cursor = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
      if (cursor === null) throw badRequest('querystring.cursor is not a cursor this API returned');
      await waitForPosition(pool, tail, commandPosition(merchantPositions, principal, q.minPosition), options.minPositionMaxWaitMs, reply);
      return listPayments(pool, {
        ...(q.status ? { status: q.status } : {}),
        ...(principal.role === 'merchant' ? { merchantId: principal.merchantId } : q.merchantId ? { merchantId: q.merchantId } : {}),
        limit: q.limit ?? 50,
        ...(cursor ? { cursor } : {}),
      });
    },
  );

  app.get(
    '/api/payments/:id',
    {
      schema: {
        params: IdParams,
        querystring: Type.Object(
          { asOf: Type.Optional(Type.String({ format: 'date-time' })), minPosition: MinPosition },
          { additionalProperties: false },
        ),
        response: { 200: withHeaders(PaymentViewSchema, READ_CONSISTENCY), ...errors },
      },
      onRequest: readers,
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const id = request.params.id.toLowerCase();
      if (request.query.asOf !== undefined) {
        // as it stood then: fold the event store up to that time
        const asOf = parseInstant(request.query.asOf, 'querystring.asOf');
        const state = foldPayment(await eventStore.readStream(pool, id, { asOf }));
        if (state.status === 'NONE' || !canSee(principal, state.merchantId))
          throw notFound(`payment ${id} not found at ${request.query.asOf}`);
        return toPaymentView(state);
      }
      const minPosition = commandPosition(merchantPositions, principal, request.query.minPosition);
      await waitForPosition(pool, tail, minPosition, options.minPositionMaxWaitMs, reply);
      const payment = await getPayment(pool, id);
      if (!payment || !canSee(principal, payment.merchantId)) throw notFound(`payment ${id} not found`);
      return payment;
    },
  );

  app.get(
    '/api/payments/:id/events',
    {
      schema: { params: IdParams, response: { 200: Type.Object({ items: Type.Array(EventItemSchema) }), ...errors } },
      onRequest: readers,
    },
    async (request) => {
      const principal = principalOf(request);
      const id = request.params.id.toLowerCase();
      const events = await eventStore.readStream(pool, id);
      const first = events[0];
      if (first?.type !== 'PaymentRequested' || !canSee(principal, first.data.merchantId)) throw notFound(`payment ${id} not found`);
      return {
        items: events.map((e) => ({
          // a merchant is shown its positions permuted: they count everyone's events
          position: merchantPositions.shown(principal, e.position),
          eventId: e.eventId,
          type: e.type,
          streamVersion: e.streamVersion,
          occurredAt: e.occurredAt,
          data: e.data,
          metadata: e.metadata,
        })),
      };
    },
  );
}
