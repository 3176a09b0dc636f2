// The outbox relay: moves committed outbox rows to Kafka. Woken directly by writers in its own process,
// by LISTEN/NOTIFY for the others (wakeRelays, sent after their commit), and by a polling fallback for a
// missed notification, it claims the oldest rows, publishes them with the idempotent producer (acks
// all), then commits. Claim and delete are one statement (DELETE ... RETURNING): the rows vanish only if the
// transaction commits after Kafka acknowledged them; a crash or a failed publish rolls the delete back. A
// crash between publish and commit republishes the batch: delivery is at least once and every consumer is
// idempotent. For the same reason its commit does not wait for the disk.
//
// Order: one relay publishes at a time (a transaction-level advisory lock; other instances stand by and take
// over when it stops), oldest row first, and commits before it claims again, so a payment's events reach
// Kafka in the order they were appended. (An earlier claim let several relays share the work, skipping rows
// locked by another and every row with an older one of its key still waiting; that self-join's plan is at
// the mercy of the statistics of a queue table, which are always wrong: right after a VACUUM found the table
// empty, the planner chose a quadratic plan and one claim of a backlog ran for minutes.)
//
// Every relayed row leaves a dead tuple behind that later claims walk over until autovacuum removes it.
import type { Producer } from 'kafkajs';
import type pg from 'pg';
import type { Logger } from './logger.ts';
import { wakeRelays } from './pg/event-store.ts';
import { OUTBOX_CHANNEL } from './pg/names.ts';

type OutboxRow = { id: number; topic: string; message_key: string; payload: string; headers: Record<string, string> };

/** Held for one relay transaction: the relay that has it is the only one publishing. */
export const RELAY_LOCK = 7_000_003;

// One round trip: the transaction, a commit that need not wait for the disk, and the relay lock.
const BEGIN_SQL = `BEGIN; SET LOCAL synchronous_commit TO off; SELECT pg_try_advisory_xact_lock(${RELAY_LOCK}) AS held`;

// Whatever the statistics say, the worst plan is a scan and a sort of what is in the table.
const CLAIM_SQL = `
delete from es.outbox where id in (select id from es.outbox order by id limit $1)
returning id, topic, message_key, payload, headers`;

export type OutboxRelayOptions = {
  pool: pg.Pool;
  producer: Producer;
  logger: Logger;
  batchSize?: number;
  pollIntervalMs?: number;
  /** After a wake-up, wait this long for more rows, so one claim and one produce request carry more. */
  lingerMs?: number;
  /** Test seam: runs after Kafka acknowledged a batch and before the deletion of its rows commits. */
  afterPublish?: (rows: number) => Promise<void> | void;
  onPublished?: (count: number) => void;
};

export class OutboxRelay {
  private readonly options: Required<Omit<OutboxRelayOptions, 'afterPublish' | 'onPublished'>> & OutboxRelayOptions;
  private running = false;
  /** Whether this relay's last attempt found it the one publishing (it held the relay lock). */
  private publishing = false;
  private wake: (() => void) | null = null;
  private pending = false;
  private listener: pg.PoolClient | null = null;
  private loop: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(options: OutboxRelayOptions) {
    this.options = { batchSize: 500, pollIntervalMs: 1000, lingerMs: 0, ...options };
  }

  async start(): Promise<void> {
    this.running = true;
    await this.listen();
    this.timer = setInterval(() => this.notify(), this.options.pollIntervalMs);
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearInterval(this.timer);
    this.notify();
    await this.loop;
    if (this.listener) {
      this.listener.removeAllListeners('notification');
      await this.listener.query(`unlisten ${OUTBOX_CHANNEL}`).catch(() => {});
      this.listener.release();
      this.listener = null;
    }
  }

  /**
   * This process committed outbox rows: the relay wakes at once when it is the one publishing; otherwise
   * the publishing relay, in another process, hears of it by NOTIFY.
   */
  rowsCommitted(): void {
    if (this.running && this.publishing) this.notify();
    else {
      wakeRelays(this.options.pool).catch((error: unknown) =>
        this.options.logger.warn({ err: error }, 'could not wake the publishing relay; its poll will find the rows'),
      );
    }
  }

  private notify(): void {
    this.pending = true;
    this.wake?.();
  }

  private async listen(): Promise<void> {
    try {
      const client = await this.options.pool.connect();
      client.on('notification', () => this.notify());
      client.on('error', (error) => {
        // the connection dropped (PostgreSQL restarted): polling covers us until a new LISTEN succeeds
        this.options.logger.warn({ err: error }, 'outbox listener lost its connection');
        if (this.listener === client) this.listener = null;
        client.release(error);
        setTimeout(() => this.running && !this.listener && this.listen(), 1000).unref();
      });
      await client.query(`listen ${OUTBOX_CHANNEL}`);
      this.listener = client;
    } catch (error) {
      this.options.logger.warn({ err: error }, 'outbox LISTEN failed; relying on polling');
      setTimeout(() => this.running && !this.listener && this.listen(), 1000).unref();
    }
  }

  private async run(): Promise<void> {
    this.pending = true;
    while (this.running) {
      if (!this.pending) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
        this.wake = null;
        continue;
      }
      if (this.options.lingerMs > 0) await new Promise((resolve) => setTimeout(resolve, this.options.lingerMs));
      this.pending = false;
      try {
        const published = await this.relayBatch();
        if (published === this.options.batchSize) this.pending = true; // more are waiting
      } catch (error) {
        this.options.logger.error({ err: error }, 'outbox relay batch failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, 500));
        this.pending = true;
      }
    }
  }

  /** Publishes one batch; returns how many rows it moved. */
  async relayBatch(): Promise<number> {
    const client = await this.options.pool.connect();
    try {
      // The deletion need not wait for its WAL flush: if a crash loses it, the rows come back and go out
      // again, which delivery at least once already allows, and the next durable commit flushes it anyway.
      const begun = (await client.query(BEGIN_SQL)) as unknown as pg.QueryResult<{ held: boolean }>[];
      this.publishing = begun[2]?.rows[0]?.held === true;
      if (!this.publishing) {
        await client.query('COMMIT'); // another relay is publishing; the poll brings us back
        return 0;
      }
      const { rows } = await client.query<OutboxRow>({ name: 'outbox-claim', text: CLAIM_SQL, values: [this.options.batchSize] });
      rows.sort((a, b) => a.id - b.id); // RETURNING promises no order; a key's rows go out oldest first
      if (rows.length === 0) {
        await client.query('COMMIT');
        return 0;
      }
      const byTopic = new Map<string, { key: string; value: string; headers: Record<string, string> }[]>();
      for (const row of rows) {
        const messages = byTopic.get(row.topic) ?? [];
        messages.push({ key: row.message_key, value: row.payload, headers: row.headers });
        byTopic.set(row.topic, messages);
      }
      await this.options.producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
      await this.options.afterPublish?.(rows.length);
      await client.query('COMMIT');
      this.options.onPublished?.(rows.length);
      return rows.length;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }
}
