// kafkajs 2.2.4 (the last release) re-arms a timer on every broker connection even when no request waits:
// `scheduleCheckPendingRequests` computes `throttledUntil - Date.now()`, which is hugely negative when the
// connection was never throttled, and Node runs a negative timeout after 1 ms. Each connection so wakes its
// process about a thousand times a second for nothing (tulios/kafkajs#1556, #1704; Node 24 also warns each
// time, #1751). Measured here: ~1 600 event-loop wake-ups/s and 30 ms of CPU per second per idle service,
// and more under load, where those wake-ups compete with real work.
//
// The repair follows the upstream proposal (tulios/kafkajs#1667): a check is scheduled only while a request
// waits, after the throttle ends or after the usual 10 ms poll. A pending queue is still checked when a
// request is enqueued and whenever an in-flight request completes, as before.
import { createRequire } from 'node:module';

type RequestQueueInternals = {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
};

/** kafkajs's own poll interval while requests wait (CHECK_PENDING_REQUESTS_INTERVAL in requestQueue). */
const CHECK_PENDING_REQUESTS_INTERVAL_MS = 10;

const require = createRequire(import.meta.url);
export const RequestQueue: { prototype: RequestQueueInternals } = require('kafkajs/src/network/requestQueue/index.js');

function scheduleCheckPendingRequests(this: RequestQueueInternals): void {
  if (this.throttleCheckTimeoutId || this.pending.length === 0) return;
  const untilUnthrottled = this.throttledUntil - Date.now();
  this.throttleCheckTimeoutId = setTimeout(
    () => {
      this.throttleCheckTimeoutId = null;
      this.checkPendingRequests();
    },
    untilUnthrottled > 0 ? untilUnthrottled : CHECK_PENDING_REQUESTS_INTERVAL_MS,
  );
}

RequestQueue.prototype.scheduleCheckPendingRequests = scheduleCheckPendingRequests;
