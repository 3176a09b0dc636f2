// Pure fold of the query API's stream into the payments the console knows. Two guards make it safe to feed
// with overlapping input (a resumed stream, a REST page racing the stream):
//  - position: the server sends changes in global position order and replays after `since`, so a
//    payment.updated at or below the last applied position is a duplicate and is dropped (gaps cannot
//    happen: the server guarantees order, so none are looked for);
//  - version: a payment's view only moves forward; a view whose `version` is not above the one held is
//    stale (typically a REST snapshot older than what the stream already delivered) and is ignored.
// `stats` messages are not payments and pass through untouched (the stats store orders them itself).
import type { PaymentView, StreamMessage } from '@payments/schemas';

export interface StreamFeedState {
  /** Last stream position applied (0 before any). */
  lastPosition: number;
  byId: Readonly<Record<string, PaymentView>>;
}

export const initialFeedState: StreamFeedState = { lastPosition: 0, byId: {} };

/** True when `next` should replace what is held for its payment. */
export const isNewer = (held: PaymentView | undefined, next: PaymentView): boolean => held === undefined || next.version > held.version;

/** Applies one view under the version rule; returns the same state object when it changed nothing. */
export function applyPayment(state: StreamFeedState, payment: PaymentView): StreamFeedState {
  if (!isNewer(state.byId[payment.paymentId], payment)) return state;
  return { ...state, byId: { ...state.byId, [payment.paymentId]: payment } };
}

/** Applies one stream message; returns the same state object when it changed nothing. */
export function reduceStream(state: StreamFeedState, message: StreamMessage): StreamFeedState {
  switch (message.type) {
    case 'hello':
      // A fresh stream starts at the server's head; a resumed one echoes our `since`. Never go back.
      return message.position > state.lastPosition ? { ...state, lastPosition: message.position } : state;
    case 'payment.updated': {
      if (message.position <= state.lastPosition) return state;
      const applied = applyPayment(state, message.payment);
      return { ...applied, lastPosition: message.position };
    }
    case 'stats':
      return state;
  }
}

export interface BatchResult {
  state: StreamFeedState;
  /** Views that were applied, in order (a payment may appear more than once). */
  applied: PaymentView[];
}

/**
 * Applies a batch (the messages that arrived within one UI frame) in position order. The stream already
 * comes in order; sorting the batch makes the fold independent of how the batch was assembled.
 */
export function reduceStreamBatch(state: StreamFeedState, messages: readonly StreamMessage[]): BatchResult {
  const ordered = [...messages].sort((a, b) => a.position - b.position);
  const applied: PaymentView[] = [];
  let next = state;
  for (const message of ordered) {
    const before = next;
    next = reduceStream(next, message);
    if (message.type === 'payment.updated' && next.byId !== before.byId) applied.push(message.payment);
  }
  return { state: next, applied };
}
