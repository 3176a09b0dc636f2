// API clients (client-credentials grant): lookup, secret check, and seeding of the development clients.
import { hashSecret, type Principal, verifySecret } from '@payments/runtime/auth';
import type { Pool } from '@payments/runtime/pg';
import { DEV_CLIENTS } from '@payments/schemas';

// Compared against when the client id is unknown, so a wrong id costs as long as a wrong secret.
const DUMMY_HASH = await hashSecret('not-a-client');

export async function authenticateClient(pool: Pool, clientId: string, secret: string): Promise<Principal | null> {
  const { rows } = await pool.query<{ secret_hash: string; role: Principal['role']; merchant_id: string | null }>(
    'select secret_hash, role, merchant_id from auth.clients where client_id = $1',
    [clientId],
  );
  const client = rows[0];
  const ok = await verifySecret(secret, client?.secret_hash ?? DUMMY_HASH);
  if (!client || !ok) return null;
  return { sub: clientId, role: client.role, ...(client.merchant_id ? { merchantId: client.merchant_id } : {}) };
}

/** Client ids that still accept a development secret: production refuses to start while there are any. */
export async function clientsWithDevSecrets(pool: Pool): Promise<string[]> {
  const found: string[] = [];
  for (const c of DEV_CLIENTS) {
    const { rows } = await pool.query<{ secret_hash: string }>('select secret_hash from auth.clients where client_id = $1', [c.clientId]);
    if (rows[0] && (await verifySecret(c.secret, rows[0].secret_hash))) found.push(c.clientId);
  }
  return found;
}
