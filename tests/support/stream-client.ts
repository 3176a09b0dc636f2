// A WebSocket client for tests: collects every message, can pause reading to play a slow consumer.
import WebSocket from 'ws';

export type Received = { type: string; position: number; payment?: { paymentId: string; status: string } };

export class StreamTestClient {
  readonly messages: Received[] = [];
  closed: { code: number; reason: string } | null = null;
  private readonly socket: WebSocket;
  readonly opened: Promise<void>;

  constructor(queryUrl: string, token: string, since?: number) {
    const url = new URL('/api/stream', queryUrl.replace(/^http/, 'ws'));
    if (since !== undefined) url.searchParams.set('since', String(since));
    this.socket = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } });
    this.socket.on('message', (data) => this.messages.push(JSON.parse(String(data)) as Received));
    this.socket.on('close', (code, reason) => {
      this.closed = { code, reason: String(reason) };
    });
    this.opened = new Promise((resolve, reject) => {
      this.socket.once('open', () => resolve());
      this.socket.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
      this.socket.once('error', reject);
    });
  }

  get updates(): Received[] {
    return this.messages.filter((m) => m.type === 'payment.updated');
  }

  get lastPosition(): number {
    return this.messages.filter((m) => m.type !== 'stats').reduce((max, m) => Math.max(max, m.position), 0);
  }

  /** Stops reading from the socket: the server's sends pile up in its buffer. */
  pauseReading(): void {
    (this.socket as unknown as { _socket: { pause: () => void } })._socket.pause();
  }

  async close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.close();
      setTimeout(() => {
        this.socket.terminate();
        resolve();
      }, 1000).unref();
    });
  }
}
