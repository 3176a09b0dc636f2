import { afterEach, describe, expect, it, vi } from 'vitest';
import { mockFetch } from '../testing/fixtures.ts';
import { ApiError, apiRequest, buildUrl, configureApiClient } from './api-client.ts';

describe('api client', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    configureApiClient({ getToken: () => null, onUnauthorized: () => {} });
  });

  it('sends the session token and JSON body, and returns the JSON reply', async () => {
    configureApiClient({ getToken: () => 'jwt-1', onUnauthorized: () => {} });
    const calls = mockFetch(() => [202, { ok: true }]);
    await expect(
      apiRequest('http://api.test', '/api/payments', { method: 'POST', body: { amount: '1.00' }, headers: { 'Idempotency-Key': 'k1' } }),
    ).resolves.toEqual({ ok: true });
    expect(calls[0]?.headers).toMatchObject({ Authorization: 'Bearer jwt-1', 'Content-Type': 'application/json', 'Idempotency-Key': 'k1' });
    expect(calls[0]?.body).toEqual({ amount: '1.00' });
  });

  it('turns an error reply into a typed ApiError with the API’s code and message', async () => {
    mockFetch(() => [409, { error: 'conflict', message: 'not in REVIEW' }]);
    const error = await apiRequest('http://api.test', '/x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 409, code: 'conflict', message: 'not in REVIEW' });
  });

  it('a 401 on the session’s token signs out; on an explicit token (sign-in, demo) it does not', async () => {
    const onUnauthorized = vi.fn();
    configureApiClient({ getToken: () => 'expired', onUnauthorized });
    mockFetch(() => [401, { error: 'unauthorized', message: 'token expired' }]);
    await expect(apiRequest('http://api.test', '/x')).rejects.toThrow('token expired');
    expect(onUnauthorized).toHaveBeenCalledOnce();
    await expect(apiRequest('http://api.test', '/x', { token: null })).rejects.toThrow();
    await expect(apiRequest('http://api.test', '/x', { token: 'merchant' })).rejects.toThrow();
    expect(onUnauthorized).toHaveBeenCalledOnce();
  });

  it('reports an unreachable server as a network error', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => Promise.reject(new TypeError('fetch failed'))),
    );
    await expect(apiRequest('http://api.test:8081', '/x')).rejects.toMatchObject({ status: 0, code: 'network_error' });
  });

  it('builds query strings without empty parameters', () => {
    expect(buildUrl('http://api.test', '/api/payments', { status: 'REVIEW', merchantId: null, cursor: '', limit: 50 })).toBe(
      'http://api.test/api/payments?status=REVIEW&limit=50',
    );
  });
});
