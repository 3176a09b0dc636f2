// Specifications of the payment decider: given the payment's past events, when a command, then these new
// events or this domain error. State is always built by folding events, never written by hand.
import { evolvePayment, initialPaymentState, type NewEvent, type PaymentEvent, type PaymentState } from '@payments/schemas';
import { deciderSpecification, paymentEvents, TEST_PAYMENT_ID as paymentId } from '@payments/schemas/testing';
import { describe, expect, it } from 'vitest';
import {
  type ApprovePayment,
  type DeclinePayment,
  decide,
  type PaymentCommand,
  PaymentDomainError,
  type RequestPayment,
} from './decide.ts';

const spec = deciderSpecification({ decide, evolve: evolvePayment, initialState: initialPaymentState });
const { requested, authorized, flaggedForReview, approved, declined } = paymentEvents({ paymentId });

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
  data: { paymentId, reviewer: 'analyst:alice', reason: null, reasonCode: 'customer_request' },
};

/** Refused with this domain error code, and a message that says why. */
const refusedWith = (code: PaymentDomainError['code'], message: string | RegExp) => (error: PaymentDomainError) => {
  expect(error.code).toBe(code);
  expect(error.message).toMatch(message);
};

const histories: Record<string, PaymentEvent[]> = {
  PENDING: [requested()],
  AUTHORIZED: [requested(), authorized()],
  REVIEW: [requested(), flaggedForReview()],
  APPROVED: [requested(), flaggedForReview(), approved()],
  DECLINED: [requested(), flaggedForReview(), declined()],
};
const historiesExcept = (status: string) => Object.entries(histories).filter(([s]) => s !== status);

describe('RequestPayment', () => {
  it('on a new stream records PaymentRequested with the command data', () => {
    spec
      .given([])
      .when(requestCommand)
      .thenEvents([{ type: 'PaymentRequested', data: requestCommand.data }]);
  });

  it('carries the merchant reference when one is given', () => {
    const command: RequestPayment = { ...requestCommand, data: { ...requestCommand.data, reference: 'order-7' } };
    spec
      .given([])
      .when(command)
      .thenEvents([{ type: 'PaymentRequested', data: command.data }]);
  });

  it.each(Object.entries(histories))('on an existing %s payment is refused with payment_exists', (_status, past) => {
    spec.given(past).when(requestCommand).thenThrows(PaymentDomainError, refusedWith('payment_exists', paymentId));
  });
});

describe.each([
  ['ApprovePayment', approveCommand, 'PaymentApproved'],
  ['DeclinePayment', declineCommand, 'PaymentDeclined'],
] as const)('%s', (_name, command, recordedType) => {
  it(`from REVIEW records ${recordedType} with the reviewer and reason`, () => {
    spec
      .given(histories.REVIEW as PaymentEvent[])
      .when(command)
      .thenEvents([{ type: recordedType, data: command.data } as NewEvent]);
  });

  it('from REVIEW carries a reason, or a null reason as null', () => {
    for (const reason of ['stolen card', null]) {
      const withReason = { ...command, data: { ...command.data, reason } } as PaymentCommand;
      spec
        .given(histories.REVIEW as PaymentEvent[])
        .when(withReason)
        .thenEvents([{ type: recordedType, data: { ...command.data, reason } } as NewEvent]);
    }
  });

  it('of a payment that was never requested is refused with payment_not_found', () => {
    spec.given([]).when(command).thenThrows(PaymentDomainError, refusedWith('payment_not_found', paymentId));
  });

  it.each(historiesExcept('REVIEW'))('of a %s payment is refused with not_in_review', (status, past) => {
    spec
      .given(past)
      .when(command)
      .thenThrows(PaymentDomainError, refusedWith('not_in_review', `is ${status}, not REVIEW`));
  });
});

describe('decide', () => {
  it('throws on a command type it does not know, rather than returning nothing', () => {
    const unknown = { type: 'RefundPayment', data: { paymentId } } as unknown as PaymentCommand;
    spec
      .given([])
      .when(unknown)
      .thenThrows(Error, (error) => expect(error.message).toMatch(/unknown command/));
  });

  it('does not change the state it decided on', () => {
    const state: PaymentState = [requested(), flaggedForReview()].reduce(evolvePayment, initialPaymentState());
    const snapshot = structuredClone(state);
    decide(approveCommand, state);
    expect(state).toEqual(snapshot);
  });
});
