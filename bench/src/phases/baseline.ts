// Baseline: the machine's reference. A raw `pg` loop at the same concurrency as the HTTP phases does the
// per-payment work of POST /api/payments with nothing else around it: one transaction per payment inserting
// the event row, its outbox row and the idempotency row (same tables, indexes and payload sizes, made by the
// project's own migrations), committed with the server's durability settings. It runs in a throwaway
// database, created for the run and dropped when the run is over, so the stack's data is untouched.
import { createHash } from 'node:crypto';
import { uuidv7 } from '@payments/runtime/ids';
import { createPool, ensureDatabase, migrate } from '@payments/runtime/pg';
import { toMinor } from '@payments/schemas';
import pg from 'pg';
import { nowMs } from '../clock.ts';
import type { BenchContext } from '../context.ts';
import { CpuMeter, type CpuUsage } from '../cpu.ts';
import { PaymentRequestMix } from '../payment-requests.ts';
import { type LatencySummary, newHistogram, recordMs, summarize } from '../stats.ts';

export const BASELINE_DATABASE = 'payments_bench_baseline';

export type BaselineRound = { tps: number; transactions: number; seconds: number; latency: LatencySummary; cpu: CpuUsage };

export class Baseline {
  private readonly ctx: BenchContext;
  private readonly url: string;
  private pool: pg.Pool | null = null;
  private readonly mix: PaymentRequestMix;

  constructor(ctx: BenchContext) {
    this.ctx = ctx;
    const url = new URL(ctx.stack.databaseUrl);
    url.pathname = `/${BASELINE_DATABASE}`;
    this.url = url.toString();
    this.mix = new PaymentRequestMix(`${ctx.runId}-baseline`, ctx.tokens.merchants);
  }

  async setup(): Promise<void> {
    await this.dropDatabase();
    await ensureDatabase(this.url);
    this.pool = createPool(this.url, { max: this.ctx.options.connections, name: 'bench-baseline' });
    await migrate(this.pool);
    this.ctx.cpu.addDatabase(BASELINE_DATABASE);
  }

  async round(seconds: number): Promise<BaselineRound> {
    const pool = this.pool;
    if (!pool) throw new Error('baseline: setup() first');
    const clients = await Promise.all(Array.from({ length: this.ctx.options.connections }, () => pool.connect()));
    const latency = newHistogram();
    let transactions = 0;
    const before = await this.ctx.cpu.sample();
    const start = nowMs();
    const end = start + seconds * 1000;
    try {
      await Promise.all(
        clients.map(async (client) => {
          while (nowMs() < end) {
            const t0 = nowMs();
            await this.onePayment(client);
            recordMs(latency, nowMs() - t0);
            transactions++;
          }
        }),
      );
    } finally {
      for (const client of clients) client.release();
    }
    const elapsed = (nowMs() - start) / 1000;
    const cpu = CpuMeter.diff(before, await this.ctx.cpu.sample());
    return { tps: transactions / elapsed, transactions, seconds: elapsed, latency: summarize(latency), cpu };
  }

  /** What the command API writes for one payment, as three plain inserts in one transaction. */
  private async onePayment(client: pg.PoolClient): Promise<void> {
    const payment = this.mix.next();
    const request = JSON.parse(payment.body) as { merchantId: string; amount: string; currency: string; reference: string };
    const occurredAt = new Date();
    const paymentId = uuidv7(occurredAt.getTime());
    const eventId = uuidv7(occurredAt.getTime());
    const amountMinor = Number(toMinor(request.amount, request.currency));
    const data = { paymentId, merchantId: request.merchantId, amountMinor, currency: request.currency, reference: request.reference };
    const metadata = { correlationId: `req-${paymentId}`, actor: `merchant:${request.merchantId}` };
    const response = {
      paymentId,
      status: 'PENDING',
      merchantId: request.merchantId,
      amount: request.amount,
      amountMinor,
      currency: request.currency,
      reference: request.reference,
      createdAt: occurredAt.toISOString(),
    };
    await client.query('BEGIN');
    try {
      const { rows } = await client.query<{ position: number }>(
        `insert into es.events (event_id, stream_id, stream_version, type, schema_version, data, metadata, occurred_at)
         values ($1, $2, 1, 'PaymentRequested', 1, $3, $4, $5) returning position`,
        [eventId, paymentId, JSON.stringify(data), JSON.stringify(metadata), occurredAt.toISOString()],
      );
      const position = rows[0]?.position ?? 0;
      const envelope = {
        eventId,
        type: 'PaymentRequested',
        schemaVersion: 1,
        streamId: paymentId,
        streamVersion: 1,
        occurredAt: occurredAt.toISOString(),
        data,
        metadata,
        position,
      };
      await client.query('insert into es.outbox (event_position, topic, message_key, payload, headers) values ($1, $2, $3, $4, $5)', [
        position,
        this.ctx.stack.eventsTopic,
        paymentId,
        JSON.stringify(envelope),
        JSON.stringify({
          'event-id': eventId,
          'event-type': 'PaymentRequested',
          'schema-version': '1',
          'correlation-id': metadata.correlationId,
        }),
      ]);
      await client.query(
        `insert into es.idempotency_keys (scope, endpoint, idempotency_key, request_hash, response_status, response_body, expires_at)
         values ($1, 'POST /api/payments', $2, $3, 202, $4, now() + interval '1 day')`,
        [
          request.merchantId,
          payment.headers['idempotency-key'],
          createHash('sha256').update(payment.body).digest('base64url'),
          JSON.stringify({ ...response, position }),
        ],
      );
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    }
  }

  /** Hands back the baseline's connections; the database stays until teardown. */
  async close(): Promise<void> {
    await this.pool?.end().catch(() => {});
    this.pool = null;
  }

  /**
   * Drops the throwaway database: only when the run is over, as DROP DATABASE makes PostgreSQL write a
   * checkpoint at once (here ~110 MB of dirty buffers and their fsyncs), which stalled the phase after it.
   */
  async teardown(): Promise<void> {
    await this.close();
    await this.dropDatabase().catch((error: unknown) => this.ctx.log(`baseline: could not drop ${BASELINE_DATABASE}: ${String(error)}`));
  }

  private async dropDatabase(): Promise<void> {
    const url = new URL(this.url);
    url.pathname = '/postgres';
    const admin = new pg.Client({ connectionString: url.toString(), application_name: 'bench-admin' });
    await admin.connect();
    try {
      await admin.query(`drop database if exists ${pg.escapeIdentifier(BASELINE_DATABASE)} with (force)`);
    } finally {
      await admin.end();
    }
  }
}
