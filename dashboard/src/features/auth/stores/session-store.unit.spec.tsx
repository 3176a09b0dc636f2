// @vitest-environment jsdom
import { act, renderHook } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mockFetch } from '../../../testing/fixtures.ts';
import { SESSION_STORAGE_KEY, useSessionStore } from './session-store.ts';

const token = { accessToken: 'jwt-analyst', tokenType: 'Bearer', expiresIn: 900, role: 'analyst' };

describe('session store', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    sessionStorage.clear();
    useSessionStore.getState().signOut('user');
    useSessionStore.setState({ notice: null, error: null });
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('signs in with client credentials and keeps the token in sessionStorage', async () => {
    const calls = mockFetch(() => [200, token]);
    const { result } = renderHook(() => useSessionStore());
    let ok = false;
    await act(async () => {
      ok = await result.current.signIn(' analyst ', 'dev-analyst-secret');
    });
    expect(ok).toBe(true);
    expect(calls[0]?.url.toString()).toBe('http://localhost:8080/api/auth/token');
    expect(calls[0]?.body).toEqual({ clientId: 'analyst', clientSecret: 'dev-analyst-secret' });
    expect(calls[0]?.headers.Authorization).toBeUndefined();
    expect(result.current.session).toMatchObject({ token: 'jwt-analyst', role: 'analyst', merchantId: null, clientId: 'analyst' });
    expect(JSON.parse(sessionStorage.getItem(SESSION_STORAGE_KEY) ?? '{}').token).toBe('jwt-analyst');
  });

  it('says plainly when the secret is wrong', async () => {
    mockFetch(() => [401, { error: 'invalid_client', message: 'bad credentials' }]);
    const { result } = renderHook(() => useSessionStore());
    await act(() => result.current.signIn('analyst', 'nope'));
    expect(result.current.session).toBeNull();
    expect(result.current.error).toBe('Unknown client id or wrong secret');
    expect(result.current.pending).toBe(false);
  });

  it('keeps a merchant session on its merchant', async () => {
    mockFetch(() => [200, { ...token, role: 'merchant', merchantId: 'M123' }]);
    const { result } = renderHook(() => useSessionStore());
    await act(() => result.current.signIn('merchant-M123', 'dev-merchant-secret'));
    expect(result.current.session).toMatchObject({ role: 'merchant', merchantId: 'M123' });
  });

  it('signs out by itself when the token expires, and says why', async () => {
    mockFetch(() => [200, { ...token, expiresIn: 60 }]);
    const { result } = renderHook(() => useSessionStore());
    await act(() => result.current.signIn('analyst', 'dev-analyst-secret'));
    act(() => vi.advanceTimersByTime(59_000));
    expect(result.current.session).not.toBeNull();
    act(() => vi.advanceTimersByTime(1_000));
    expect(result.current.session).toBeNull();
    expect(result.current.notice).toMatch(/expired/);
    expect(sessionStorage.getItem(SESSION_STORAGE_KEY)).toBeNull();
  });

  it('restores an unexpired session from sessionStorage and forgets an expired one', () => {
    const stored = { token: 't', role: 'viewer', merchantId: null, clientId: 'viewer', expiresAt: Date.now() + 60_000 };
    sessionStorage.setItem(SESSION_STORAGE_KEY, JSON.stringify(stored));
    const { result } = renderHook(() => useSessionStore());
    act(() => result.current.restore());
    expect(result.current.session).toEqual(stored);

    act(() => result.current.signOut());
    sessionStorage.setItem(SESSION_STORAGE_KEY, JSON.stringify({ ...stored, expiresAt: Date.now() - 1 }));
    act(() => result.current.restore());
    expect(result.current.session).toBeNull();
    expect(sessionStorage.getItem(SESSION_STORAGE_KEY)).toBeNull();
  });

  it('signing out clears the session and its storage', async () => {
    mockFetch(() => [200, token]);
    const { result } = renderHook(() => useSessionStore());
    await act(() => result.current.signIn('analyst', 'dev-analyst-secret'));
    act(() => result.current.signOut());
    expect(result.current.session).toBeNull();
    expect(result.current.notice).toBeNull();
    expect(sessionStorage.getItem(SESSION_STORAGE_KEY)).toBeNull();
  });
});
