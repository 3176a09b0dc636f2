// HTTP for payment commands: validate → (claim idempotency key) → load → decide → append → reply. New
// payments share transactions through group commit (group-commit.ts); reviews take one each. Either way the
// event, its outbox row and the stored response commit together.

import type { Principal } from '@payments/runtime/auth';
import {
  type App,
  badRequest,
  conflict,
  errorResponses,
  forbidden,
  HttpError,
  jsonNumberText,
  notFound,
  principalOf,
  requireRole,
  withHeaders,
} from '@payments/runtime/http';
import { uuidv7 } from '@payments/runtime/ids';
import { ConcurrencyError, type EventStore, type Pool, type PoolClient, withTransaction } from '@payments/runtime/pg';
import {
  type DeclineBody,
  DeclineBodySchema,
  foldPayment,
  initialPaymentState,
  type NewEvent,
  type PaymentAccepted,
  PaymentAcceptedSchema,
  type PaymentState,
  parseAmount,
  RequestPaymentBodySchema,
  ReviewBodySchema,
  ReviewResultSchema,
} from '@payments/schemas';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { decide, type PaymentCommand, PaymentDomainError } from './decide.ts';
import { GroupCommitter } from './group-commit.ts';
import { claimKeys, IDEMPOTENCY_KEY_PATTERN, type KeyClaim, rememberResponses, requestHash } from './idempotency.ts';

export type PaymentRoutesOptions = {
  pool: Pool;
  eventStore: EventStore;
  idempotencyTtlSeconds: number;
  groupCommitConcurrency?: number;
  groupCommitLingerMs?: number;
  /** Called after a commit that appended events: wakes the outbox relay. */
  onAppended: () => void;
  queryApiUrl: string;
  rateLimit: { max: number; timeWindow: number };
};

// (a 429 with Retry-After is documented for rate-limited routes by the base app: runtime/src/http/openapi.ts)
const errors = errorResponses(400, 401, 403, 404, 409, 422);
const PaymentIdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      description:
        'Makes the command safe to retry: the same key with the same request gives the stored response (with Idempotent-Replayed: true); with another request, a 422.',
    }),
  ),
});
const IDEMPOTENT_REPLAYED = {
  type: 'string',
  enum: ['true'],
  description: 'Present when this is the stored response of an earlier request with the same Idempotency-Key.',
} as const;

type Outcome = { status: number; body: unknown };

/** Approve and decline share one key space: a key used to approve a payment cannot then decline it. */
const REVIEW_KEYS = 'POST /api/payments/:id/review';

function idempotencyClaim(request: FastifyRequest, scope: string, endpoint: string, params: Record<string, string> = {}): KeyClaim | null {
  const header = request.headers['idempotency-key'];
  if (header === undefined) return null;
  if (typeof header !== 'string' || !IDEMPOTENCY_KEY_PATTERN.test(header)) {
    throw badRequest('Idempotency-Key header must be 1 to 255 visible ASCII characters');
  }
  const route = `${request.method} ${request.routeOptions.url}`;
  return { scope, endpoint, key: header, requestHash: requestHash(route, params, request.body) };
}

function toHttp(error: unknown): unknown {
  if (error instanceof PaymentDomainError) {
    if (error.code === 'payment_not_found') return notFound(error.message);
    return conflict(error.message, error.code);
  }
  if (error instanceof ConcurrencyError) return conflict('the payment changed concurrently; reload and retry', 'concurrency_conflict');
  return error;
}

