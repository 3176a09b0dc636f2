// Every Authorization header an attacker might try, by name. The names are fixed here so test tables can be
// written before the stack exists; `buildHostileAuthorizations` turns them into header values against the
// stack's real signing key. Each must be refused with 401 by every protected route of both APIs.
import { createHmac, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { devClient } from '@payments/schemas';
import { exportJWK, SignJWT } from 'jose';
import { hostileTokens, signed, signingKey } from './tokens.ts';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

export const HOSTILE_AUTHORIZATIONS = [
  // from tests/support/tokens.ts
  'alg none',
  'algorithm confusion (HS256 keyed with the RSA key)',
  'signed by another key',
  'expired',
  'not yet valid',
  'wrong issuer',
  'wrong audience',
  'garbage',
  // header shapes
  'no Authorization header',
  'empty Authorization header',
  'Bearer without a token',
  'Basic credentials',
  'token without the Bearer scheme',
  'token of 10 KB (under the header limit)',
  // forgeries of a real token
  'alg None (capitalised) without signature',
  'HS256 keyed with the public key PEM',
  'HS256 keyed with the public key as JWK JSON',
  'RS256 header with the signature stripped',
  'payload changed to analyst, original signature',
  'valid token with trailing garbage',
  'attacker key embedded in the jwk header',
  'jku header pointing at an attacker JWKS',
  'analyst role signed by another key',
  // validly signed, but not a token this system issues
  'no exp claim',
  'no sub claim',
  'unknown role',
  'merchant role without merchantId',
] as const;
export type HostileAuthorization = (typeof HOSTILE_AUTHORIZATIONS)[number];

/** Authorization header value per name; null means "send no Authorization header". */
export async function buildHostileAuthorizations(dataDir: string): Promise<Record<HostileAuthorization, string | null>> {
  const key = signingKey(dataDir);
  const publicKey = createPublicKey(key);
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const publicJwk = await exportJWK(publicKey);
  const claims = { sub: 'analyst', role: 'analyst', iss: 'payments-command-api', aud: 'payments', iat: now(), exp: now() + 300 };
  const hs = (secret: string | Buffer) => {
    const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}`;
    return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
  };
  const { privateKey: stranger } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const strangerJwk = await exportJWK(createPublicKey(stranger));
  const valid = await signed(dataDir, {});
  const [validHead, , validSig] = valid.split('.');
  const byAttacker = (header: Record<string, unknown>) =>
    new SignJWT({ role: 'analyst' })
      .setProtectedHeader({ alg: 'RS256', ...header })
      .setSubject('analyst')
      .setIssuer('payments-command-api')
      .setAudience('payments')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(stranger);
  // claims exactly as given (the `signed` helper always adds exp, sub, iss, aud)
  const signWith = (payload: Record<string, unknown>) => new SignJWT(payload).setProtectedHeader({ alg: 'RS256' }).sign(key);

  const base = await hostileTokens(dataDir);
  const bearer = (t: string) => `Bearer ${t}`;
  const built: Record<HostileAuthorization, string | null> = {
    'alg none': bearer(base['alg none'] as string),
    'algorithm confusion (HS256 keyed with the RSA key)': bearer(base['algorithm confusion (HS256 keyed with the RSA key)'] as string),
    'signed by another key': bearer(base['signed by another key'] as string),
    expired: bearer(base.expired as string),
    'not yet valid': bearer(base['not yet valid'] as string),
    'wrong issuer': bearer(base['wrong issuer'] as string),
    'wrong audience': bearer(base['wrong audience'] as string),
    garbage: bearer(base.garbage as string),
    'no Authorization header': null,
    'empty Authorization header': '',
    'Bearer without a token': 'Bearer ',
    'Basic credentials': `Basic ${Buffer.from(`analyst:${devClient('analyst').secret}`).toString('base64')}`,
    'token without the Bearer scheme': valid,
    'token of 10 KB (under the header limit)': bearer(`${validHead}.${'A'.repeat(10_000)}.${validSig}`),
    'alg None (capitalised) without signature': bearer(`${b64({ alg: 'None', typ: 'JWT' })}.${b64(claims)}.`),
    'HS256 keyed with the public key PEM': bearer(hs(publicPem)),
    'HS256 keyed with the public key as JWK JSON': bearer(hs(JSON.stringify(publicJwk))),
    'RS256 header with the signature stripped': bearer(`${validHead}.${b64({ ...claims })}.`),
    'payload changed to analyst, original signature': bearer(`${validHead}.${b64(claims)}.${validSig}`),
    'valid token with trailing garbage': bearer(`${valid}x`),
    'attacker key embedded in the jwk header': bearer(await byAttacker({ jwk: strangerJwk })),
    'jku header pointing at an attacker JWKS': bearer(await byAttacker({ jku: 'http://127.0.0.1:1/jwks.json', kid: 'attacker' })),
    'analyst role signed by another key': bearer(await byAttacker({})),
    'no exp claim': bearer(await signWith({ sub: 'analyst', role: 'analyst', iss: 'payments-command-api', aud: 'payments', iat: now() })),
    'no sub claim': bearer(await signWith({ role: 'analyst', iss: 'payments-command-api', aud: 'payments', iat: now(), exp: now() + 300 })),
    'unknown role': bearer(await signed(dataDir, { role: 'admin' })),
    'merchant role without merchantId': bearer(
      await signWith({ sub: 'm', role: 'merchant', iss: 'payments-command-api', aud: 'payments', iat: now(), exp: now() + 300 }),
    ),
  };
  return built;
}
