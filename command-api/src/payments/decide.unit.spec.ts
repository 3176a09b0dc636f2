// Specifications of the payment decider: given the payment's past events, when a command, then these new
// events or this domain error. State is always built by folding events, never written by hand.
import {
  foldPayment,
  type PaymentApproved,
  type PaymentAuthorized,
  type PaymentDeclined,
  type PaymentEvent,
  type PaymentFlaggedForReview,
  type PaymentRequested,
  type PaymentState,
  type RuleDecision,
} from '@payments/schemas';
import { describe, expect, it } from 'vitest';
import {
  type ApprovePayment,
  approvePayment,
  type DeclinePayment,
  decide,
  declinePayment,
  type PaymentCommand,
  PaymentDomainError,
  type RequestPayment,
  requestPayment,
} from './decide.ts';

const paymentId = '0190a0b0-0000-7000-8000-000000000001';
const metadata = { correlationId: 'corr-1', actor: 'merchant:M1' };

// ---- past events -------------------------------------------------------------------------------------

const requested = (): PaymentRequested => ({
  eventId: '0190a0b0-0000-7000-8000-0000000000e1',
  type: 'PaymentRequested',
  schemaVersion: 1,
  streamId: paymentId,
  streamVersion: 1,
  occurredAt: '2025-01-01T10:00:00.000Z',
  data: { paymentId, merchantId: 'M1', amountMinor: 1_500_000, currency: 'INR', reference: 'order-42' },
  metadata,
});

const decision: RuleDecision = {
  ruleId: 'amount-threshold',
  ruleSetVersion: 1,
  reason: 'amount at or above the review threshold',
  inputs: { amountMinor: 1_500_000, currency: 'INR', reviewThresholdMinor: 1_000_000 },
};

const authorized = (): PaymentAuthorized => ({
  ...requested(),
  eventId: '0190a0b0-0000-7000-8000-0000000000e2',
  type: 'PaymentAuthorized',
  streamVersion: 2,
  occurredAt: '2025-01-01T10:00:01.000Z',
  data: { paymentId, decision },
  metadata: { ...metadata, actor: 'authorizer' },
});

const flaggedForReview = (): PaymentFlaggedForReview => ({ ...authorized(), type: 'PaymentFlaggedForReview' });

const approved = (): PaymentApproved => ({
  ...requested(),
  eventId: '0190a0b0-0000-7000-8000-0000000000e3',
  type: 'PaymentApproved',
  streamVersion: 3,
  occurredAt: '2025-01-01T11:00:00.000Z',
  data: { paymentId, reviewer: 'analyst:bob', reason: 'known customer' },
  metadata: { ...metadata, actor: 'analyst:bob' },
});

const declined = (): PaymentDeclined => ({ ...approved(), type: 'PaymentDeclined' });

/** The state after these past events. */
const given = (...past: PaymentEvent[]): PaymentState => foldPayment(past);

// ---- commands ----------------------------------------------------------------------------------------

const requestCommand: RequestPayment = {
  type: 'RequestPayment',
  data: { paymentId, merchantId: 'M1', amountMinor: 500_000, currency: 'INR', reference: null },
};
const approveCommand: ApprovePayment = {
  type: 'ApprovePayment',
  data: { paymentId, reviewer: 'analyst:alice', reason: 'documents checked' },
};
const declineCommand: DeclinePayment = {
  type: 'DeclinePayment',
  data: { paymentId, reviewer: 'analyst:alice', reason: null },
};

/** The domain error a command is refused with; fails the test when the command is accepted. */
function refusal(command: PaymentCommand, state: PaymentState): PaymentDomainError {
  try {
    decide(command, state);
  } catch (error) {
    if (error instanceof PaymentDomainError) return error;
    throw error;
  }
  throw new Error(`expected ${command.type} to be refused`);
}

// ---- specifications ----------------------------------------------------------------------------------

