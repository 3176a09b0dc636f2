// Who is signed in: the bearer token, its role and merchant, and when it expires. The token lives in
// memory and sessionStorage (per tab, gone when the tab closes), never localStorage. A timer signs the
// session out when the token expires, so the console never sits there failing every request with 401.
import { ROLES, type Role } from '@payments/schemas';
import { create } from 'zustand';
import { ApiError, errorMessage } from '../../../lib/api-client.ts';
import { requestToken } from '../api/request-token.ts';

export interface Session {
  token: string;
  role: Role;
  merchantId: string | null;
  clientId: string;
  /** Epoch ms. */
  expiresAt: number;
}

export type SignOutReason = 'user' | 'expired';

export interface SessionState {
  session: Session | null;
  pending: boolean;
  /** Why the last sign-in failed. */
  error: string | null;
  /** Shown on the sign-in page after a sign-out the user did not ask for. */
  notice: string | null;
  signIn(clientId: string, clientSecret: string): Promise<boolean>;
  signOut(reason?: SignOutReason): void;
  /** Picks up a session this tab stored earlier, if it has not expired. */
  restore(): void;
}

export const SESSION_STORAGE_KEY = 'payments.session';
/** setTimeout's largest delay (about 24.8 days). */
const MAX_TIMER_MS = 2_147_483_647;

let expiryTimer: ReturnType<typeof setTimeout> | null = null;

const isRole = (value: unknown): value is Role => typeof value === 'string' && (ROLES as readonly string[]).includes(value);

function isSession(value: unknown): value is Session {
  if (typeof value !== 'object' || value === null) return false;
  const s = value as Record<string, unknown>;
  return (
    typeof s.token === 'string' &&
    isRole(s.role) &&
    (s.merchantId === null || typeof s.merchantId === 'string') &&
    typeof s.clientId === 'string' &&
    typeof s.expiresAt === 'number'
  );
}

function storage(): Storage | null {
  try {
    return typeof sessionStorage === 'undefined' ? null : sessionStorage;
  } catch {
    return null; // storage disabled: the session is kept in memory only
  }
}

export const useSessionStore = create<SessionState>()((set, get) => {
  const clearTimer = () => {
    if (expiryTimer !== null) clearTimeout(expiryTimer);
    expiryTimer = null;
  };

  const begin = (session: Session) => {
    clearTimer();
    expiryTimer = setTimeout(() => get().signOut('expired'), Math.min(MAX_TIMER_MS, Math.max(0, session.expiresAt - Date.now())));
    set({ session, pending: false, error: null, notice: null });
  };

  return {
    session: null,
    pending: false,
    error: null,
    notice: null,

    async signIn(clientId, clientSecret) {
      set({ pending: true, error: null, notice: null });
      try {
        const response = await requestToken(clientId.trim(), clientSecret);
        if (!isRole(response.role)) throw new Error(`This console does not support the role "${response.role}"`);
        if (response.role === 'merchant' && !response.merchantId) throw new Error('The merchant token carries no merchant id');
        const session: Session = {
          token: response.accessToken,
          role: response.role,
          merchantId: response.merchantId ?? null,
          clientId: clientId.trim(),
          expiresAt: Date.now() + response.expiresIn * 1000,
        };
        storage()?.setItem(SESSION_STORAGE_KEY, JSON.stringify(session));
        begin(session);
        return true;
      } catch (error) {
        const message =
          error instanceof ApiError && error.status === 401
            ? 'Unknown client id or wrong secret'
            : error instanceof ApiError && error.status === 400
              ? `Sign-in rejected: ${error.message}`
              : errorMessage(error);
        set({ pending: false, error: message });
        return false;
      }
    },

    signOut(reason = 'user') {
      clearTimer();
      storage()?.removeItem(SESSION_STORAGE_KEY);
      if (get().session === null && reason === 'user') return;
      set({
        session: null,
        pending: false,
        error: null,
        notice: reason === 'expired' ? 'Your session expired. Sign in again to continue.' : null,
      });
    },

    restore() {
      const raw = storage()?.getItem(SESSION_STORAGE_KEY);
      if (!raw) return;
      let stored: unknown;
      try {
        stored = JSON.parse(raw);
      } catch {
        stored = null;
      }
      // Keep a margin: a token about to expire would only fail the first requests.
      if (isSession(stored) && stored.expiresAt - Date.now() > 5_000) begin(stored);
      else storage()?.removeItem(SESSION_STORAGE_KEY);
    },
  };
});

/** The role's rights, in one place. */
export const canReview = (session: Session | null) => session?.role === 'analyst';
export const canReplay = (session: Session | null) => session?.role === 'analyst';
