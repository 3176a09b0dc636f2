// Token endpoint and public key set. Tokens are short-lived RS256 JWTs; the JWKS lets the query API and
// anyone else verify them without the signing key.

import type { TokenIssuer } from '@payments/runtime/auth';
import { type App, unauthorized } from '@payments/runtime/http';
import type { Pool } from '@payments/runtime/pg';
import { ErrorResponseSchema, TokenRequestSchema, TokenResponseSchema } from '@payments/schemas';
import type { FastifyRequest } from 'fastify';
import { authenticateClient } from './clients.ts';

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
      schema: { body: TokenRequestSchema, response: { 200: TokenResponseSchema, 400: ErrorResponseSchema, 401: ErrorResponseSchema } },
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
  app.get('/.well-known/jwks.json', async () => options.issuer.jwks());
}
