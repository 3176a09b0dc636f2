// Wires the live stream to the stores for one signed-in session. Order matters for "nothing missed":
// the stats snapshot is read first and its position becomes the stream's `since`, so every change after
// the snapshot is replayed; the payment list loads alongside, and the reducer's version rule reconciles
// whichever of list and stream is newer. Messages are applied in batches, at most every FLUSH_MS, so a
// burst of traffic is one React update rather than hundreds.
import type { PaymentView, Stats, StreamMessage } from '@payments/schemas';
import { config } from '../config/env.ts';
import type { Session } from '../features/auth/stores/session-store.ts';
import { useSessionStore } from '../features/auth/stores/session-store.ts';
import { useConnectionStore } from '../features/connection/stores/connection-store.ts';
import { useDemoTrafficStore } from '../features/demo/stores/demo-traffic-store.ts';
import { usePaymentsStore } from '../features/payments/stores/payments-store.ts';
import { useRebuildStore } from '../features/replay/stores/rebuild-store.ts';
import { useReviewStore } from '../features/review/stores/review-store.ts';
import { useStatsStore } from '../features/stats/stores/stats-store.ts';
import { useThroughputStore } from '../features/stats/stores/throughput-store.ts';
import { createStreamClient, type StreamClient, type StreamClientState } from '../lib/stream-client.ts';

const FLUSH_MS = 50;

/** What e2e tests and drills may reach from the page: the stream's state, and a simulated network drop. */
export interface ConsoleHandle {
  stream: { state(): StreamClientState; drop(): void; reconnectNow(): void };
}

declare global {
  interface Window {
    __paymentsConsole?: ConsoleHandle;
  }
}

export function startLiveFeed(session: Session): { client: StreamClient; stop(): void } {
  usePaymentsStore.getState().reset(session.role === 'merchant' ? session.merchantId : null);
  useStatsStore.getState().reset();
  useReviewStore.getState().reset();
  useThroughputStore.getState().reset();
  useConnectionStore.getState().reset();
  useRebuildStore.getState().reset();

  let buffer: StreamMessage[] = [];
  let flushTimer: ReturnType<typeof setTimeout> | null = null;
  let stopped = false;

  const flush = () => {
    flushTimer = null;
    const batch = buffer;
    buffer = [];
    if (batch.length === 0) return;
    const updates: PaymentView[] = [];
    let stats: Stats | null = null;
    for (const message of batch) {
      if (message.type === 'payment.updated') updates.push(message.payment);
      else if (message.type === 'stats') stats = message.stats;
    }
    usePaymentsStore.getState().applyMessages(batch);
    if (session.role === 'analyst') useReviewStore.getState().apply(updates);
    useThroughputStore.getState().record(updates);
    if (stats !== null) useStatsStore.getState().apply(stats);
  };

  const client = createStreamClient({
    baseUrl: config.streamUrl,
    getToken: () => useSessionStore.getState().session?.token ?? null,
    onMessage(message) {
      buffer.push(message);
      flushTimer ??= setTimeout(flush, FLUSH_MS);
    },
    onUnauthorized: () => useSessionStore.getState().signOut('expired'),
    // the stream refused our position (too far behind, or ahead of it): start again from a fresh snapshot
    onResync: () => loadSnapshotAndStream(),
  });
  const unsubscribe = client.subscribe((state) => useConnectionStore.getState().report(state));

  function loadSnapshotAndStream() {
    void usePaymentsStore.getState().load();
    if (session.role === 'analyst') void useReviewStore.getState().load();
    void useStatsStore
      .getState()
      .load()
      .then((position) => {
        if (!stopped) client.start(position);
      });
  }
  loadSnapshotAndStream();

  window.__paymentsConsole = {
    stream: { state: () => client.getState(), drop: () => client.drop(), reconnectNow: () => client.reconnectNow() },
  };

  return {
    client,
    stop() {
      stopped = true;
      client.stop();
      unsubscribe();
      if (flushTimer !== null) clearTimeout(flushTimer);
      buffer = [];
      useDemoTrafficStore.getState().stop();
      useConnectionStore.getState().reset();
      delete window.__paymentsConsole;
    },
  };
}
