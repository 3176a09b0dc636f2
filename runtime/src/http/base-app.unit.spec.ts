// Every response of both APIs carries helmet's security headers, errors included.
import { describe, expect, it } from 'vitest';
import type { TokenVerifier } from '../auth.ts';
import { createLogger } from '../logger.ts';
import { createRegistry } from '../metrics.ts';
import { createBaseApp, SECURITY_HEADERS } from './base-app.ts';

describe('security headers', () => {
  it("are helmet's defaults, on a success, on a 404 and on a refused request", async () => {
    expect(SECURITY_HEADERS).toMatchObject({ 'x-content-type-options': 'nosniff', 'x-frame-options': 'SAMEORIGIN' });
    expect(SECURITY_HEADERS['content-security-policy']).toContain("default-src 'self'");
    const app = await createBaseApp({
      logger: createLogger('test', 'silent'),
      registry: createRegistry('test'),
      verifier: { verify: async () => Promise.reject(new Error('no tokens here')) } as unknown as TokenVerifier,
      corsOrigins: [],
      readiness: {},
    });
    try {
      for (const url of ['/health/live', '/nowhere']) {
        const res = await app.inject({ method: 'GET', url });
        expect(res.statusCode).toBe(url === '/health/live' ? 200 : 404);
        for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(res.headers[name]).toBe(value);
      }
      const refused = await app.inject({ method: 'POST', url: '/health/live', headers: { 'content-type': 'text/plain' }, payload: 'x' });
      expect(refused.statusCode).toBeGreaterThanOrEqual(400);
      expect(refused.headers['x-content-type-options']).toBe('nosniff');
    } finally {
      await app.close();
    }
  });
});
