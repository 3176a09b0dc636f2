// Builders of a payment's events for tests, with the envelope a store would give them. A payment's life has
// fixed stream versions (requested 1, decided 2, reviewed 3), so each builder is stateless: any history is a
// list of calls, e.g. [requested(), flaggedForReview(), approved()].
import { createHash } from 'node:crypto';
import {
  CURRENT_SCHEMA_VERSIONS,
  type DeclineReasonCode,
  type PaymentApproved,
  type PaymentAuthorized,
  type PaymentDeclined,
  type PaymentEvent,
  type PaymentFlaggedForReview,
  type PaymentRequested,
  type RecordedEvent,
  type RuleDecision,
} from '../events.ts';

export type PaymentDefaults = {
  paymentId?: string;
  merchantId?: string;
  amountMinor?: number;
  currency?: string;
  reference?: string | null;
  /** When the payment was requested; each later event is one second after the one before. */
  requestedAt?: string;
};

/** An event's time and id, when the defaults do not fit. */
export type EventOverrides = { occurredAt?: string; actor?: string };

export const TEST_PAYMENT_ID = '0190a0b0-0000-7000-8000-000000000001';

/** A stable uuid for a payment's event at a version: unique across payments, the same on every run. */
function eventIdOf(paymentId: string, streamVersion: number): string {
  const hex = createHash('sha256').update(`${paymentId}/${streamVersion}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function decisionOf(amountMinor: number, currency: string, flagged: boolean): RuleDecision {
  return {
    ruleId: 'amount-threshold',
    ruleSetVersion: 1,
    reason: flagged ? 'amount at or above the review threshold' : 'amount below the review threshold',
    inputs: { amountMinor, currency, reviewThresholdMinor: 1_000_000 },
  };
}

export function paymentEvents(defaults: PaymentDefaults = {}) {
  const paymentId = defaults.paymentId ?? TEST_PAYMENT_ID;
  const merchantId = defaults.merchantId ?? 'M1';
  const amountMinor = defaults.amountMinor ?? 1_500_000;
  const currency = defaults.currency ?? 'INR';
  const start = Date.parse(defaults.requestedAt ?? '2025-01-01T10:00:00.000Z');
  const envelope = (streamVersion: number, actor: string, overrides: EventOverrides) => ({
    eventId: eventIdOf(paymentId, streamVersion),
    streamId: paymentId,
    streamVersion,
    occurredAt: overrides.occurredAt ?? new Date(start + (streamVersion - 1) * 1000).toISOString(),
    metadata: { correlationId: `corr-${paymentId.slice(-4)}`, actor: overrides.actor ?? actor },
  });
  const review = (reason: string | null, reviewer: string) => ({ paymentId, reviewer, reason });

  return {
    paymentId,
    requested: (data: Partial<PaymentRequested['data']> = {}, overrides: EventOverrides = {}): PaymentRequested => ({
      ...envelope(1, `merchant:${merchantId}`, overrides),
      type: 'PaymentRequested',
      schemaVersion: CURRENT_SCHEMA_VERSIONS.PaymentRequested,
      data: { paymentId, merchantId, amountMinor, currency, reference: defaults.reference ?? null, ...data },
    }),
    authorized: (decision = decisionOf(amountMinor, currency, false), overrides: EventOverrides = {}): PaymentAuthorized => ({
      ...envelope(2, 'authorizer', overrides),
      type: 'PaymentAuthorized',
      schemaVersion: CURRENT_SCHEMA_VERSIONS.PaymentAuthorized,
      data: { paymentId, decision },
    }),
    flaggedForReview: (decision = decisionOf(amountMinor, currency, true), overrides: EventOverrides = {}): PaymentFlaggedForReview => ({
      ...envelope(2, 'authorizer', overrides),
      type: 'PaymentFlaggedForReview',
      schemaVersion: CURRENT_SCHEMA_VERSIONS.PaymentFlaggedForReview,
      data: { paymentId, decision },
    }),
    approved: (reason: string | null = 'known customer', reviewer = 'analyst:bob', overrides: EventOverrides = {}): PaymentApproved => ({
      ...envelope(3, reviewer, overrides),
      type: 'PaymentApproved',
      schemaVersion: CURRENT_SCHEMA_VERSIONS.PaymentApproved,
      data: review(reason, reviewer),
    }),
    declined: (
      reason: string | null = 'stolen card',
      reviewer = 'analyst:bob',
      overrides: EventOverrides & { reasonCode?: DeclineReasonCode } = {},
    ): PaymentDeclined => ({
      ...envelope(3, reviewer, overrides),
      type: 'PaymentDeclined',
      schemaVersion: CURRENT_SCHEMA_VERSIONS.PaymentDeclined,
      data: { ...review(reason, reviewer), reasonCode: overrides.reasonCode ?? 'fraud' },
    }),
  };
}

/** Events as the store records them: global positions in the order given, from `first`. */
export function recorded(events: readonly PaymentEvent[], first = 1): RecordedEvent[] {
  return events.map((event, i) => ({ ...event, position: first + i }));
}
