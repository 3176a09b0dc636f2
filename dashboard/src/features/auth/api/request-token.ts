import type { TokenResponse } from '@payments/schemas';
import { config } from '../../../config/env.ts';
import { apiRequest } from '../../../lib/api-client.ts';

/** POST /api/auth/token on the command API: client credentials for a bearer token. */
export function requestToken(clientId: string, clientSecret: string): Promise<TokenResponse> {
  return apiRequest<TokenResponse>(config.commandApiUrl, '/api/auth/token', {
    method: 'POST',
    body: { clientId, clientSecret },
    token: null,
  });
}
