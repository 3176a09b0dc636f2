// The payment events: the only facts the system records. Every event carries a schemaVersion, so a later
// shape of an event can still read the payloads stored before it.
import { type Static, Type } from 'typebox';

export const UuidSchema = Type.String({ format: 'uuid', maxLength: 36 });
export const MerchantIdSchema = Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', minLength: 1, maxLength: 64 });
export const CurrencyCodeSchema = Type.String({ pattern: '^[A-Z]{3}$', minLength: 3, maxLength: 3 });
/** Integer minor units (paise, yen, fils). Always below 2^53: the maximum amount keeps it so. */
export const MinorUnitsSchema = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });
export const MajorAmountSchema = Type.String({ pattern: '^[0-9]+(\\.[0-9]+)?$', maxLength: 32 });
export const IsoTimeSchema = Type.String({ format: 'date-time', maxLength: 40 });

export const PAYMENT_STATUSES = ['PENDING', 'AUTHORIZED', 'REVIEW', 'APPROVED', 'DECLINED'] as const;
export const PaymentStatusSchema = Type.Union([
  Type.Literal('PENDING'),
  Type.Literal('AUTHORIZED'),
  Type.Literal('REVIEW'),
  Type.Literal('APPROVED'),
  Type.Literal('DECLINED'),
]);
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

export const EventMetadataSchema = Type.Object(
  {
    correlationId: Type.String({ maxLength: 128 }),
    causationId: Type.Optional(Type.String({ maxLength: 128 })),
    /** Who caused it: `merchant:M123`, `analyst:alice`, `authorizer`. */
    actor: Type.String({ maxLength: 128 }),
    traceparent: Type.Optional(Type.String({ maxLength: 128 })),
  },
  { additionalProperties: false },
);
export type EventMetadata = Static<typeof EventMetadataSchema>;

export const PaymentRequestedDataSchema = Type.Object(
  {
    paymentId: UuidSchema,
    merchantId: MerchantIdSchema,
    amountMinor: MinorUnitsSchema,
    currency: CurrencyCodeSchema,
    reference: Type.Union([Type.String({ maxLength: 128 }), Type.Null()]),
  },
  { additionalProperties: false },
);

/** What a rule looked at and concluded; recorded on the decision so history explains itself. */
export const RuleDecisionSchema = Type.Object(
  {
    ruleId: Type.String({ maxLength: 64 }),
    ruleSetVersion: Type.Integer({ minimum: 1 }),
    reason: Type.String({ maxLength: 256 }),
    inputs: Type.Object({
      amountMinor: MinorUnitsSchema,
      currency: CurrencyCodeSchema,
      reviewThresholdMinor: MinorUnitsSchema,
    }),
  },
  { additionalProperties: false },
);
export type RuleDecision = Static<typeof RuleDecisionSchema>;

export const PaymentDecidedDataSchema = Type.Object(
  { paymentId: UuidSchema, decision: RuleDecisionSchema },
  { additionalProperties: false },
);

export const PaymentReviewedDataSchema = Type.Object(
  {
    paymentId: UuidSchema,
    reviewer: Type.String({ maxLength: 128 }),
    reason: Type.Union([Type.String({ maxLength: 500 }), Type.Null()]),
  },
  { additionalProperties: false },
);

/**
 * Why an analyst declined a payment, asked for so that declines can be reported by cause. `unspecified`: the
 * analyst gave none, and every decline recorded before the code existed (PaymentDeclined v1, see upcast.ts).
 */
export const DECLINE_REASON_CODES = ['fraud', 'customer_request', 'other', 'unspecified'] as const;
export const DeclineReasonCodeSchema = Type.Union([
  Type.Literal('fraud'),
  Type.Literal('customer_request'),
  Type.Literal('other'),
  Type.Literal('unspecified'),
]);
export type DeclineReasonCode = (typeof DECLINE_REASON_CODES)[number];

