// DEVELOPMENT ONLY. Demo traffic posts payments as the development merchant clients seeded by `npm start`
// (their secrets are the published development ones; production refuses to start with them). The
// tokens stay in this module's memory and never replace the analyst's own session.
import type { PaymentAccepted, RequestPaymentBody, TokenResponse } from '@payments/schemas';
import { config } from '../../../config/env.ts';
import { apiRequest } from '../../../lib/api-client.ts';

export const DEMO_MERCHANT_CLIENTS = [
  { clientId: 'merchant-M123', clientSecret: 'dev-merchant-secret', merchantId: 'M123' },
  { clientId: 'merchant-M456', clientSecret: 'dev-merchant-secret', merchantId: 'M456' },
] as const;

export function requestMerchantToken(clientId: string, clientSecret: string): Promise<TokenResponse> {
  return apiRequest<TokenResponse>(config.commandApiUrl, '/api/auth/token', {
    method: 'POST',
    body: { clientId, clientSecret },
    token: null,
  });
}

export function postPayment(token: string, body: RequestPaymentBody, idempotencyKey: string): Promise<PaymentAccepted> {
  return apiRequest<PaymentAccepted>(config.commandApiUrl, '/api/payments', {
    method: 'POST',
    body,
    token,
    headers: { 'Idempotency-Key': idempotencyKey },
  });
}
