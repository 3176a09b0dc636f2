// Specifications of the payment traffic generator that the bench, the demo and the fault suite share.
import { describe, expect, it } from 'vitest';
import { parseAmount } from './money.ts';
import { PaymentTraffic } from './payment-traffic.ts';

const take = (traffic: PaymentTraffic, n: number) => Array.from({ length: n }, () => traffic.next());

describe('payment traffic', () => {
  it('is valid payment requests, in several currencies, alternating merchants', () => {
    const payments = take(new PaymentTraffic({ merchants: ['M123', 'M456'] }), 2000);
    for (const p of payments) expect(parseAmount(p.amount, p.currency)).toMatchObject({ ok: true });
    expect(new Set(payments.map((p) => p.currency)).size).toBeGreaterThanOrEqual(5);
    expect(payments.slice(0, 4).map((p) => p.merchantId)).toEqual(['M123', 'M456', 'M123', 'M456']);
  });

  it('sends exactly one payment in five to review: those, and only those, at or above 10,000 major units', () => {
    const payments = take(new PaymentTraffic({ merchants: ['M1'] }), 1000);
    expect(payments.filter((p) => p.review)).toHaveLength(200);
    for (const p of payments) expect(Number.parseFloat(p.amount) >= 10_000).toBe(p.review);
  });

  it('writes amounts with exactly the currency’s decimals', () => {
    for (const p of take(new PaymentTraffic({ merchants: ['M1'] }), 500)) {
      expect(p.amount.split('.')[1]?.length ?? 0).toBe({ JPY: 0, BHD: 3 }[p.currency] ?? 2);
    }
  });

  it('offers the same sequence for the same seed, another for another seed', () => {
    const a = take(new PaymentTraffic({ merchants: ['M1'], seed: 7 }), 50);
    expect(take(new PaymentTraffic({ merchants: ['M1'], seed: 7 }), 50)).toEqual(a);
    expect(take(new PaymentTraffic({ merchants: ['M1'], seed: 8 }), 50)).not.toEqual(a);
  });
});
