// Tails the change feed (feed.changes) for this process: one LISTEN connection and one query per wake-up,
// whatever the number of WebSocket clients. Recent changes stay in a bounded in-memory window so resuming
// clients are served from memory; older ones are read from the table. Positions are commit-ordered (see
// projector.ts), so reading `position > head` never skips a change. Each entry also carries its merchant's
// own position (merchant_position), the numbering a merchant's stream resumes by: commit-ordered and
// gap-free per merchant too.
import { EventEmitter } from 'node:events';
import type { Logger } from '@payments/runtime/logger';
import { FEED_CHANNEL, type Pool, type PoolClient } from '@payments/runtime/pg';
import type { PaymentView } from '@payments/schemas';

export type FeedEntry = { position: number; merchantPosition: number; merchantId: string; payment: PaymentView };

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
  /** How many recent entries stay in memory. */
  readonly windowSize: number;

  constructor(pool: Pool, logger: Logger, windowSize = 20_000) {
    super();
    this.pool = pool;
    this.logger = logger;
    this.windowSize = windowSize;
  }

  async start(): Promise<void> {
    this.head = await this.storedHead();
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
      await client.query(`listen ${FEED_CHANNEL}`);
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
      if (this.window.length > this.windowSize) this.window.splice(0, this.window.length - this.windowSize);
      this.emit('entries', entries);
      if (entries.length < PAGE) return;
    }
  }

  /**
   * Changes up to global position `upTo` after `after`: for everyone, `after` is a global position; for one
   * merchant, one of its own positions. From memory when the window covers them.
   */
  async since(after: number, upTo: number, merchantId: string | null, limit = PAGE): Promise<FeedEntry[]> {
    const first = this.window[0];
    // the window holds every entry from its first position on: it covers a merchant's entries after `after`
    // once it holds one of that merchant's entries numbered `after + 1` or lower
    const covered =
      merchantId === null
        ? first !== undefined && first.position <= after + 1
        : this.window.some((e) => e.merchantId === merchantId && e.merchantPosition <= after + 1);
    if (covered) {
      const out: FeedEntry[] = [];
      for (const e of this.window) {
        if (e.position > upTo) break;
        if (merchantId === null ? e.position <= after : e.merchantId !== merchantId || e.merchantPosition <= after) continue;
        out.push(e);
        if (out.length >= limit) break;
      }
      return out;
    }
    return merchantId === null ? this.read(after, upTo, null, limit) : this.readMerchant(merchantId, after, upTo, limit);
  }

  /** The last position in the table: the head this tail will reach, maybe ahead of what it has read yet. */
  async storedHead(): Promise<number> {
    const { rows } = await this.pool.query<{ head: number }>('select coalesce(max(position), 0)::int8 as head from feed.changes');
    return rows[0]?.head ?? 0;
  }

  /** A merchant's last own position in the table (0 before its first change). */
  async merchantHead(merchantId: string): Promise<number> {
    const { rows } = await this.pool.query<{ head: number }>(
      'select coalesce(max(merchant_position), 0)::int8 as head from feed.changes where merchant_id = $1',
      [merchantId],
    );
    return rows[0]?.head ?? 0;
  }

  private async read(after: number, upTo: number, merchantId: string | null, limit: number): Promise<FeedEntry[]> {
    const { rows } = await this.pool.query<FeedRow>(
      `select position, merchant_position, merchant_id, payload from feed.changes
        where position > $1 and position <= $2 and ($3::text is null or merchant_id = $3)
        order by position limit $4`,
      [after, upTo, merchantId, limit],
    );
    return rows.map(toEntry);
  }

  private async readMerchant(merchantId: string, after: number, upTo: number, limit: number): Promise<FeedEntry[]> {
    const { rows } = await this.pool.query<FeedRow>(
      `select position, merchant_position, merchant_id, payload from feed.changes
        where merchant_id = $1 and merchant_position > $2 and position <= $3
        order by merchant_position limit $4`,
      [merchantId, after, upTo, limit],
    );
    return rows.map(toEntry);
  }
}

type FeedRow = { position: number; merchant_position: number; merchant_id: string; payload: PaymentView };

const toEntry = (r: FeedRow): FeedEntry => ({
  position: r.position,
  merchantPosition: r.merchant_position,
  merchantId: r.merchant_id,
  payment: r.payload,
});
