// The signed-in console: the layout, adapted to the role. Merchants see their own payments, viewers read
// everything, analysts also get the review queue, replay and (dev only) demo traffic.
import { useEffect, useRef } from 'react';
import { config } from '../config/env.ts';
import { canReplay, canReview, type Session } from '../features/auth/stores/session-store.ts';
import { DemoTrafficSwitch } from '../features/demo/components/demo-traffic-switch.tsx';
import { PaymentDrawer } from '../features/payments/components/payment-drawer.tsx';
import { PaymentsTable } from '../features/payments/components/payments-table.tsx';
import { usePaymentsStore } from '../features/payments/stores/payments-store.ts';
import { RebuildPanel } from '../features/replay/components/rebuild-panel.tsx';
import { ReviewQueue } from '../features/review/components/review-queue.tsx';
import { HistoryChart } from '../features/stats/components/history-chart.tsx';
import { KpiCards } from '../features/stats/components/kpi-cards.tsx';
import { LiveThroughputChart } from '../features/stats/components/live-throughput-chart.tsx';
import { VolumeCard } from '../features/stats/components/volume-card.tsx';
import { AppHeader } from './app-header.tsx';
import { startLiveFeed } from './live-feed.ts';

export function Console({ session }: { session: Session }) {
  const feed = useRef<ReturnType<typeof startLiveFeed> | null>(null);
  const selectedId = usePaymentsStore((s) => s.selectedId);
  const select = usePaymentsStore((s) => s.select);

  useEffect(() => {
    const live = startLiveFeed(session);
    feed.current = live;
    return () => {
      live.stop();
      feed.current = null;
    };
  }, [session]);

  return (
    <div className="min-h-dvh" data-role={session.role}>
      <a
        href="#payments-title"
        className="sr-only focus:not-sr-only focus:absolute focus:left-4 focus:top-4 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2 focus:text-sm"
      >
        Skip to payments
      </a>
      <AppHeader onReconnect={() => feed.current?.client.reconnectNow()} />
      {session.role === 'viewer' && (
        <p className="bg-slate-800 px-4 py-1.5 text-center text-xs text-slate-300" data-testid="read-only-banner">
          Read-only access: you can watch everything and change nothing.
        </p>
      )}
      {session.role === 'merchant' && (
        <p className="bg-slate-800 px-4 py-1.5 text-center text-xs text-slate-300" data-testid="merchant-banner">
          Showing merchant {session.merchantId}'s payments only.
        </p>
      )}
      <main className="mx-auto max-w-screen-2xl space-y-4 px-3 py-4 sm:px-4">
        <KpiCards />
        <div className="grid gap-4 lg:grid-cols-2">
          <LiveThroughputChart />
          <HistoryChart />
        </div>
        <div className="grid items-start gap-4 xl:grid-cols-3">
          <div className="min-w-0 xl:col-span-2">
            <PaymentsTable />
          </div>
          <aside className="min-w-0 space-y-4" aria-label="Side panel">
            {canReview(session) && <ReviewQueue onOpen={select} />}
            <VolumeCard />
            {canReplay(session) && <RebuildPanel />}
            {session.role === 'analyst' && config.demoTraffic && <DemoTrafficSwitch />}
          </aside>
        </div>
      </main>
      {selectedId !== null && <PaymentDrawer key={selectedId} paymentId={selectedId} />}
    </div>
  );
}
