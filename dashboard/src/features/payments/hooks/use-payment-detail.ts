// Loads what the detail drawer shows: the payment (kept current from the store when the stream has a
// newer version), its recorded events (reloaded whenever the live version moves), and the as-of view.
import type { PaymentView } from '@payments/schemas';
import { useEffect, useState } from 'react';
import { ApiError, errorMessage } from '../../../lib/api-client.ts';
import { getPayment, getPaymentEvents, type PaymentEventRecord } from '../api/payments-api.ts';
import { usePaymentsStore } from '../stores/payments-store.ts';

export type AsOfResult =
  | { state: 'idle' }
  | { state: 'loading' }
  | { state: 'found'; payment: PaymentView }
  | { state: 'absent' }
  | { state: 'error'; message: string };

export interface PaymentDetail {
  payment: PaymentView | null;
  events: PaymentEventRecord[] | null;
  error: string | null;
  asOf: AsOfResult;
}

export function usePaymentDetail(paymentId: string, asOfIso: string | null): PaymentDetail {
  const live = usePaymentsStore((s) => s.feed.byId[paymentId]);
  const [fetched, setFetched] = useState<PaymentView | null>(null);
  const [events, setEvents] = useState<PaymentEventRecord[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [asOf, setAsOf] = useState<AsOfResult>({ state: 'idle' });

  const payment = live !== undefined && (fetched === null || live.version >= fetched.version) ? live : fetched;
  const version = payment?.version ?? 0;

  useEffect(() => {
    const controller = new AbortController();
    setError(null);
    getPayment(paymentId, null, controller.signal)
      .then(setFetched)
      .catch((e: unknown) => {
        if (!controller.signal.aborted) setError(errorMessage(e));
      });
    return () => controller.abort();
  }, [paymentId]);

  // The events reload whenever the view's version moves past the events we hold.
  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` is the trigger, not an input
  useEffect(() => {
    const controller = new AbortController();
    getPaymentEvents(paymentId, controller.signal)
      .then((page) => setEvents([...page.items].sort((a, b) => a.streamVersion - b.streamVersion)))
      .catch((e: unknown) => {
        if (!controller.signal.aborted) setError(errorMessage(e));
      });
    return () => controller.abort();
  }, [paymentId, version]);

  useEffect(() => {
    if (asOfIso === null) {
      setAsOf({ state: 'idle' });
      return;
    }
    const controller = new AbortController();
    setAsOf({ state: 'loading' });
    getPayment(paymentId, asOfIso, controller.signal)
      .then((p) => setAsOf({ state: 'found', payment: p }))
      .catch((e: unknown) => {
        if (controller.signal.aborted) return;
        setAsOf(e instanceof ApiError && e.status === 404 ? { state: 'absent' } : { state: 'error', message: errorMessage(e) });
      });
    return () => controller.abort();
  }, [paymentId, asOfIso]);

  return { payment, events, error, asOf };
}