describe('RequestPayment', () => {
  it('on a new stream records PaymentRequested with the command data', () => {
    expect(decide(requestCommand, given())).toEqual([{ type: 'PaymentRequested', data: requestCommand.data }]);
  });

  it('carries the merchant reference when one is given', () => {
    const command: RequestPayment = { ...requestCommand, data: { ...requestCommand.data, reference: 'order-7' } };
    expect(decide(command, given())).toEqual([{ type: 'PaymentRequested', data: command.data }]);
  });

  it.each([
    ['PENDING', [requested()]],
    ['AUTHORIZED', [requested(), authorized()]],
    ['REVIEW', [requested(), flaggedForReview()]],
    ['APPROVED', [requested(), flaggedForReview(), approved()]],
    ['DECLINED', [requested(), flaggedForReview(), declined()]],
  ])('on an existing %s payment is refused with payment_exists', (_status, past) => {
    const error = refusal(requestCommand, given(...past));
    expect(error.code).toBe('payment_exists');
    expect(error.message).toContain(paymentId);
  });
});

describe('ApprovePayment', () => {
  it('from REVIEW records PaymentApproved with the reviewer and reason', () => {
    expect(decide(approveCommand, given(requested(), flaggedForReview()))).toEqual([
      { type: 'PaymentApproved', data: { paymentId, reviewer: 'analyst:alice', reason: 'documents checked' } },
    ]);
  });

  it('from REVIEW carries a null reason as null', () => {
    const command: ApprovePayment = { ...approveCommand, data: { ...approveCommand.data, reason: null } };
    expect(decide(command, given(requested(), flaggedForReview()))).toEqual([
      { type: 'PaymentApproved', data: { paymentId, reviewer: 'analyst:alice', reason: null } },
    ]);
  });

  it('of a payment that was never requested is refused with payment_not_found', () => {
    expect(refusal(approveCommand, given()).code).toBe('payment_not_found');
  });

  it.each([
    ['PENDING', [requested()]],
    ['AUTHORIZED', [requested(), authorized()]],
    ['APPROVED', [requested(), flaggedForReview(), approved()]],
    ['DECLINED', [requested(), flaggedForReview(), declined()]],
  ])('of a %s payment is refused with not_in_review', (status, past) => {
    const error = refusal(approveCommand, given(...past));
    expect(error.code).toBe('not_in_review');
    expect(error.message).toContain(`is ${status}, not REVIEW`);
  });
});

describe('DeclinePayment', () => {
  it('from REVIEW records PaymentDeclined with the reviewer and reason', () => {
    const command: DeclinePayment = { ...declineCommand, data: { ...declineCommand.data, reason: 'stolen card' } };
    expect(decide(command, given(requested(), flaggedForReview()))).toEqual([
      { type: 'PaymentDeclined', data: { paymentId, reviewer: 'analyst:alice', reason: 'stolen card' } },
    ]);
  });

  it('from REVIEW carries a null reason as null', () => {
    expect(decide(declineCommand, given(requested(), flaggedForReview()))).toEqual([
      { type: 'PaymentDeclined', data: { paymentId, reviewer: 'analyst:alice', reason: null } },
    ]);
  });

  it('of a payment that was never requested is refused with payment_not_found', () => {
    expect(refusal(declineCommand, given()).code).toBe('payment_not_found');
  });

  it.each([
    ['PENDING', [requested()]],
    ['AUTHORIZED', [requested(), authorized()]],
    ['APPROVED', [requested(), flaggedForReview(), approved()]],
    ['DECLINED', [requested(), flaggedForReview(), declined()]],
  ])('of a %s payment is refused with not_in_review', (status, past) => {
    const error = refusal(declineCommand, given(...past));
    expect(error.code).toBe('not_in_review');
    expect(error.message).toContain(`is ${status}, not REVIEW`);
  });
});

describe('decide', () => {
  it('routes each command to its own decider', () => {
    const inReview = given(requested(), flaggedForReview());
    expect(decide(requestCommand, given())).toEqual(requestPayment(requestCommand, given()));
    expect(decide(approveCommand, inReview)).toEqual(approvePayment(approveCommand, inReview));
    expect(decide(declineCommand, inReview)).toEqual(declinePayment(declineCommand, inReview));
  });

  it('throws on a command type it does not know, rather than returning nothing', () => {
    const unknown = { type: 'RefundPayment', data: { paymentId } } as unknown as PaymentCommand;
    expect(() => decide(unknown, given())).toThrow(/unknown command/);
  });

  it('does not change the state it decided on', () => {
    const state = given(requested(), flaggedForReview());
    const snapshot = structuredClone(state);
    decide(approveCommand, state);
    expect(state).toEqual(snapshot);
  });
});
