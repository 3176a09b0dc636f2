// DEVELOPMENT ONLY. Demo traffic posts payments as the development merchant clients seeded by `npm start`
// (their secrets are the published development ones; production refuses to start with them). The
// tokens stay in this module's memory and never replace the analyst's own session.
import { type PaymentAccepted, type RequestPaymentBody, signInDevClient, type TokenResponse } from '@payments/schemas';
import { config } from '../../../config/env.ts';
import { apiRequest } from '../../../lib/api-client.ts';

/** Signs in one of the development merchants (DEV_MERCHANT_CLIENTS). */
export function requestMerchantToken(clientId: string): Promise<TokenResponse> {
  return signInDevClient(config.commandApiUrl, clientId);
}

export function postPayment(token: string, body: RequestPaymentBody, idempotencyKey: string): Promise<PaymentAccepted> {
  return apiRequest<PaymentAccepted>(config.commandApiUrl, '/api/payments', {
    method: 'POST',
    body,
    token,
    headers: { 'Idempotency-Key': idempotencyKey },
  });
}