export const PaymentDeclinedDataSchema = Type.Object(
  {
    paymentId: UuidSchema,
    reviewer: Type.String({ maxLength: 128 }),
    reason: Type.Union([Type.String({ maxLength: 500 }), Type.Null()]),
    reasonCode: DeclineReasonCodeSchema,
  },
  { additionalProperties: false },
);

const envelope = <T extends string, D extends ReturnType<typeof Type.Object>, V extends number = 1>(
  type: T,
  data: D,
  schemaVersion: V = 1 as V,
) =>
  Type.Object(
    {
      eventId: UuidSchema,
      type: Type.Literal(type),
      schemaVersion: Type.Literal(schemaVersion),
      streamId: UuidSchema,
      streamVersion: Type.Integer({ minimum: 1 }),
      occurredAt: IsoTimeSchema,
      data,
      metadata: EventMetadataSchema,
      /** The global position, once the event store recorded it (always present on Kafka messages). */
      position: Type.Optional(Type.Integer({ minimum: 1 })),
    },
    { additionalProperties: false },
  );

export const PaymentRequestedSchema = envelope('PaymentRequested', PaymentRequestedDataSchema);
export const PaymentAuthorizedSchema = envelope('PaymentAuthorized', PaymentDecidedDataSchema);
export const PaymentFlaggedForReviewSchema = envelope('PaymentFlaggedForReview', PaymentDecidedDataSchema);
export const PaymentApprovedSchema = envelope('PaymentApproved', PaymentReviewedDataSchema);
export const PaymentDeclinedSchema = envelope('PaymentDeclined', PaymentDeclinedDataSchema, 2);

/**
 * Shapes no longer written but still stored and published: what the upcaster chain (upcast.ts) reads and turns
 * into the current ones. Never changed, never removed while an event of that shape may exist.
 */
export const PaymentDeclinedV1Schema = envelope('PaymentDeclined', PaymentReviewedDataSchema, 1);

/** The current shape of each event type: what deciders write and every reader gets (through upcast.ts). */
export const PaymentEventSchema = Type.Union([
  PaymentRequestedSchema,
  PaymentAuthorizedSchema,
  PaymentFlaggedForReviewSchema,
  PaymentApprovedSchema,
  PaymentDeclinedSchema,
]);
export type PaymentEvent = Static<typeof PaymentEventSchema>;
export type PaymentEventType = PaymentEvent['type'];
export type PaymentRequested = Static<typeof PaymentRequestedSchema>;
export type PaymentAuthorized = Static<typeof PaymentAuthorizedSchema>;
export type PaymentFlaggedForReview = Static<typeof PaymentFlaggedForReviewSchema>;
export type PaymentApproved = Static<typeof PaymentApprovedSchema>;
export type PaymentDeclined = Static<typeof PaymentDeclinedSchema>;
export type PaymentDeclinedV1 = Static<typeof PaymentDeclinedV1Schema>;

/** An event as the store recorded it: with its global position (commit-ordered, see event-store.ts). */
export type RecordedEvent = PaymentEvent & { position: number };

/** An event before the store gives it a version and position: what a decider returns. */
export type NewEvent = { [E in PaymentEvent as E['type']]: Pick<E, 'type' | 'data'> }[PaymentEventType];

export const PAYMENT_EVENT_TYPES: readonly PaymentEventType[] = [
  'PaymentRequested',
  'PaymentAuthorized',
  'PaymentFlaggedForReview',
  'PaymentApproved',
  'PaymentDeclined',
];

/** The version each event type is written in today: the last link of its upcaster chain. */
export const CURRENT_SCHEMA_VERSIONS: { readonly [E in PaymentEvent as E['type']]: E['schemaVersion'] } = {
  PaymentRequested: 1,
  PaymentAuthorized: 1,
  PaymentFlaggedForReview: 1,
  PaymentApproved: 1,
  PaymentDeclined: 2,
};
