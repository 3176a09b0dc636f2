// The payment aggregate's state and evolve: a pure left fold over its events. Used by the command side to
// decide, by the query side for as-of views, and by the projector for the list view.
import type { PaymentEvent, PaymentStatus, RuleDecision } from './events.ts';

export type Payment = {
  status: PaymentStatus;
  paymentId: string;
  merchantId: string;
  amountMinor: number;
  currency: string;
  reference: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
  decision: RuleDecision | null;
  reviewer: string | null;
  reviewReason: string | null;
};

/** Before its first event a payment does not exist. */
export type PaymentState = { status: 'NONE' } | Payment;

export const initialPaymentState = (): PaymentState => ({ status: 'NONE' });

export function evolvePayment(state: PaymentState, event: PaymentEvent): PaymentState {
  if (event.type === 'PaymentRequested') {
    if (state.status !== 'NONE') return state;
    const { data } = event;
    return {
      status: 'PENDING',
      paymentId: data.paymentId,
      merchantId: data.merchantId,
      amountMinor: data.amountMinor,
      currency: data.currency,
      reference: data.reference,
      version: event.streamVersion,
      createdAt: event.occurredAt,
      updatedAt: event.occurredAt,
      decision: null,
      reviewer: null,
      reviewReason: null,
    };
  }
  if (state.status === 'NONE') return state;
  const moved = { ...state, version: event.streamVersion, updatedAt: event.occurredAt };
  switch (event.type) {
    case 'PaymentAuthorized':
      return { ...moved, status: 'AUTHORIZED', decision: event.data.decision };
    case 'PaymentFlaggedForReview':
      return { ...moved, status: 'REVIEW', decision: event.data.decision };
    case 'PaymentApproved':
      return { ...moved, status: 'APPROVED', reviewer: event.data.reviewer, reviewReason: event.data.reason };
    case 'PaymentDeclined':
      return { ...moved, status: 'DECLINED', reviewer: event.data.reviewer, reviewReason: event.data.reason };
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}

export const foldPayment = (events: readonly PaymentEvent[]): PaymentState => events.reduce(evolvePayment, initialPaymentState());
