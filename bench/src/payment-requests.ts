// The offered traffic: POST /api/payments requests as merchants send them. Every request has its own
// Idempotency-Key; merchants and currencies alternate; every fifth amount is at or above the review threshold
// (10000 major units), so about 80% are authorized and 20% go to review. Amounts come from a seeded generator:
// two runs offer the same sequence.

export type MerchantToken = { merchantId: string; token: string };
export type PaymentRequest = { headers: Record<string, string>; body: string; review: boolean };

export const REVIEW_SHARE = 0.2;
const CURRENCIES = ['INR', 'EUR'] as const;

export class PaymentRequestMix {
  private sequence = 0;
  private seed = 0x9e3779b9;
  private readonly runId: string;
  private readonly merchants: readonly MerchantToken[];

  constructor(runId: string, merchants: readonly MerchantToken[]) {
    if (!merchants.length) throw new Error('at least one merchant token is needed');
    this.runId = runId;
    this.merchants = merchants;
  }

  get issued(): number {
    return this.sequence;
  }

  next(): PaymentRequest {
    const n = this.sequence++;
    const merchant = this.merchants[n % this.merchants.length] as MerchantToken;
    const review = n % 5 === 4;
    const cents = review ? 1_000_000 + Math.floor(this.random() * 4_000_000) : 100 + Math.floor(this.random() * 999_800);
    const body = JSON.stringify({
      merchantId: merchant.merchantId,
      amount: (cents / 100).toFixed(2),
      currency: CURRENCIES[Math.floor(n / this.merchants.length) % CURRENCIES.length],
      reference: `bench-${n}`,
    });
    return {
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${merchant.token}`,
        'idempotency-key': `bench-${this.runId}-${n}`,
      },
      body,
      review,
    };
  }

  /** mulberry32: small, fast, and the same sequence on every run. */
  private random(): number {
    this.seed = (this.seed + 0x6d2b79f5) | 0;
    let t = this.seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}