export async function paymentRoutes(app: App, options: PaymentRoutesOptions): Promise<void> {
  const { pool, eventStore } = options;
  const committer = new GroupCommitter(pool, eventStore, {
    ttlSeconds: options.idempotencyTtlSeconds,
    maxConcurrent: options.groupCommitConcurrency,
    lingerMs: options.groupCommitLingerMs,
    onAppended: options.onAppended,
  });

  /** Runs a command in one transaction, behind the idempotency key when the request carries one. */
  async function execute(
    request: FastifyRequest,
    reply: FastifyReply,
    scope: string,
    endpoint: string,
    params: Record<string, string>,
    work: (client: PoolClient) => Promise<Outcome>,
  ) {
    const claim = idempotencyClaim(request, scope, endpoint, params);
    const outcome = await withTransaction(pool, async (client) => {
      if (claim) {
        const [outcome] = await claimKeys(client, [claim]);
        if (outcome instanceof HttpError) throw outcome;
        if (outcome && outcome !== 'fresh') return { ...outcome, replayed: true };
      }
      const fresh = await work(client);
      if (claim) await rememberResponses(client, [{ claim, response: fresh }], options.idempotencyTtlSeconds);
      return { ...fresh, replayed: false };
    }).catch((error: unknown) => {
      throw toHttp(error);
    });
    if (outcome.replayed) reply.header('idempotent-replayed', 'true');
    else options.onAppended();
    return outcome;
  }

  app.post(
    '/api/payments',
    {
      schema: {
        body: RequestPaymentBodySchema,
        headers: IdempotencyHeaders,
        response: {
          202: withHeaders(PaymentAcceptedSchema, {
            'Idempotent-Replayed': IDEMPOTENT_REPLAYED,
            Location: { type: 'string', description: 'The payment on the query API; read it with `?minPosition=<position>`.' },
          }),
          ...errors,
        },
      },
      onRequest: requireRole('merchant'),
      config: { rateLimit: options.rateLimit },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const body = request.body;
      if (body.merchantId !== principal.merchantId) throw forbidden(`this token may not act for merchant ${body.merchantId}`);
      // a JSON number is validated as the text the client wrote, not as the double it parsed to
      const amountText = typeof body.amount === 'number' ? (jsonNumberText(body, 'amount') ?? body.amount) : body.amount;
      const amount = parseAmount(amountText, body.currency);
      if (!amount.ok) throw badRequest(`body.amount: ${amount.reason}`, 'invalid_amount');
      const now = new Date();
      const paymentId = uuidv7(now.getTime());
      const command: PaymentCommand = {
        type: 'RequestPayment',
        data: {
          paymentId,
          merchantId: body.merchantId,
          amountMinor: Number(amount.minor),
          currency: body.currency,
          reference: body.reference ?? null,
        },
      };
      const outcome = await committer.write({
        claim: idempotencyClaim(request, body.merchantId, 'POST /api/payments'),
        append: {
          streamId: paymentId,
          expectedVersion: 0,
          events: decide(command, initialPaymentState()),
          metadata: metadataOf(request, principal),
          occurredAt: now,
        },
        response: {
          status: 202,
          body: {
            paymentId,
            status: 'PENDING',
            merchantId: body.merchantId,
            amount: amount.major,
            amountMinor: Number(amount.minor),
            currency: body.currency,
            reference: body.reference ?? null,
            createdAt: now.toISOString(),
          } satisfies Omit<PaymentAccepted, 'position'>,
        },
      });
      if (outcome.replayed) reply.header('idempotent-replayed', 'true');
      const accepted = outcome.body as PaymentAccepted;
      return reply
        .status(outcome.status as 202)
        .header('location', `${options.queryApiUrl}/api/payments/${accepted.paymentId}`)
        .send({ ...accepted, position: app.merchantPositions.shown(principal, accepted.position) });
    },
  );

  for (const action of ['approve', 'decline'] as const) {
    app.post(
      `/api/payments/:id/${action}`,
      {
        schema: {
          params: PaymentIdParams,
          headers: IdempotencyHeaders,
          body: action === 'approve' ? ReviewBodySchema : DeclineBodySchema,
          response: { 200: withHeaders(ReviewResultSchema, { 'Idempotent-Replayed': IDEMPOTENT_REPLAYED }), ...errors },
        },
        onRequest: requireRole('analyst'),
        // the body is optional: no body (or an empty one) is a review without a reason
        preValidation: async (request) => {
          request.body ??= {};
        },
      },
      async (request, reply) => {
        const principal = principalOf(request);
        const paymentId = request.params.id.toLowerCase();
        const body: DeclineBody = request.body ?? {};
        const reason = body.reason ?? null;
        const outcome = await execute(request, reply, principal.sub, REVIEW_KEYS, { id: paymentId }, async (client) => {
          const history = await eventStore.readStream(client, paymentId);
          const state: PaymentState = foldPayment(history);
          const data = { paymentId, reviewer: principal.sub, reason };
          const command: PaymentCommand =
            action === 'approve'
              ? { type: 'ApprovePayment', data }
              : { type: 'DeclinePayment', data: { ...data, reasonCode: body.reasonCode ?? 'unspecified' } };
          const events: NewEvent[] = decide(command, state);
          const [event] = await eventStore.append(client, {
            streamId: paymentId,
            expectedVersion: state.status === 'NONE' ? 0 : state.version,
            events,
            metadata: metadataOf(request, principal),
            occurredAt: new Date(),
          });
          return {
            status: 200,
            body: { paymentId, status: action === 'approve' ? 'APPROVED' : 'DECLINED', position: event?.position ?? 0 },
          };
        });
        return reply
          .status(outcome.status as 200)
          .send(outcome.body as { paymentId: string; status: 'APPROVED' | 'DECLINED'; position: number });
      },
    );
  }
}

function metadataOf(request: FastifyRequest, principal: Principal) {
  const traceparent = request.headers.traceparent;
  return {
    correlationId: request.id,
    actor: principal.role === 'merchant' ? `merchant:${principal.merchantId}` : `${principal.role}:${principal.sub}`,
    ...(typeof traceparent === 'string' && traceparent.length <= 128 ? { traceparent } : {}),
  };
}
