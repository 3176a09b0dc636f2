// Hostile and edge-case tokens, signed with the stack's real development key or forged.
import { createHmac, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT } from 'jose';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export function signingKey(dataDir: string) {
  return createPrivateKey(readFileSync(join(dataDir, 'dev-keys', 'jwt-signing-key.pem')));
}

type Claims = { sub?: string; role?: string; merchantId?: string; iss?: string; aud?: string; exp?: number; nbf?: number };

export async function signed(dataDir: string, claims: Claims, key = signingKey(dataDir)) {
  const now = Math.floor(Date.now() / 1000);
  const { sub = 'merchant-M123', iss = 'payments-command-api', aud = 'payments', exp = now + 300, nbf = now - 5, ...rest } = claims;
  return new SignJWT({ role: 'merchant', merchantId: 'M123', ...rest })
    .setProtectedHeader({ alg: 'RS256' })
    .setSubject(sub)
    .setIssuer(iss)
    .setAudience(aud)
    .setIssuedAt(now)
    .setNotBefore(nbf)
    .setExpirationTime(exp)
    .sign(key);
}

export async function hostileTokens(dataDir: string): Promise<Record<string, string>> {
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    sub: 'merchant-M123',
    role: 'merchant',
    merchantId: 'M123',
    iss: 'payments-command-api',
    aud: 'payments',
    exp: now + 300,
  };
  const publicPem = createPrivateKey(readFileSync(join(dataDir, 'dev-keys', 'jwt-signing-key.pem')))
    .export({ type: 'pkcs8', format: 'pem' })
    .toString();
  const hsHeader = b64({ alg: 'HS256', typ: 'JWT' });
  const hsBody = b64(claims);
  const confusion = `${hsHeader}.${hsBody}.${createHmac('sha256', publicPem).update(`${hsHeader}.${hsBody}`).digest('base64url')}`;
  const { privateKey: stranger } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    'alg none': `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`,
    'algorithm confusion (HS256 keyed with the RSA key)': confusion,
    'signed by another key': await signed(dataDir, {}, stranger),
    expired: await signed(dataDir, { exp: now - 60, nbf: now - 600 }),
    'not yet valid': await signed(dataDir, { nbf: now + 600 }),
    'wrong issuer': await signed(dataDir, { iss: 'someone-else' }),
    'wrong audience': await signed(dataDir, { aud: 'another-api' }),
    garbage: 'not.a.jwt',
  };
}
