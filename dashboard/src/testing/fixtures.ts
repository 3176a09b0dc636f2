// Test builders for the read-model shapes (test code only: nothing in the app imports this).
import type { PaymentView, Stats, StreamMessage } from '@payments/schemas';
import { vi } from 'vitest';

let counter = 0;

/** A PaymentView; ids sort with creation time like the server's UUIDv7 ids. */
export function payment(overrides: Partial<PaymentView> = {}): PaymentView {
  counter++;
  const createdAt = overrides.createdAt ?? new Date(Date.UTC(2025, 0, 1, 12, 0, counter)).toISOString();
  return {
    paymentId: `0194a000-0000-7000-8000-${String(counter).padStart(12, '0')}`,
    merchantId: 'M123',
    status: 'PENDING',
    amount: '49.99',
    amountMinor: 4999,
    currency: 'INR',
    reference: null,
    createdAt,
    updatedAt: createdAt,
    version: 1,
    decision: null,
    reviewer: null,
    reviewReason: null,
    ...overrides,
  };
}

export const updated = (position: number, p: PaymentView): StreamMessage => ({ type: 'payment.updated', position, payment: p });
export const hello = (position: number): StreamMessage => ({ type: 'hello', position });

export function stats(position: number, overrides: Partial<Stats> = {}): Stats {
  return {
    total: 3,
    byStatus: { PENDING: 1, AUTHORIZED: 1, REVIEW: 1, APPROVED: 0, DECLINED: 0 },
    volume: [{ currency: 'INR', count: 3, total: '150.00', totalMinor: '15000', accepted: '50.00', acceptedMinor: '5000' }],
    position,
    ...overrides,
  };
}

export interface FetchCall {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body: unknown;
}

/**
 * Replaces global fetch with a router: `respond(call)` returns [status, body]. Returns the recorded calls.
 * Responses can be deferred by returning a promise.
 */
export function mockFetch(respond: (call: FetchCall) => [number, unknown] | Promise<[number, unknown]>): FetchCall[] {
  const calls: FetchCall[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: string | Request, init: RequestInit = {}) => {
      // apiRequest calls fetch(url, init); the typed client calls fetch(request), whose header names are lower case
      const text = input instanceof Request ? await input.text() : init.body;
      const call: FetchCall = {
        url: new URL(input instanceof Request ? input.url : input),
        method: input instanceof Request ? input.method : (init.method ?? 'GET'),
        headers: input instanceof Request ? Object.fromEntries(input.headers) : ((init.headers ?? {}) as Record<string, string>),
        body: typeof text === 'string' && text !== '' ? JSON.parse(text) : undefined,
      };
      calls.push(call);
      const [status, body] = await respond(call);
      return new Response(body === undefined ? '' : JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
    }),
  );
  return calls;
}

/** A promise and its resolver, for responses a test releases when it wants. */
export function deferred<T>(): { promise: Promise<T>; resolve(value: T): void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
