import { describe, expect, it } from 'vitest';
import { formatMajor, formatMoney } from './format-money.ts';

describe('money formatting', () => {
  const en = (minor: number | string, currency: string) => formatMoney(minor, currency, { locale: 'en-US' });

  it('formats minor units with the currency’s own decimals', () => {
    expect(en(4999, 'USD')).toBe('$49.99');
    expect(en(5000, 'JPY')).toBe('¥5,000');
    expect(en(5, 'BHD')).toMatch(/^BHD\s0\.005$/);
    expect(formatMoney(123456, 'INR', { locale: 'en-IN' })).toBe('₹1,234.56');
  });

  it('stays exact beyond float precision (from the decimal string, not a float)', () => {
    // 9007199254740993 is not representable as a double; as minor units of INR it must print exactly.
    expect(en('9007199254740993', 'INR')).toBe('₹90,071,992,547,409.93');
    expect(formatMajor('0.30', 'USD', { locale: 'en-US' })).toBe('$0.30');
  });

  it('falls back to the code for a currency it does not know', () => {
    expect(formatMoney(100, 'XYZ')).toBe('100 XYZ (minor units)');
  });
});
