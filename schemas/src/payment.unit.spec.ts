// Specifications of the payment aggregate's evolve: what state each event leads to, folded from history.
import { describe, expect, it } from 'vitest';
import type { PaymentEvent, PaymentRequested } from './events.ts';
import { evolvePayment, foldPayment, initialPaymentState, type Payment, type PaymentState } from './payment.ts';
import { decisionOf, paymentEvents, TEST_PAYMENT_ID as paymentId } from './testing/payment-events.ts';

const at = (second: number) => new Date(Date.UTC(2025, 0, 1, 10, 0, second)).toISOString();
const { requested, authorized, flaggedForReview, approved, declined } = paymentEvents({ reference: 'order-42', requestedAt: at(0) });
const decision = (flagged: boolean) => decisionOf(1_500_000, 'INR', flagged);

/** The state after these events; fails the test when the payment does not exist. */
function paymentAfter(...events: PaymentEvent[]): Payment {
  const state = foldPayment(events);
  if (state.status === 'NONE') throw new Error('expected the payment to exist');
  return state;
}

describe('initial state', () => {
  it('a payment with no events does not exist', () => {
    expect(initialPaymentState()).toEqual({ status: 'NONE' });
    expect(foldPayment([])).toEqual({ status: 'NONE' });
  });
});

describe('PaymentRequested', () => {
  it('creates a PENDING payment at version 1 with the requested data and no decision yet', () => {
    expect(paymentAfter(requested())).toEqual({
      status: 'PENDING',
      paymentId,
      merchantId: 'M1',
      amountMinor: 1_500_000,
      currency: 'INR',
      reference: 'order-42',
      version: 1,
      createdAt: at(0),
      updatedAt: at(0),
      decision: null,
      reviewer: null,
      reviewReason: null,
    });
  });

  it('keeps a null reference as null', () => {
    expect(paymentAfter(requested({ reference: null })).reference).toBeNull();
  });

  it('a second PaymentRequested for an existing payment is ignored', () => {
    const first = paymentAfter(requested());
    const again: PaymentRequested = {
      ...requested({ amountMinor: 1, currency: 'JPY', merchantId: 'M2' }),
      streamVersion: 2,
      occurredAt: at(5),
    };
    expect(evolvePayment(first, again)).toEqual(first);
  });

  it('a second PaymentRequested after a decision does not reset the payment to PENDING', () => {
    const decided = paymentAfter(requested(), authorized());
    expect(evolvePayment(decided, { ...requested(), streamVersion: 3 })).toEqual(decided);
  });
});

describe('decisions', () => {
  it('PaymentAuthorized moves PENDING to AUTHORIZED and records the rule decision', () => {
    const payment = paymentAfter(requested(), authorized());
    expect(payment.status).toBe('AUTHORIZED');
    expect(payment.decision).toEqual(decision(false));
  });

  it('PaymentFlaggedForReview moves PENDING to REVIEW and records the rule decision', () => {
    const payment = paymentAfter(requested(), flaggedForReview());
    expect(payment.status).toBe('REVIEW');
    expect(payment.decision).toEqual(decision(true));
  });

  it('a decision moves version and updatedAt to the event, and keeps createdAt and the payment data', () => {
    const payment = paymentAfter(requested(), authorized());
    expect(payment).toMatchObject({
      version: 2,
      createdAt: at(0),
      updatedAt: at(1),
      merchantId: 'M1',
      amountMinor: 1_500_000,
      currency: 'INR',
      reference: 'order-42',
      reviewer: null,
      reviewReason: null,
    });
  });
});

describe('reviews', () => {
  it('PaymentApproved moves REVIEW to APPROVED with the reviewer and reason, keeping the rule decision', () => {
    expect(paymentAfter(requested(), flaggedForReview(), approved())).toMatchObject({
      status: 'APPROVED',
      reviewer: 'analyst:bob',
      reviewReason: 'known customer',
      decision: decision(true),
      version: 3,
      createdAt: at(0),
      updatedAt: at(2),
    });
  });

  it('PaymentDeclined moves REVIEW to DECLINED with the reviewer and reason, keeping the rule decision', () => {
    expect(paymentAfter(requested(), flaggedForReview(), declined())).toMatchObject({
      status: 'DECLINED',
      reviewer: 'analyst:bob',
      reviewReason: 'stolen card',
      decision: decision(true),
      version: 3,
      updatedAt: at(2),
    });
  });

  it('a review without a reason records the reason as null', () => {
    expect(paymentAfter(requested(), flaggedForReview(), approved(null)).reviewReason).toBeNull();
    expect(paymentAfter(requested(), flaggedForReview(), declined(null)).reviewReason).toBeNull();
  });
});

describe('events for a payment that does not exist', () => {
  it.each([
    ['PaymentAuthorized', authorized()],
    ['PaymentFlaggedForReview', flaggedForReview()],
    ['PaymentApproved', approved()],
    ['PaymentDeclined', declined()],
  ])('%s leaves the state NONE', (_type, event) => {
    expect(evolvePayment(initialPaymentState(), event)).toEqual({ status: 'NONE' });
  });
});

describe('purity', () => {
  it('evolve returns a new state and leaves the previous one untouched', () => {
    const pending: PaymentState = paymentAfter(requested());
    const snapshot = structuredClone(pending);
    const next = evolvePayment(pending, authorized());
    expect(next).not.toBe(pending);
    expect(pending).toEqual(snapshot);
  });
});
