// DEVELOPMENT ONLY: the analysts' demo traffic switch. Posts payments through the real command API at a
// chosen rate, alternating the development merchants, with an Idempotency-Key each. A token bucket turns
// the rate into sends every 100 ms; at most MAX_IN_FLIGHT requests are outstanding, so a slow API slows
// the demo down instead of piling up requests.
import { DEV_MERCHANT_CLIENTS, PaymentTraffic } from '@payments/schemas';
import { create } from 'zustand';
import { ApiError, errorMessage } from '../../../lib/api-client.ts';
import { postPayment, requestMerchantToken } from '../api/demo-api.ts';

export const DEMO_RATES = [1, 2, 5, 10, 25, 50] as const;
const TICK_MS = 100;
const MAX_IN_FLIGHT = 32;

export interface DemoTrafficState {
  running: boolean;
  /** Payments per second. */
  rate: number;
  sent: number;
  accepted: number;
  failed: number;
  lastError: string | null;
  start(): Promise<void>;
  stop(): void;
  setRate(rate: number): void;
}

interface MerchantToken {
  merchantId: string;
  token: string;
  expiresAt: number;
}

let ticker: ReturnType<typeof setInterval> | null = null;
let tokens: MerchantToken[] = [];
let credit = 0;
let inFlight = 0;
let sequence = 0;
/** The project's one payment traffic (a fifth of it for review), seeded anew for each page. */
const traffic = new Map<string, PaymentTraffic>();
const nextPayment = (merchantId: string) => {
  const generator = traffic.get(merchantId) ?? new PaymentTraffic({ merchants: [merchantId], seed: Date.now(), referencePrefix: 'demo-' });
  traffic.set(merchantId, generator);
  const { amount, currency, reference } = generator.next();
  return { merchantId, amount, currency, reference };
};

async function signInMerchants(): Promise<MerchantToken[]> {
  return Promise.all(
    DEV_MERCHANT_CLIENTS.map(async (client) => {
      const response = await requestMerchantToken(client.clientId);
      return {
        merchantId: response.merchantId ?? client.merchantId,
        token: response.accessToken,
        expiresAt: Date.now() + response.expiresIn * 1000,
      };
    }),
  );
}

export const useDemoTrafficStore = create<DemoTrafficState>()((set, get) => {
  const send = async (merchant: MerchantToken) => {
    inFlight++;
    sequence++;
    set((s) => ({ sent: s.sent + 1 }));
    try {
      await postPayment(merchant.token, nextPayment(merchant.merchantId), crypto.randomUUID());
      set((s) => ({ accepted: s.accepted + 1 }));
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) tokens = []; // re-sign in on the next tick
      set((s) => ({ failed: s.failed + 1, lastError: errorMessage(error) }));
    } finally {
      inFlight--;
    }
  };

  let refreshing = false;
  const tick = async () => {
    if (!get().running) return;
    credit = Math.min(credit + (get().rate * TICK_MS) / 1000, get().rate);
    if (tokens.length === 0 || tokens.some((t) => t.expiresAt - Date.now() < 30_000)) {
      if (refreshing) return;
      refreshing = true;
      try {
        tokens = await signInMerchants();
      } catch (error) {
        set({ lastError: `Could not sign in the demo merchants: ${errorMessage(error)}` });
        return;
      } finally {
        refreshing = false;
      }
    }
    while (credit >= 1 && inFlight < MAX_IN_FLIGHT && tokens.length > 0) {
      credit -= 1;
      const merchant = tokens[sequence % tokens.length];
      if (merchant) void send(merchant);
    }
  };

  return {
    running: false,
    rate: 5,
    sent: 0,
    accepted: 0,
    failed: 0,
    lastError: null,

    async start() {
      if (get().running) return;
      set({ running: true, lastError: null });
      credit = 1; // the first payment goes out at once
      ticker = setInterval(() => void tick(), TICK_MS);
      await tick();
    },

    stop() {
      if (ticker !== null) clearInterval(ticker);
      ticker = null;
      credit = 0;
      set({ running: false });
    },

    setRate(rate) {
      if (Number.isFinite(rate) && rate > 0) set({ rate });
    },
  };
});
