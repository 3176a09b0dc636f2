// Realistic-looking demo payments: several currencies, mostly everyday amounts, and about one in eight
// at or above 10,000 major units so the default rule sends it to review. Amounts are drawn as integer
// minor units and written as exact decimal strings (no float ever becomes an amount).
import { currencyExponent, formatMinor, type RequestPaymentBody } from '@payments/schemas';

const CURRENCIES: ReadonlyArray<readonly [string, number]> = [
  ['INR', 35],
  ['USD', 20],
  ['EUR', 15],
  ['GBP', 10],
  ['JPY', 8],
  ['SGD', 7],
  ['BHD', 5],
];
const TOTAL_WEIGHT = CURRENCIES.reduce((sum, [, w]) => sum + w, 0);
export const REVIEW_SHARE = 0.12;

function pickCurrency(random: () => number): string {
  let r = random() * TOTAL_WEIGHT;
  for (const [code, weight] of CURRENCIES) {
    r -= weight;
    if (r < 0) return code;
  }
  return 'INR';
}

/** A demo payment for `merchantId`; `random` is injectable so tests are deterministic. */
export function demoPayment(merchantId: string, random: () => number = Math.random, sequence = 0): RequestPaymentBody {
  const currency = pickCurrency(random);
  const exponent = currencyExponent(currency) ?? 2;
  const scale = 10 ** exponent;
  // Major units: everyday 1..2,500 (skewed small), or 10,000..60,000 for the review share.
  const major = random() < REVIEW_SHARE ? 10_000 + Math.floor(random() * 50_000) : 1 + Math.floor(2500 * random() ** 3);
  const fraction = exponent === 0 ? 0 : Math.floor(random() * scale);
  const minor = BigInt(major) * BigInt(scale) + BigInt(fraction);
  return {
    merchantId,
    amount: formatMinor(minor, currency),
    currency,
    reference: `demo-${Date.now().toString(36)}-${sequence}`,
  };
}
