// The one generator of payment traffic: what the bench offers, the demo shows and the fault suite retries.
// Seeded, so two runs offer the same sequence; every fifth payment is at or above the default review
// threshold (10,000 major units), so one in five goes to review and the rest are authorized. Amounts are drawn
// as integer minor units and written as exact decimal text: no float ever becomes an amount.
import { currencyExponent } from './currencies.ts';
import { formatMinor } from './money.ts';

export const REVIEW_EVERY = 5;

/** Weighted currencies of everyday traffic (INR first: the merchants are Indian). */
const CURRENCIES: ReadonlyArray<readonly [string, number]> = [
  ['INR', 40],
  ['EUR', 20],
  ['USD', 20],
  ['GBP', 8],
  ['JPY', 7],
  ['BHD', 5],
];
const TOTAL_WEIGHT = CURRENCIES.reduce((sum, [, weight]) => sum + weight, 0);
const REFERENCES = ['order', 'invoice', 'basket'];

export type TrafficPayment = {
  sequence: number;
  merchantId: string;
  amount: string;
  currency: string;
  reference: string;
  /** At or above the review threshold. */
  review: boolean;
};

/** mulberry32: small, fast, and the same sequence for the same seed. */
export function seededRandom(seed: number): () => number {
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class PaymentTraffic {
  private sequence = 0;
  private readonly random: () => number;
  private readonly merchants: readonly string[];
  private readonly referencePrefix: string;

  constructor(options: { merchants: readonly string[]; seed?: number; referencePrefix?: string }) {
    if (options.merchants.length === 0) throw new Error('payment traffic needs at least one merchant');
    this.merchants = options.merchants;
    this.random = seededRandom(options.seed ?? 0x9e3779b9);
    this.referencePrefix = options.referencePrefix ?? '';
  }

  /** How many payments were generated so far. */
  get issued(): number {
    return this.sequence;
  }

  next(): TrafficPayment {
    const sequence = this.sequence++;
    const currency = this.currency();
    const scale = 10 ** (currencyExponent(currency) ?? 2);
    const review = sequence % REVIEW_EVERY === REVIEW_EVERY - 1;
    // major units: everyday 1 to 2,500, skewed small; 10,000 to 50,000 for a review
    const major = review ? 10_000 + Math.floor(this.random() * 40_000) : 1 + Math.floor(2_500 * this.random() ** 3);
    const minor = BigInt(major) * BigInt(scale) + BigInt(Math.floor(this.random() * scale));
    return {
      sequence,
      merchantId: this.merchants[sequence % this.merchants.length] as string,
      amount: formatMinor(minor, currency),
      currency,
      reference: `${this.referencePrefix}${REFERENCES[sequence % REFERENCES.length]}-${10_000 + sequence}`,
      review,
    };
  }

  private currency(): string {
    let r = this.random() * TOTAL_WEIGHT;
    for (const [code, weight] of CURRENCIES) {
      r -= weight;
      if (r < 0) return code;
    }
    return 'INR';
  }
}
