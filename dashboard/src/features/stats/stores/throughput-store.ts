// Live throughput for the rolling chart. Fed at stream speed, read by the chart through `subscribe` into
// a ref (never through React renders): see live-throughput-chart.tsx.
import type { PaymentView } from '@payments/schemas';
import { create } from 'zustand';
import { OUTCOME_OF_STATUS } from '../../../lib/payment-status.ts';
import { emptyThroughput, recordTransitions, type ThroughputState } from './throughput.ts';

export interface ThroughputStoreState extends ThroughputState {
  /** Counts each changed payment once, at its updatedAt, under the outcome its status means. */
  record(payments: readonly PaymentView[], nowMs?: number): void;
  reset(): void;
}

export const useThroughputStore = create<ThroughputStoreState>()((set) => ({
  ...emptyThroughput,
  record(payments, nowMs = Date.now()) {
    if (payments.length === 0) return;
    set((state) =>
      recordTransitions(
        state,
        payments.map((p) => ({ outcome: OUTCOME_OF_STATUS[p.status], atMs: Date.parse(p.updatedAt) })),
        nowMs,
      ),
    );
  },
  reset() {
    set(emptyThroughput);
  },
}));
