// The payments the console shows: every view it knows by id (kept current by the stream reducer's
// position and version rules) and the ordered ids of the list (newest first, matching the filter,
// cursor-paged from the query API). Stream changes land in place; new payments slot in at their sorted
// place, and the table decides whether to reveal them at once or behind an "N new" pill.
import type { PaymentView, StreamMessage } from '@payments/schemas';
import { create } from 'zustand';
import { errorMessage } from '../../../lib/api-client.ts';
import { listPayments } from '../api/payments-api.ts';
import { belongsInWindow, insertSorted, type ListFilter, matchesFilter, mergeIds, NO_FILTER } from './payment-list.ts';
import { applyPayment, initialFeedState, reduceStreamBatch, type StreamFeedState } from './stream-reducer.ts';

export const PAGE_SIZE = 50;
/** Rows kept in the live list; past this the oldest are let go (the console stays fast all day). */
export const MAX_ROWS = 1000;

export interface PaymentsState {
  feed: StreamFeedState;
  ids: string[];
  filter: ListFilter;
  /** A merchant session's own id: the filter can never leave it. */
  scopeMerchantId: string | null;
  nextCursor: string | null;
  loading: boolean;
  loadingMore: boolean;
  error: string | null;
  /** Older rows were let go to stay under MAX_ROWS; paging restarts from a reload. */
  trimmed: boolean;
  selectedId: string | null;

  /** Applies views from any source (REST or stream) under the version rule. */
  apply(payments: readonly PaymentView[]): void;
  /** Applies a batch of stream messages under the position and version rules. */
  applyMessages(messages: readonly StreamMessage[]): void;
  load(): Promise<void>;
  loadMore(): Promise<void>;
  setFilter(patch: Partial<ListFilter>): Promise<void>;
  select(paymentId: string | null): void;
  /** Starts over for a session (merchants are scoped to their own payments). */
  reset(scopeMerchantId?: string | null): void;
}

// Which list request is current: a response to an older one (the filter changed meanwhile) is dropped.
let requestSeq = 0;

const initialState = {
  feed: initialFeedState,
  ids: [] as string[],
  filter: NO_FILTER,
  scopeMerchantId: null,
  nextCursor: null,
  loading: false,
  loadingMore: false,
  error: null,
  trimmed: false,
  selectedId: null,
};

/** Lists what the changed views add to the list, then keeps the list and the cache bounded. */
function place(state: PaymentsState, feed: StreamFeedState, changed: readonly PaymentView[]): Partial<PaymentsState> {
  let ids = state.ids;
  for (const payment of changed) {
    const id = payment.paymentId;
    const current = feed.byId[id];
    if (current === undefined || ids.includes(id) || !matchesFilter(current, state.filter)) continue;
    if (state.loading || belongsInWindow(current, ids, feed.byId, state.nextCursor !== null)) ids = insertSorted(ids, feed.byId, id);
  }
  let { nextCursor, trimmed } = state;
  let byId = feed.byId;
  if (ids.length > MAX_ROWS) {
    ids = ids.slice(0, MAX_ROWS);
    nextCursor = null;
    trimmed = true;
  }
  // Views of payments that are not listed are kept (they guard the version rule while a page loads) up
  // to a bound; then those that are neither listed nor open are dropped.
  if (!state.loading && Object.keys(byId).length > MAX_ROWS * 2) {
    const keep = new Set(ids);
    if (state.selectedId) keep.add(state.selectedId);
    byId = Object.fromEntries(Object.entries(byId).filter(([id]) => keep.has(id)));
  }
  return { ids, nextCursor, trimmed, feed: byId === feed.byId ? feed : { ...feed, byId } };
}

export const usePaymentsStore = create<PaymentsState>()((set, get) => {
  const fetchPage = async (cursor: string | null) => {
    const seq = ++requestSeq;
    const { filter } = get();
    set(cursor === null ? { loading: true, error: null, ids: [], nextCursor: null, trimmed: false } : { loadingMore: true, error: null });
    try {
      const page = await listPayments({ status: filter.status, merchantId: filter.merchantId, limit: PAGE_SIZE, cursor });
      if (seq !== requestSeq) return;
      set((state) => {
        let feed = state.feed;
        for (const item of page.items) feed = applyPayment(feed, item);
        const pageIds = page.items.map((p) => p.paymentId);
        // A row the page brought in may since have changed on the stream to something the filter no
        // longer matches; it is still listed: rows settle in place rather than vanish under the pointer.
        const ids = mergeIds(state.ids, pageIds, feed.byId);
        return { feed, ids, nextCursor: page.nextCursor, loading: false, loadingMore: false };
      });
    } catch (error) {
      if (seq !== requestSeq) return;
      set({ loading: false, loadingMore: false, error: errorMessage(error) });
    }
  };

  return {
    ...initialState,

    apply(payments) {
      set((state) => {
        let feed = state.feed;
        const changed: PaymentView[] = [];
        for (const payment of payments) {
          const next = applyPayment(feed, payment);
          if (next !== feed) changed.push(payment);
          feed = next;
        }
        return changed.length === 0 ? {} : place(state, feed, changed);
      });
    },

    applyMessages(messages) {
      set((state) => {
        const { state: feed, applied } = reduceStreamBatch(state.feed, messages);
        if (feed === state.feed) return {};
        return place(state, feed, applied);
      });
    },

    load: () => fetchPage(null),

    async loadMore() {
      const { nextCursor, loading, loadingMore } = get();
      if (nextCursor === null || loading || loadingMore) return;
      await fetchPage(nextCursor);
    },

    async setFilter(patch) {
      const { filter, scopeMerchantId } = get();
      const next: ListFilter = { ...filter, ...patch };
      if (scopeMerchantId !== null) next.merchantId = scopeMerchantId;
      if (next.status === filter.status && next.merchantId === filter.merchantId) return;
      set({ filter: next });
      await fetchPage(null);
    },

    select(paymentId) {
      set({ selectedId: paymentId });
    },

    reset(scopeMerchantId = null) {
      requestSeq++;
      set({ ...initialState, scopeMerchantId, filter: { ...NO_FILTER, merchantId: scopeMerchantId } });
    },
  };
});
