import { PAYMENT_STATUSES, type PaymentStatus } from '@payments/schemas';
import { useEffect, useId, useState } from 'react';
import { FOCUS_RING } from '../../../components/button.tsx';
import { STATUS_LOOK } from '../../../lib/payment-status.ts';
import { usePaymentsStore } from '../stores/payments-store.ts';

const FIELD = `rounded-md border-0 bg-white py-1.5 text-sm text-slate-900 shadow-xs ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-inset focus:ring-sky-600 ${FOCUS_RING}`;

const isStatus = (value: string): value is PaymentStatus => (PAYMENT_STATUSES as readonly string[]).includes(value);

export function PaymentFilters() {
  const filter = usePaymentsStore((s) => s.filter);
  const scopeMerchantId = usePaymentsStore((s) => s.scopeMerchantId);
  const setFilter = usePaymentsStore((s) => s.setFilter);
  const [merchant, setMerchant] = useState(filter.merchantId ?? '');
  const ids = { status: useId(), merchant: useId() };

  // Typing in the merchant box filters after a short pause, not on every key.
  useEffect(() => {
    if (scopeMerchantId !== null) return;
    const value = merchant.trim() === '' ? null : merchant.trim();
    const timer = setTimeout(() => void setFilter({ merchantId: value }), 350);
    return () => clearTimeout(timer);
  }, [merchant, scopeMerchantId, setFilter]);

  return (
    <fieldset className="flex flex-wrap items-end gap-3">
      <legend className="sr-only">Filter payments</legend>
      <div className="flex flex-col">
        <label htmlFor={ids.status} className="mb-1 text-xs font-medium text-slate-600">
          Status
        </label>
        <select
          id={ids.status}
          className={`${FIELD} pl-2.5 pr-8`}
          value={filter.status ?? ''}
          onChange={(e) => void setFilter({ status: isStatus(e.target.value) ? e.target.value : null })}
          data-testid="filter-status"
        >
          <option value="">All statuses</option>
          {PAYMENT_STATUSES.map((status) => (
            <option key={status} value={status}>
              {STATUS_LOOK[status].label}
            </option>
          ))}
        </select>
      </div>
      {scopeMerchantId === null ? (
        <div className="flex flex-col">
          <label htmlFor={ids.merchant} className="mb-1 text-xs font-medium text-slate-600">
            Merchant
          </label>
          <input
            id={ids.merchant}
            type="search"
            placeholder="Any merchant"
            className={`${FIELD} w-36 px-2.5`}
            value={merchant}
            onChange={(e) => setMerchant(e.target.value)}
            data-testid="filter-merchant"
            spellCheck={false}
            autoCapitalize="none"
          />
        </div>
      ) : (
        <p className="pb-1.5 text-xs text-slate-500">
          Merchant <span className="font-medium text-slate-700">{scopeMerchantId}</span> only
        </p>
      )}
    </fieldset>
  );
}
