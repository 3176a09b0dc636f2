import { parseAmount } from '@payments/schemas';
import { describe, expect, it } from 'vitest';
import { demoPayment } from './demo-generator.ts';

/** A small deterministic generator (mulberry32). */
function seeded(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('demo payments', () => {
  it('are valid requests in several currencies, about one in eight large enough for review', () => {
    const random = seeded(7);
    const payments = Array.from({ length: 2000 }, (_, i) => demoPayment(i % 2 ? 'M123' : 'M456', random, i));
    for (const p of payments) expect(parseAmount(p.amount, p.currency)).toMatchObject({ ok: true });
    expect(new Set(payments.map((p) => p.currency)).size).toBeGreaterThanOrEqual(5);
    const large = payments.filter((p) => Number.parseInt(String(p.amount), 10) >= 10_000).length / payments.length;
    expect(large).toBeGreaterThan(0.08);
    expect(large).toBeLessThan(0.16);
  });

  it('writes amounts with exactly the currency’s decimals', () => {
    const random = seeded(1);
    for (let i = 0; i < 200; i++) {
      const p = demoPayment('M123', random, i);
      const decimals = String(p.amount).split('.')[1]?.length ?? 0;
      expect(decimals).toBe({ JPY: 0, BHD: 3 }[p.currency] ?? 2);
    }
  });
});
