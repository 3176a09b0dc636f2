import { type KeyboardEvent, useEffect, useId, useRef, useState } from 'react';
import { Button, FOCUS_RING } from '../../../components/button.tsx';
import { Spinner } from '../../../components/spinner.tsx';
import { StatusBadge } from '../../../components/status-badge.tsx';
import { formatMoney } from '../../../lib/format-money.ts';
import { formatDateTime, fromLocalInputValue, toLocalInputValue } from '../../../lib/format-time.ts';
import { usePaymentDetail } from '../hooks/use-payment-detail.ts';
import { usePaymentsStore } from '../stores/payments-store.ts';
import { EventTimeline } from './event-timeline.tsx';

/** The open payment's drawer (keyed by payment id by its parent, so each payment starts fresh). */
export function PaymentDrawer({ paymentId }: { paymentId: string }) {
  const select = usePaymentsStore((s) => s.select);
  const [asOfInput, setAsOfInput] = useState('');
  const asOfIso = fromLocalInputValue(asOfInput);
  const { payment, events, error, asOf } = usePaymentDetail(paymentId, asOfIso);
  const panel = useRef<HTMLDivElement>(null);
  const ids = { title: useId(), asOf: useId() };

  const close = () => select(null);

  // Focus moves into the dialog on open and back to where it was on close.
  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    panel.current?.focus();
    return () => previous?.focus?.();
  }, []);

  // Keyboard: Escape closes; Tab cycles inside the dialog.
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key === 'Escape') {
      event.stopPropagation();
      close();
      return;
    }
    if (event.key !== 'Tab' || panel.current === null) return;
    const focusable = panel.current.querySelectorAll<HTMLElement>(
      'button, input, select, textarea, a[href], [tabindex]:not([tabindex="-1"])',
    );
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (first === undefined || last === undefined) return;
    if (event.shiftKey && (document.activeElement === first || document.activeElement === panel.current)) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  };

  return (
    <div className="fixed inset-0 z-40 flex justify-end">
      <div className="absolute inset-0 bg-slate-900/40" aria-hidden="true" onClick={close} />
      <div
        ref={panel}
        role="dialog"
        aria-modal="true"
        aria-labelledby={ids.title}
        tabIndex={-1}
        onKeyDown={onKeyDown}
        className="relative flex h-full w-full max-w-lg flex-col overflow-hidden bg-white shadow-2xl outline-none"
        data-testid="payment-drawer"
        data-payment-id={paymentId}
      >
        <header className="flex items-start justify-between gap-3 bg-slate-900 px-5 py-4 text-white">
          <div className="min-w-0">
            <h2 id={ids.title} className="text-base font-semibold">
              Payment
            </h2>
            <p className="truncate font-mono text-xs text-slate-300" title={paymentId}>
              {paymentId}
            </p>
          </div>
          <button
            type="button"
            onClick={close}
            className={`rounded-md px-2 py-1 text-slate-300 hover:bg-slate-800 hover:text-white ${FOCUS_RING}`}
            aria-label="Close payment details"
            data-testid="drawer-close"
          >
            ✕
          </button>
        </header>

        <div className="relative flex-1 space-y-6 overflow-y-auto px-5 py-5">
          {error && (
            <p role="alert" className="rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-800 ring-1 ring-rose-600/30">
              {error}
            </p>
          )}
          {payment === null && !error && <Spinner label="Loading payment" />}
          {payment && (
            <section aria-label="Current state">
              <div className="flex flex-wrap items-center justify-between gap-3">
                <p className="text-2xl font-semibold tabular-nums text-slate-900" data-testid="drawer-amount">
                  {formatMoney(payment.amountMinor, payment.currency)}
                </p>
                <span data-testid="drawer-status" data-status={payment.status}>
                  <StatusBadge status={payment.status} />
                </span>
              </div>
              <dl className="mt-4 grid grid-cols-[auto_1fr] gap-x-4 gap-y-1.5 text-sm">
                <dt className="text-slate-500">Merchant</dt>
                <dd className="text-slate-900">{payment.merchantId}</dd>
                <dt className="text-slate-500">Reference</dt>
                <dd className="text-slate-900">{payment.reference ?? '—'}</dd>
                <dt className="text-slate-500">Created</dt>
                <dd className="text-slate-900">{formatDateTime(payment.createdAt)}</dd>
                <dt className="text-slate-500">Updated</dt>
                <dd className="text-slate-900">{formatDateTime(payment.updatedAt)}</dd>
                <dt className="text-slate-500">Version</dt>
                <dd className="tabular-nums text-slate-900">{payment.version}</dd>
                {payment.decision && (
                  <>
                    <dt className="text-slate-500">Rule</dt>
                    <dd className="text-slate-900">
                      <span className="font-mono text-xs">{payment.decision.ruleId}</span>: {payment.decision.reason}
                    </dd>
                  </>
                )}
                {payment.reviewer && (
                  <>
                    <dt className="text-slate-500">Reviewed by</dt>
                    <dd className="text-slate-900">
                      {payment.reviewer}
                      {payment.reviewReason ? `: “${payment.reviewReason}”` : ''}
                    </dd>
                  </>
                )}
              </dl>
            </section>
          )}

          <section aria-labelledby={ids.asOf} className="rounded-lg bg-slate-50 p-3 ring-1 ring-slate-200">
            <div className="flex flex-wrap items-end gap-2">
              <div className="flex flex-1 flex-col">
                <label id={ids.asOf} htmlFor={`${ids.asOf}-input`} className="mb-1 text-xs font-medium text-slate-600">
                  As of (your local time)
                </label>
                <input
                  id={`${ids.asOf}-input`}
                  type="datetime-local"
                  step={1}
                  value={asOfInput}
                  min={payment ? toLocalInputValue(payment.createdAt).slice(0, 16) : undefined}
                  onChange={(e) => setAsOfInput(e.target.value)}
                  className={`rounded-md border-0 bg-white px-2.5 py-1.5 text-sm ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-sky-600 ${FOCUS_RING}`}
                  data-testid="as-of-input"
                />
              </div>
              {asOfInput !== '' && (
                <Button size="sm" onClick={() => setAsOfInput('')} data-testid="as-of-clear">
                  Back to now
                </Button>
              )}
            </div>
            <div className="mt-2 text-sm" aria-live="polite" data-testid="as-of-result" data-state={asOf.state}>
              {asOf.state === 'idle' && <p className="text-slate-500">Pick a time to see the payment as it stood then.</p>}
              {asOf.state === 'loading' && <Spinner label="Loading" />}
              {asOf.state === 'absent' && <p className="text-slate-600">The payment did not exist yet at that time.</p>}
              {asOf.state === 'error' && <p className="text-rose-700">{asOf.message}</p>}
              {asOf.state === 'found' && (
                <p className="flex flex-wrap items-center gap-2 text-slate-700">
                  <span data-status={asOf.payment.status} data-testid="as-of-status">
                    <StatusBadge status={asOf.payment.status} />
                  </span>
                  <span className="tabular-nums">version {asOf.payment.version}</span>
                  <span className="text-slate-500">· updated {formatDateTime(asOf.payment.updatedAt)}</span>
                </p>
              )}
            </div>
          </section>

          <section aria-label="Event timeline">
            <h3 className="mb-3 text-sm font-semibold text-slate-800">Event timeline</h3>
            {events === null ? <Spinner label="Loading events" /> : <EventTimeline events={events} asOfIso={asOfIso} />}
          </section>
        </div>
      </div>
    </div>
  );
}
