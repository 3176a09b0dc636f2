// Tails the change feed (feed.changes) for this process: one LISTEN connection and one query per wake-up,
// whatever the number of WebSocket clients. Recent changes stay in a bounded in-memory window so resuming
// clients are served from memory; older ones are read from the table. Positions are commit-ordered (see
// projector.ts), so reading `position > head` never skips a change.
import { EventEmitter } from 'node:events';
import type { Logger, Pool, PoolClient } from '@payments/runtime';
import type { PaymentView } from '@payments/schemas';

export type FeedEntry = { position: number; merchantId: string; payment: PaymentView };

const WINDOW = 20_000;
const PAGE = 2000;

export class FeedTail extends EventEmitter<{ entries: [FeedEntry[]] }> {
  head = 0;
  private window: FeedEntry[] = [];
  private listener: PoolClient | null = null;
  private timer: NodeJS.Timeout | null = null;
  private reading: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private readonly pool: Pool;
  private readonly logger: Logger;

  constructor(pool: Pool, logger: Logger) {
    super();
    this.pool = pool;
    this.logger = logger;
  }

  async start(): Promise<void> {
    const { rows } = await this.pool.query<{ head: number }>('select coalesce(max(position), 0)::int8 as head from feed.changes');
    this.head = rows[0]?.head ?? 0;
    await this.listen();
    this.timer = setInterval(() => this.wake(), 1000);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.reading;
    this.listener?.release();
    this.listener = null;
  }

  private async listen(): Promise<void> {
    try {
      const client = await this.pool.connect();
      client.on('notification', () => this.wake());
      client.on('error', (error) => {
        this.logger.warn({ err: error }, 'feed listener lost its connection; polling until it is back');
        if (this.listener === client) this.listener = null;
        client.release(error);
        setTimeout(() => !this.stopped && this.listen(), 1000).unref();
      });
      await client.query('listen feed_changes');
      this.listener = client;
    } catch (error) {
      this.logger.warn({ err: error }, 'feed LISTEN failed; polling');
      setTimeout(() => !this.stopped && this.listen(), 1000).unref();
    }
  }

  /** Reads everything past the head; concurrent wake-ups fold into one more read. */
  wake(): void {
    if (this.stopped) return;
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = this.readNew()
      .catch((error: unknown) => this.logger.warn({ err: error }, 'feed read failed'))
      .finally(() => {
        this.reading = null;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  private async readNew(): Promise<void> {
    for (;;) {
      const entries = await this.read(this.head, Number.MAX_SAFE_INTEGER, null, PAGE);
      if (entries.length === 0) return;
      this.head = entries[entries.length - 1]?.position ?? this.head;
      this.window.push(...entries);
      if (this.window.length > WINDOW) this.window.splice(0, this.window.length - WINDOW);
      this.emit('entries', entries);
      if (entries.length < PAGE) return;
    }
  }

  /** Changes after `after` up to `upTo`, for one merchant or all; from memory when the window covers them. */
  async since(after: number, upTo: number, merchantId: string | null, limit = PAGE): Promise<FeedEntry[]> {
    const first = this.window[0];
    if (first && first.position <= after + 1) {
      const out: FeedEntry[] = [];
      for (const e of this.window) {
        if (e.position <= after || e.position > upTo) continue;
        if (merchantId && e.merchantId !== merchantId) continue;
        out.push(e);
        if (out.length >= limit) break;
      }
      return out;
    }
    return this.read(after, upTo, merchantId, limit);
  }

  private async read(after: number, upTo: number, merchantId: string | null, limit: number): Promise<FeedEntry[]> {
    const { rows } = await this.pool.query<{ position: number; merchant_id: string; payload: PaymentView }>(
      `select position, merchant_id, payload from feed.changes
        where position > $1 and position <= $2 and ($3::text is null or merchant_id = $3)
        order by position limit $4`,
      [after, upTo, merchantId, limit],
    );
    return rows.map((r) => ({ position: r.position, merchantId: r.merchant_id, payment: r.payload }));
  }
}
