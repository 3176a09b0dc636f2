// Authentication: client secrets hashed with scrypt and compared in constant time; short-lived RS256 JWTs
// signed by the command API and verified by both APIs from the public key set (JWKS), so the query API never
// holds the signing key. Verified tokens are cached until they expire: verification runs on every request.
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DEV_CLIENTS, type Role } from '@payments/schemas';
import { calculateJwkThumbprint, createRemoteJWKSet, exportJWK, type JWK, type JWTVerifyGetKey, jwtVerify, SignJWT } from 'jose';

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keylen: number, options: object) => Promise<Buffer>;

/** Who is calling; `expiresAt` (ms since the epoch) is when the token it was read from expires. */
export type Principal = { sub: string; role: Role; merchantId?: string; expiresAt?: number };

export class AuthError extends Error {
  readonly code = 'unauthorized';
}

const SCRYPT = { N: 16384, r: 8, p: 1 };

export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(secret, salt, 32, SCRYPT);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const [kind, n, r, p, salt, hash] = stored.split('$');
  if (kind !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await scryptAsync(secret, Buffer.from(salt, 'base64'), expected.length, { N: Number(n), r: Number(r), p: Number(p) });
  return timingSafeEqual(actual, expected);
}

// The development clients are defined once, in @payments/schemas (dev-clients.ts); re-exported here for
// bench/, which still imports them from the runtime.

export type TokenSettings = { issuer: string; audience: string; ttlSeconds: number };

export class TokenIssuer {
  private readonly privateKey: KeyObject;
  private readonly settings: TokenSettings;
  private kid = '';
  private publicJwk: JWK | null = null;

  constructor(privateKey: KeyObject, settings: TokenSettings) {
    this.privateKey = privateKey;
    this.settings = settings;
  }

  async jwks(): Promise<{ keys: JWK[] }> {
    if (!this.publicJwk) {
      const jwk = await exportJWK(createPublicKey(this.privateKey));
      this.kid = await calculateJwkThumbprint(jwk);
      this.publicJwk = { ...jwk, kid: this.kid, alg: 'RS256', use: 'sig' };
    }
    return { keys: [this.publicJwk] };
  }

  async issue(principal: Principal, now = new Date()): Promise<{ token: string; expiresIn: number }> {
    await this.jwks();
    const iat = Math.floor(now.getTime() / 1000);
    const token = await new SignJWT({ role: principal.role, ...(principal.merchantId ? { merchantId: principal.merchantId } : {}) })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: this.kid })
      .setSubject(principal.sub)
      .setIssuer(this.settings.issuer)
      .setAudience(this.settings.audience)
      .setIssuedAt(iat)
      .setNotBefore(iat)
      .setExpirationTime(iat + this.settings.ttlSeconds)
      .sign(this.privateKey);
    return { token, expiresIn: this.settings.ttlSeconds };
  }
}

export type VerificationKey = KeyObject | JWTVerifyGetKey;

export const remoteJwks = (url: string): JWTVerifyGetKey => createRemoteJWKSet(new URL(url), { cooldownDuration: 5000 });

export class TokenVerifier {
  private readonly key: VerificationKey;
  private readonly settings: Omit<TokenSettings, 'ttlSeconds'>;
  private readonly cache = new Map<string, { principal: Principal; notBefore: number; expires: number }>();
  private static readonly MAX_CACHED = 10_000;

  constructor(key: VerificationKey, settings: Omit<TokenSettings, 'ttlSeconds'>) {
    this.key = key;
    this.settings = settings;
  }

  async verify(token: string): Promise<Principal> {
    const now = Date.now();
    const hit = this.cache.get(token);
    if (hit && now >= hit.notBefore && now < hit.expires) return hit.principal;
    if (hit) this.cache.delete(token);
    try {
      const options = {
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        algorithms: ['RS256'],
        requiredClaims: ['exp', 'sub'],
      };
      const { payload } =
        typeof this.key === 'function' ? await jwtVerify(token, this.key, options) : await jwtVerify(token, this.key, options);
      const role = payload.role;
      if (role !== 'merchant' && role !== 'analyst' && role !== 'viewer') throw new AuthError('token has no valid role');
      const merchantId = typeof payload.merchantId === 'string' ? payload.merchantId : undefined;
      if (role === 'merchant' && !merchantId) throw new AuthError('merchant token without merchantId');
      const principal: Principal = {
        sub: String(payload.sub),
        role,
        ...(merchantId ? { merchantId } : {}),
        expiresAt: (payload.exp ?? 0) * 1000,
      };
      if (this.cache.size >= TokenVerifier.MAX_CACHED) this.cache.clear();
      this.cache.set(token, { principal, notBefore: (payload.nbf ?? 0) * 1000, expires: (payload.exp ?? 0) * 1000 });
      return principal;
    } catch (error) {
      if (error instanceof AuthError) throw error;
      throw new AuthError(tokenErrorMessage(error));
    }
  }
}

function tokenErrorMessage(error: unknown): string {
  const code = (error as { code?: string }).code;
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return 'token expired';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return `token claim invalid: ${(error as { claim?: string }).claim ?? 'unknown'}`;
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return 'token algorithm not allowed';
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return 'token signature invalid';
    default:
      return 'token invalid';
  }
}

/** Development signing key, generated once per checkout under .data/ (git-ignored). Never used in production. */
export function loadOrCreateDevSigningKey(dataDir: string): KeyObject {
  const file = join(dataDir, 'dev-keys', 'jwt-signing-key.pem');
  if (!existsSync(file)) {
    mkdirSync(join(dataDir, 'dev-keys'), { recursive: true });
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    try {
      writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
    } catch (error) {
      // another process created it first: use theirs, so every process signs with one key
      if ((error as { code?: string }).code !== 'EEXIST') throw error;
    }
  }
  return createPrivateKey(readFileSync(file));
}

export const parsePrivateKey = (pem: string): KeyObject => createPrivateKey(pem.replaceAll('\\n', '\n'));

type ClientStore = { query: (sql: string, params?: unknown[]) => Promise<{ rowCount: number | null }> };

/**
 * The development clients of DESIGN.md, inserted when missing (never overwritten: a client whose secret was
 * changed keeps it). Returns the ids it created.
 */
export async function seedDevClients(db: ClientStore): Promise<string[]> {
  const seeded: string[] = [];
  for (const client of DEV_CLIENTS) {
    const exists = await db.query('select 1 from auth.clients where client_id = $1', [client.clientId]);
    if (exists.rowCount) continue;
    const merchantId = 'merchantId' in client ? client.merchantId : null;
    const inserted = await db.query(
      `insert into auth.clients (client_id, secret_hash, role, merchant_id) values ($1, $2, $3, $4)
       on conflict (client_id) do nothing`,
      [client.clientId, await hashSecret(client.secret), client.role, merchantId],
    );
    if (inserted.rowCount) seeded.push(client.clientId);
  }
  return seeded;
}
