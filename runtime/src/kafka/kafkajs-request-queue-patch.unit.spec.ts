// kafkajs's request queue as patches/kafkajs+2.2.4.patch repairs it (applied by patch-package on install),
// driven directly: no timer while nothing waits, and a waiting request still leaves when an in-flight one
// completes or when the broker's throttle ends.
import { createRequire } from 'node:module';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const RequestQueue: unknown = createRequire(import.meta.url)('kafkajs/src/network/requestQueue/index.js');

type Queue = {
  pending: unknown[];
  throttleCheckTimeoutId: unknown;
  push(request: unknown): void;
  fulfillRequest(response: { correlationId: number; payload: Buffer | null; size: number }): void;
  maybeThrottle(ms: number): void;
  destroy(): void;
};

const silent = { debug() {}, info() {}, warn() {}, error() {} };

function newQueue(): Queue {
  const Ctor = RequestQueue as unknown as new (options: object) => Queue;
  return new Ctor({
    maxInFlightRequests: 1,
    requestTimeout: 30_000,
    enforceRequestTimeout: false,
    clientId: 't',
    broker: 'b:1',
    logger: silent,
  });
}

function request(correlationId: number, sent: number[]) {
  const entry = { correlationId, apiKey: 3, apiName: 'Metadata', apiVersion: 6, resolve() {}, reject() {} };
  return { entry, expectResponse: true, requestTimeout: 30_000, sendRequest: () => sent.push(correlationId) };
}

describe('kafkajs request queue (repaired scheduling)', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('arms no timer when a response arrives and nothing waits (upstream re-armed a 1 ms timer forever)', () => {
    const queue = newQueue();
    const sent: number[] = [];
    queue.push(request(1, sent));
    queue.fulfillRequest({ correlationId: 1, payload: null, size: 0 });
    expect(sent).toEqual([1]);
    expect(queue.throttleCheckTimeoutId).toBeNull();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('sends a request that waited for the in-flight limit as soon as the in-flight one completes', () => {
    const queue = newQueue();
    const sent: number[] = [];
    queue.push(request(1, sent));
    queue.push(request(2, sent));
    expect(sent).toEqual([1]);
    expect(queue.pending).toHaveLength(1);
    queue.fulfillRequest({ correlationId: 1, payload: null, size: 0 });
    expect(sent).toEqual([1, 2]);
    expect(queue.pending).toHaveLength(0);
    queue.fulfillRequest({ correlationId: 2, payload: null, size: 0 });
    // the 10 ms check armed while request 2 waited fires once and finds nothing to re-arm for
    vi.advanceTimersByTime(10);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('holds requests while the broker throttles the client and sends them when the throttle ends', () => {
    const queue = newQueue();
    const sent: number[] = [];
    queue.maybeThrottle(50);
    queue.push(request(1, sent));
    expect(sent).toEqual([]);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(49);
    expect(sent).toEqual([]);
    vi.advanceTimersByTime(2);
    expect(sent).toEqual([1]);
    queue.fulfillRequest({ correlationId: 1, payload: null, size: 0 });
    expect(vi.getTimerCount()).toBe(0);
    queue.destroy();
  });
});
