// Token endpoint and public key set. Tokens are short-lived RS256 JWTs; the JWKS lets the query API and
// anyone else verify them without the signing key.

import type { TokenIssuer } from '@payments/runtime/auth';
import { type App, errorResponses, PUBLIC, unauthorized } from '@payments/runtime/http';
import type { Pool } from '@payments/runtime/pg';
import { TokenRequestSchema, TokenResponseSchema } from '@payments/schemas';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { authenticateClient } from './clients.ts';

// a JWK's members beyond these are kept (additionalProperties): the key set is sent as jose exports it
const JwksSchema = Type.Object({
  keys: Type.Array(
    Type.Object(
      {
        kty: Type.Optional(Type.String()),
        kid: Type.Optional(Type.String()),
        alg: Type.Optional(Type.String()),
        use: Type.Optional(Type.String()),
        n: Type.Optional(Type.String()),
        e: Type.Optional(Type.String()),
      },
      { additionalProperties: true },
    ),
  ),
});

export async function authRoutes(
  app: App,
  options: {
    pool: Pool;
    issuer: TokenIssuer;
    rateLimit: { max: number; timeWindow: number; keyGenerator: (request: FastifyRequest) => string };
  },
): Promise<void> {
  app.post(
    '/api/auth/token',
    {
      schema: {
        summary: 'A short-lived access token for a client id and secret',
        security: PUBLIC,
        body: TokenRequestSchema,
        response: { 200: TokenResponseSchema, ...errorResponses(400, 401) },
      },
      config: { rateLimit: options.rateLimit },
    },
    async (request) => {
      const principal = await authenticateClient(options.pool, request.body.clientId, request.body.clientSecret);
      if (!principal) throw unauthorized('unknown client or wrong secret');
      const { token, expiresIn } = await options.issuer.issue(principal);
      return {
        accessToken: token,
        tokenType: 'Bearer' as const,
        expiresIn,
        role: principal.role,
        ...(principal.merchantId ? { merchantId: principal.merchantId } : {}),
      };
    },
  );
  app.get(
    '/.well-known/jwks.json',
    { schema: { summary: 'The public keys that verify access tokens', security: PUBLIC, response: { 200: JwksSchema } } },
    async () => options.issuer.jwks(),
  );
}
