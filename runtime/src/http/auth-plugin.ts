// Bearer-token authentication for both APIs: verifies the token (cached), exposes request.principal, and
// gives routes a one-line role check.
import type { Role } from '@payments/schemas';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AuthError, type Principal, type TokenVerifier } from '../auth.ts';
import { forbidden, unauthorized } from './errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
    authError: Error | null;
  }
}

// RFC 6750: the scheme, spaces, one b64token and nothing after it ("Bearer <token> garbage" was accepted
// by reading only the second word)
const BEARER = /^bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  return BEARER.exec(header)?.[1];
}

export async function authenticate(verifier: TokenVerifier, token: string | undefined): Promise<Principal> {
  if (!token) throw unauthorized('missing bearer token');
  if (token.length > 8192) throw unauthorized('token too long');
  try {
    return await verifier.verify(token);
  } catch (error) {
    if (error instanceof AuthError) throw unauthorized(error.message);
    throw error;
  }
}

/**
 * A hook that demands a valid token whose role is one of `roles`. Register it as the route's `onRequest`, so a
 * caller without the right is refused (401/403) before its body is read, parsed or validated: an anonymous
 * request must learn nothing from validation errors, and must not make the server parse its payload. (The
 * WebSocket route, which may take its token from the query string, runs it as a preHandler instead.)
 */
export const requireRole =
  (...roles: Role[]) =>
  async (request: FastifyRequest): Promise<void> => {
    if (request.authError) throw request.authError;
    const principal = request.principal;
    if (!principal) throw unauthorized('missing bearer token');
    if (!roles.includes(principal.role)) throw forbidden(`role ${principal.role} may not do this`);
  };

/** The principal of a route guarded by requireRole. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw unauthorized('missing bearer token');
  return request.principal;
}

declare module 'fastify' {
  interface FastifyInstance {
    tokenVerifier: TokenVerifier;
  }
}

export const authPlugin = fp(
  async (app: FastifyInstance, options: { verifier: TokenVerifier }) => {
    app.decorate('tokenVerifier', options.verifier);
    app.decorateRequest('principal', null);
    app.decorateRequest('authError', null);
    // Verified up front (and cached) so later hooks, such as the per-merchant rate limit, know the caller;
    // routes decide with requireRole whether a missing or bad token matters.
    app.addHook('onRequest', async (request) => {
      const header = request.headers.authorization;
      if (!header) return;
      const token = bearerToken(header);
      if (!token) {
        request.authError = unauthorized('the Authorization header must be "Bearer <token>"');
        return;
      }
      try {
        request.principal = await authenticate(options.verifier, token);
      } catch (error) {
        request.authError = error as Error;
      }
    });
  },
  { name: 'auth' },
);
