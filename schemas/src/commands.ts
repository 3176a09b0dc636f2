// Request bodies and responses of the command API (:8080).
import { type Static, Type } from 'typebox';
import { CurrencyCodeSchema, DeclineReasonCodeSchema, MerchantIdSchema, PaymentStatusSchema, UuidSchema } from './events.ts';

/**
 * Free text a client sends (a payment's reference, a review reason): no control characters (C0, DEL, C1: NUL
 * cannot be stored in jsonb and fails the whole group-commit batch with a 500; CR LF and ANSI escapes inject
 * into logs and terminals), no lone surrogates (PostgreSQL rejects them in jsonb: another 500), and no
 * bidirectional overrides or isolates (U+202A-U+202E, U+2066-U+2069: they make "exe.gpj" read as "jpg.exe" on
 * an analyst's screen). Emoji, combining marks and right-to-left scripts are fine. TypeBox compiles patterns
 * with the `u` flag, so \p{Cs} matches only a surrogate that is not half of a pair.
 */
const PLAIN_TEXT = '^[^\\p{Cc}\\p{Cs}\\u202A-\\u202E\\u2066-\\u2069]*$';

export const RequestPaymentBodySchema = Type.Object(
  {
    merchantId: MerchantIdSchema,
    /** Major units as a JSON number or decimal string; converted exactly by money.ts. */
    amount: Type.Union([Type.Number(), Type.String({ minLength: 1, maxLength: 32 })]),
    currency: CurrencyCodeSchema,
    reference: Type.Optional(Type.String({ minLength: 1, maxLength: 128, pattern: PLAIN_TEXT })),
  },
  { additionalProperties: false },
);
export type RequestPaymentBody = Static<typeof RequestPaymentBodySchema>;

export const PaymentAcceptedSchema = Type.Object({
  paymentId: UuidSchema,
  status: PaymentStatusSchema,
  merchantId: MerchantIdSchema,
  amount: Type.String(),
  amountMinor: Type.Integer(),
  currency: CurrencyCodeSchema,
  reference: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  /**
   * Position of the event written: pass it as `minPosition` to the query API to read your write. A merchant is
   * shown it permuted (runtime/src/merchant-positions.ts), so it tells nothing of other merchants' traffic.
   */
  position: Type.Integer(),
});
export type PaymentAccepted = Static<typeof PaymentAcceptedSchema>;

export const ReviewBodySchema = Type.Object(
  { reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500, pattern: PLAIN_TEXT })) },
  { additionalProperties: false },
);
export type ReviewBody = Static<typeof ReviewBodySchema>;

/** A decline may say why in a code analysts report on (`unspecified` when left out), beside the free-text reason. */
export const DeclineBodySchema = Type.Object(
  {
    reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500, pattern: PLAIN_TEXT })),
    reasonCode: Type.Optional(DeclineReasonCodeSchema),
  },
  { additionalProperties: false },
);
export type DeclineBody = Static<typeof DeclineBodySchema>;

export const ReviewResultSchema = Type.Object({
  paymentId: UuidSchema,
  status: PaymentStatusSchema,
  position: Type.Integer(),
});

export const TokenRequestSchema = Type.Object(
  { clientId: Type.String({ minLength: 1, maxLength: 128 }), clientSecret: Type.String({ minLength: 1, maxLength: 256 }) },
  { additionalProperties: false },
);
export type TokenRequest = Static<typeof TokenRequestSchema>;

export const TokenResponseSchema = Type.Object({
  accessToken: Type.String(),
  tokenType: Type.Literal('Bearer'),
  expiresIn: Type.Integer(),
  role: Type.String(),
  merchantId: Type.Optional(Type.String()),
});
export type TokenResponse = Static<typeof TokenResponseSchema>;

export const ErrorResponseSchema = Type.Object({ error: Type.String(), message: Type.String() });
export type ErrorResponse = Static<typeof ErrorResponseSchema>;

export const ROLES = ['merchant', 'analyst', 'viewer'] as const;
export type Role = (typeof ROLES)[number];
