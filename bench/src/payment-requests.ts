// The offered traffic: POST /api/payments requests as merchants send them, built on the project's one payment
// generator (schemas' PaymentTraffic: seeded, one in five to review). Every request has its own
// Idempotency-Key and the token of the merchant it is for.
import { PaymentTraffic } from '@payments/schemas';

export type MerchantToken = { merchantId: string; token: string };
export type PaymentRequest = {
  headers: Record<string, string>;
  body: string;
  review: boolean;
};

export class PaymentRequestMix {
  private readonly runId: string;
  private readonly tokens: Map<string, string>;
  private readonly traffic: PaymentTraffic;

  constructor(runId: string, merchants: readonly MerchantToken[]) {
    if (!merchants.length) throw new Error('at least one merchant token is needed');
    this.runId = runId;
    this.tokens = new Map(merchants.map((m) => [m.merchantId, m.token]));
    this.traffic = new PaymentTraffic({ merchants: merchants.map((m) => m.merchantId), referencePrefix: 'bench-' });
  }

  next(): PaymentRequest {
    const p = this.traffic.next();
    return {
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${this.tokens.get(p.merchantId)}`,
        'idempotency-key': `bench-${this.runId}-${p.sequence}`,
      },
      body: JSON.stringify({ merchantId: p.merchantId, amount: p.amount, currency: p.currency, reference: p.reference }),
      review: p.review,
    };
  }
}
