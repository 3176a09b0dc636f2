// A dashboard-like WebSocket client of the query API's live stream (viewer token): it notes when each payment
// is first seen decided (AUTHORIZED or REVIEW) and when the last update of any kind arrived, which tells the
// bench when the pipeline has gone quiet.
import { nowMs, waitUntil } from './clock.ts';
import { QUERY_API } from './stack.ts';

const DECIDED = new Set(['AUTHORIZED', 'REVIEW']);

type StreamMessage = { type: string; position?: number; payment?: { paymentId: string; status: string } };

export class StreamWatcher {
  /** paymentId → when it was first seen decided (epoch ms) */
  readonly decidedAt = new Map<string, number>();
  lastUpdateAt = 0;
  updates = 0;
  private socket: WebSocket | null = null;
  private closed = false;
  /** Only payments in this set are remembered (the e2e sample); null: none. */
  private tracking: Set<string> | null = null;
  private readonly pendingDecisions = new Map<string, number>();

  async connect(token: string): Promise<void> {
    const url = `${QUERY_API.replace('http', 'ws')}/api/stream?token=${encodeURIComponent(token)}`;
    const socket = new WebSocket(url);
    this.socket = socket;
    let hello = false;
    let failure: string | null = null;
    socket.addEventListener('message', (event) => {
      const at = nowMs();
      const message = JSON.parse(String(event.data)) as StreamMessage;
      if (message.type === 'hello') hello = true;
      if (message.type !== 'payment.updated' || !message.payment) return;
      this.lastUpdateAt = at;
      this.updates++;
      if (!this.tracking || !DECIDED.has(message.payment.status)) return;
      const id = message.payment.paymentId;
      // a decision can overtake its own HTTP response on a busy machine: keep it until the ack names the id
      if (this.tracking.has(id)) {
        if (!this.decidedAt.has(id)) this.decidedAt.set(id, at);
      } else if (!this.pendingDecisions.has(id)) this.pendingDecisions.set(id, at);
    });
    socket.addEventListener('error', () => {
      failure ??= 'WebSocket error';
    });
    socket.addEventListener('close', (event) => {
      failure ??= `WebSocket closed (${event.code} ${event.reason})`;
      if (!this.closed) console.error(`bench: the stream closed unexpectedly (${event.code} ${event.reason})`);
    });
    const ok = await waitUntil(() => hello || failure !== null, 10_000, 20);
    if (!ok || !hello) throw new Error(`could not subscribe to ${QUERY_API}/api/stream: ${failure ?? 'no hello within 10 s'}`);
  }

  /** Starts remembering decisions of the payments named by `track` from now on. */
  startTracking(): void {
    this.tracking = new Set();
    this.pendingDecisions.clear();
    this.decidedAt.clear();
  }

  track(paymentId: string): void {
    if (!this.tracking) return;
    this.tracking.add(paymentId);
    const early = this.pendingDecisions.get(paymentId);
    if (early !== undefined) {
      this.pendingDecisions.delete(paymentId);
      this.decidedAt.set(paymentId, early);
    }
  }

  stopTracking(): void {
    this.tracking = null;
    this.pendingDecisions.clear();
  }

  /** True once no payment update arrived for `quietMs`. */
  quietFor(quietMs: number): boolean {
    return nowMs() - this.lastUpdateAt >= quietMs;
  }

  close(): void {
    this.closed = true;
    this.socket?.close();
  }
}
