// The development clients `npm start` seeds (README, DESIGN.md), written out once: the command API seeds and
// refuses them (production will not start while one works), and tests, scripts and the dashboard's demo sign
// in as them. Browser-safe: the typed client (plain fetch), no node: imports, so the dashboard can use it too.
import { createCommandApiClient } from './api/client.ts';
import type { Role, TokenResponse } from './commands.ts';

export type DevClient = { clientId: string; secret: string; role: Role; merchantId?: string; label: string };

export const DEV_CLIENTS = [
  { clientId: 'merchant-M123', secret: 'dev-merchant-secret', role: 'merchant', merchantId: 'M123', label: 'Merchant M123' },
  { clientId: 'merchant-M456', secret: 'dev-merchant-secret', role: 'merchant', merchantId: 'M456', label: 'Merchant M456' },
  { clientId: 'analyst', secret: 'dev-analyst-secret', role: 'analyst', label: 'Analyst' },
  { clientId: 'viewer', secret: 'dev-viewer-secret', role: 'viewer', label: 'Viewer' },
] as const satisfies readonly DevClient[];

export type DevClientId = (typeof DEV_CLIENTS)[number]['clientId'];

/** The development merchants, e.g. for demo traffic. */
export const DEV_MERCHANT_CLIENTS = DEV_CLIENTS.filter(
  (c): c is Extract<(typeof DEV_CLIENTS)[number], { role: 'merchant' }> => c.role === 'merchant',
);

export function devClient(clientId: string): DevClient {
  const client = DEV_CLIENTS.find((c) => c.clientId === clientId);
  if (!client) throw new Error(`${clientId} is not a development client (${DEV_CLIENTS.map((c) => c.clientId).join(', ')})`);
  return client;
}

/** Signs a development client in at the command API (POST /api/auth/token): the whole token response. */
export async function signInDevClient(commandApiUrl: string, clientId: string): Promise<TokenResponse> {
  const { data, error, response } = await createCommandApiClient(commandApiUrl).POST('/api/auth/token', {
    body: { clientId, clientSecret: devClient(clientId).secret },
  });
  if (!data) throw new Error(`could not sign in ${clientId} at ${commandApiUrl}: ${response.status} ${JSON.stringify(error)}`);
  return data;
}

/** A bearer token for a development client. */
export async function devToken(commandApiUrl: string, clientId: string): Promise<string> {
  return (await signInDevClient(commandApiUrl, clientId)).accessToken;
}
