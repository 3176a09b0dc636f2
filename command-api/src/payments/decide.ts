// The payment decider: pure functions from (command, state) to new events, or a typed domain error.
// Time and ids arrive inside the command; nothing here reads the clock or does I/O.
import type { DeclineReasonCode, NewEvent, PaymentState } from '@payments/schemas';

export type RequestPayment = {
  type: 'RequestPayment';
  data: { paymentId: string; merchantId: string; amountMinor: number; currency: string; reference: string | null };
};
export type ApprovePayment = { type: 'ApprovePayment'; data: { paymentId: string; reviewer: string; reason: string | null } };
export type DeclinePayment = {
  type: 'DeclinePayment';
  data: { paymentId: string; reviewer: string; reason: string | null; reasonCode: DeclineReasonCode };
};
export type PaymentCommand = RequestPayment | ApprovePayment | DeclinePayment;

export class PaymentDomainError extends Error {
  readonly code: 'payment_exists' | 'payment_not_found' | 'not_in_review';
  constructor(code: PaymentDomainError['code'], message: string) {
    super(message);
    this.code = code;
  }
}

export function requestPayment(command: RequestPayment, state: PaymentState): NewEvent[] {
  if (state.status !== 'NONE') throw new PaymentDomainError('payment_exists', `payment ${command.data.paymentId} already exists`);
  return [{ type: 'PaymentRequested', data: command.data }];
}

function reviewable(state: PaymentState, paymentId: string) {
  if (state.status === 'NONE') throw new PaymentDomainError('payment_not_found', `payment ${paymentId} not found`);
  if (state.status !== 'REVIEW') {
    throw new PaymentDomainError('not_in_review', `payment ${paymentId} is ${state.status}, not REVIEW`);
  }
  return state;
}

export function approvePayment(command: ApprovePayment, state: PaymentState): NewEvent[] {
  reviewable(state, command.data.paymentId);
  return [{ type: 'PaymentApproved', data: command.data }];
}

export function declinePayment(command: DeclinePayment, state: PaymentState): NewEvent[] {
  reviewable(state, command.data.paymentId);
  return [{ type: 'PaymentDeclined', data: command.data }];
}

export function decide(command: PaymentCommand, state: PaymentState): NewEvent[] {
  switch (command.type) {
    case 'RequestPayment':
      return requestPayment(command, state);
    case 'ApprovePayment':
      return approvePayment(command, state);
    case 'DeclinePayment':
      return declinePayment(command, state);
    default: {
      const unknown: never = command;
      throw new Error(`unknown command ${JSON.stringify(unknown)}`);
    }
  }
}
