// The analysts' review queue: payments in REVIEW (paged from the query API, kept current by the stream),
// and the state of each decision being made. A decision is only a request: the row settles when the
// stream brings the payment out of REVIEW (whoever decided it), then leaves the queue a moment later.
// A 409 means someone else decided first; the stream will show what they decided.
import type { PaymentStatus, PaymentView } from '@payments/schemas';
import { create } from 'zustand';
import { ApiError, errorMessage } from '../../../lib/api-client.ts';
import { decidePayment, listInReview, type ReviewDecision } from '../api/review-api.ts';

export const SETTLED_LINGER_MS = 4000;
export const ALREADY_DECIDED = 'Already decided by someone else';

export type DecisionState =
  | { state: 'submitting'; decision: ReviewDecision }
  | { state: 'sent'; decision: ReviewDecision }
  | { state: 'error'; decision: ReviewDecision; message: string; conflict: boolean };

export interface ReviewState {
  byId: Readonly<Record<string, PaymentView>>;
  /** Listed payments, newest first. */
  ids: string[];
  decisions: Readonly<Record<string, DecisionState>>;
  /** Payments that left REVIEW while listed, with the status they settled in. */
  settled: Readonly<Record<string, PaymentStatus>>;
  nextCursor: string | null;
  loading: boolean;
  error: string | null;

  load(): Promise<void>;
  loadMore(): Promise<void>;
  apply(payments: readonly PaymentView[]): void;
  approve(paymentId: string, reason?: string): Promise<void>;
  decline(paymentId: string, reason?: string): Promise<void>;
  /** Takes a settled payment off the queue. */
  dismiss(paymentId: string): void;
  reset(): void;
}

const newestFirst = (a: PaymentView, b: PaymentView) =>
  a.createdAt === b.createdAt ? (a.paymentId < b.paymentId ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1;

const timers = new Map<string, ReturnType<typeof setTimeout>>();
let loadSeq = 0;

const initialState = { byId: {}, ids: [], decisions: {}, settled: {}, nextCursor: null, loading: false, error: null };

export const useReviewStore = create<ReviewState>()((set, get) => {
  const fetchPage = async (cursor: string | null) => {
    const seq = ++loadSeq;
    set({ loading: true, error: null });
    try {
      const page = await listInReview(cursor);
      if (seq !== loadSeq) return;
      get().apply(page.items);
      set({ nextCursor: page.nextCursor, loading: false });
    } catch (error) {
      if (seq === loadSeq) set({ loading: false, error: errorMessage(error) });
    }
  };

  const decide = async (paymentId: string, decision: ReviewDecision, reason?: string) => {
    const current = get().decisions[paymentId];
    if (current?.state === 'submitting' || current?.state === 'sent' || get().settled[paymentId]) return;
    set((s) => ({ decisions: { ...s.decisions, [paymentId]: { state: 'submitting', decision } } }));
    let next: DecisionState;
    try {
      await decidePayment(paymentId, decision, reason?.trim() || null);
      next = { state: 'sent', decision };
    } catch (error) {
      const conflict = error instanceof ApiError && error.status === 409;
      next = { state: 'error', decision, conflict, message: conflict ? ALREADY_DECIDED : errorMessage(error) };
    }
    // The stream may already have settled it while the request was in flight; keep that.
    if (get().settled[paymentId] && next.state === 'sent') return;
    set((s) => ({ decisions: { ...s.decisions, [paymentId]: next } }));
  };

  return {
    ...initialState,

    load: () => fetchPage(null),

    async loadMore() {
      if (get().nextCursor === null || get().loading) return;
      await fetchPage(get().nextCursor);
    },

    apply(payments) {
      const settledNow: string[] = [];
      set((state) => {
        let { byId, ids, settled } = state;
        for (const payment of payments) {
          const id = payment.paymentId;
          const held = byId[id];
          if (held !== undefined && payment.version <= held.version) continue;
          const listed = held !== undefined;
          if (payment.status === 'REVIEW') {
            byId = { ...byId, [id]: payment };
            if (!listed) ids = [...ids, id].sort((a, b) => newestFirst(byId[a] as PaymentView, byId[b] as PaymentView));
          } else if (listed) {
            byId = { ...byId, [id]: payment };
            settled = { ...settled, [id]: payment.status };
            settledNow.push(id);
          }
        }
        return byId === state.byId ? {} : { byId, ids, settled };
      });
      for (const id of settledNow) {
        clearTimeout(timers.get(id));
        timers.set(
          id,
          setTimeout(() => get().dismiss(id), SETTLED_LINGER_MS),
        );
      }
    },

    approve: (paymentId, reason) => decide(paymentId, 'approve', reason),
    decline: (paymentId, reason) => decide(paymentId, 'decline', reason),

    dismiss(paymentId) {
      clearTimeout(timers.get(paymentId));
      timers.delete(paymentId);
      set((state) => {
        if (!(paymentId in state.byId)) return {};
        const { [paymentId]: _payment, ...byId } = state.byId;
        const { [paymentId]: _decision, ...decisions } = state.decisions;
        const { [paymentId]: _settled, ...settled } = state.settled;
        return { byId, decisions, settled, ids: state.ids.filter((id) => id !== paymentId) };
      });
    },

    reset() {
      loadSeq++;
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
      set(initialState);
    },
  };
});
