// The fault suite (`npm run test:faults`, also the last part of `npm test`): steady load for a minute
// while each service is killed with SIGKILL and restarted, the Kafka broker is restarted, and PostgreSQL is
// restarted where this run controls it. Then it proves: every payment that got a 202 exists exactly once
// with exactly one decision, the read-model counters equal the event store, nothing is stuck in PENDING,
// and WebSocket clients that reconnected with `since` received every change once. Prints a table; exits 1
// on any violation.
import { randomUUID } from 'node:crypto';
import { poll } from '@payments/runtime/poll';
import { devToken, PaymentTraffic } from '@payments/schemas';
import WebSocket from 'ws';
import { createTestDatabase, testEnvironment } from '../support/stack.ts';
import { freePort, ownsKafka, postgresCluster, restartKafka, restartPostgres, type ServiceName, ServiceProcesses } from './services.ts';

const LOAD_RATE = Number(process.env.FAULTS_RATE ?? 40); // payments per second
const FAULT_SPACING_MS = Number(process.env.FAULTS_SPACING_MS ?? 9000);

type Fault = { name: string; inject: () => Promise<void>; injectedAt?: number; recoveredAt?: number };
const say = (line: string) => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A merchant client as a careful integrator writes one: every payment has its key, retried until answered. */
class LoadGenerator {
  readonly accepted = new Map<string, string>(); // idempotency key → paymentId
  attempts = 0;
  private running = true;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly commandUrl: string;
  private tokens: Record<string, string> = {};

  constructor(commandUrl: string) {
    this.commandUrl = commandUrl;
  }

  async start(): Promise<void> {
    for (const m of ['M123', 'M456']) this.tokens[m] = await devToken(this.commandUrl, `merchant-${m}`);
    void this.loop();
  }

  private async loop(): Promise<void> {
    let i = 0;
    const interval = 1000 / LOAD_RATE;
    const started = Date.now();
    const traffic = new PaymentTraffic({ merchants: ['M123', 'M456'] });
    while (this.running) {
      const { merchantId, amount, currency } = traffic.next();
      const payment = this.submit(merchantId, amount, currency);
      this.inFlight.add(payment);
      void payment.finally(() => this.inFlight.delete(payment));
      i++;
      const next = started + i * interval;
      await sleep(Math.max(0, next - Date.now()));
    }
  }

  private async submit(merchantId: string, amount: string, currency: string): Promise<void> {
    const key = `fault-${randomUUID()}`;
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      this.attempts++;
      try {
        const res = await fetch(`${this.commandUrl}/api/payments`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${this.tokens[merchantId]}`, 'idempotency-key': key },
          body: JSON.stringify({ merchantId, amount, currency, reference: key }),
          signal: AbortSignal.timeout(5000),
        });
        if (res.status === 202) {
          this.accepted.set(key, ((await res.json()) as { paymentId: string }).paymentId);
          return;
        }
        await res.body?.cancel();
      } catch {
        // the API is down or restarting: retry with the same key
      }
      await sleep(250);
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all([...this.inFlight]);
  }
}

/** A dashboard-like WebSocket client: reconnects with backoff and resumes with `since`. */
class ResumingStream {
  readonly positions: number[] = [];
  reconnects = 0;
  private socket: WebSocket | null = null;
  private running = true;
  private last = 0;
  private readonly url: string;
  private readonly token: string;

  constructor(queryUrl: string, tokenValue: string) {
    this.url = queryUrl.replace(/^http/, 'ws');
    this.token = tokenValue;
  }

  get since(): number {
    return this.last;
  }

  async start(): Promise<number> {
    await this.connect(null);
    await poll(async () => this.helloSeen, { timeoutMs: 10_000, what: 'stream hello' });
    return this.last;
  }

  private helloSeen = false;

  private connect(since: number | null): Promise<void> {
    return new Promise((resolve) => {
      const url = new URL('/api/stream', this.url);
      if (since !== null) url.searchParams.set('since', String(since));
      const socket = new WebSocket(url, { headers: { authorization: `Bearer ${this.token}` } });
      this.socket = socket;
      socket.on('message', (data) => {
        const message = JSON.parse(String(data)) as { type: string; position: number };
        if (message.type === 'hello') {
          if (!this.helloSeen) this.last = message.position;
          this.helloSeen = true;
        }
        if (message.type === 'payment.updated') {
          this.positions.push(message.position);
          this.last = message.position;
        }
      });
      const retry = () => {
        if (!this.running) return;
        this.reconnects++;
        setTimeout(() => void this.connect(this.last), 300);
      };
      socket.once('close', retry);
      socket.once('error', () => {});
      socket.once('open', () => resolve());
      socket.once('unexpected-response', () => {
        socket.removeAllListeners('close');
        retry();
        resolve();
      });
    });
  }

  stop(): void {
    this.running = false;
    this.socket?.close();
  }
}

async function main(): Promise<number> {
  const db = await createTestDatabase();
  const env = await testEnvironment(db);
  const ports = { command: await freePort(), query: await freePort(), authorizerOps: await freePort(), projectorOps: await freePort() };
  const system = new ServiceProcesses({ ...env, NODE_ENV: 'development', DATA_DIR: env.DATA_DIR as string }, ports);
  // PostgreSQL is restarted only where this run may own the server: in CI, or when asked explicitly; a
  // developer's running database is not the suite's to bounce
  const restartPg =
    process.env.FAULTS_RESTART_POSTGRES === 'true' || (process.env.CI === 'true' && process.env.FAULTS_RESTART_POSTGRES !== 'false');
  const cluster = restartPg ? await postgresCluster() : null;
  const failures: string[] = [];
  try {
    for (const name of ['command-api', 'query-api', 'authorizer', 'projector'] as ServiceName[]) await system.start(name);
    const viewer = await devToken(system.commandUrl, 'viewer');
    const streams = [new ResumingStream(system.queryUrl, viewer), new ResumingStream(system.queryUrl, viewer)];
    const since = await Promise.all(streams.map((s) => s.start()));
    const load = new LoadGenerator(system.commandUrl);
    await load.start();

    const restartService = (name: ServiceName) => async () => {
      system.kill(name);
      await sleep(500);
      await system.start(name);
    };
    const faults: Fault[] = [
      { name: 'SIGKILL command-api (with its relay)', inject: restartService('command-api') },
      { name: 'SIGKILL authorizer', inject: restartService('authorizer') },
      { name: 'SIGKILL projector', inject: restartService('projector') },
      { name: 'SIGKILL query-api', inject: restartService('query-api') },
      ...(process.env.FAULTS_RESTART_KAFKA !== 'false' && (await ownsKafka())
        ? [{ name: 'restart Kafka broker', inject: restartKafka }]
        : []),
      ...(cluster ? [{ name: `restart PostgreSQL (${cluster})`, inject: () => restartPostgres(cluster) }] : []),
    ];
    for (const fault of faults) {
      await sleep(FAULT_SPACING_MS);
      say(`fault: ${fault.name}`);
      fault.injectedAt = Date.now();
      await fault.inject();
      // recovered: a fresh payment is accepted and shows up decided on the query API
      await poll(() => probe(system, viewer), { timeoutMs: 90_000, what: `recovery after ${fault.name}` });
      fault.recoveredAt = Date.now();
    }
    await sleep(FAULT_SPACING_MS);
    await load.stop();

    // drain: every accepted payment decided in the read model
    const accepted = [...load.accepted.values()];
    await poll(
      async () => {
        const { rows } = await db.pool.query<{ n: number }>(
          `select count(*)::int as n from read.payments where payment_id = any($1::uuid[]) and status <> 'PENDING'`,
          [accepted],
        );
        return rows[0]?.n === accepted.length;
      },
      { timeoutMs: 120_000, what: 'every accepted payment decided' },
    ).catch((error: Error) => failures.push(error.message));
    await sleep(2000); // the last changes reach the streams
    for (const s of streams) s.stop();

    // verify against the event store
    const { rows: requested } = await db.pool.query<{ reference: string; n: number }>(
      `select data->>'reference' as reference, count(*)::int as n from es.events
        where type = 'PaymentRequested' and data->>'reference' like 'fault-%' group by 1`,
    );
    const perKey = new Map(requested.map((r) => [r.reference, r.n]));
    const lost = [...load.accepted.keys()].filter((k) => !perKey.has(k)).length;
    const duplicated = requested.filter((r) => r.n > 1).length;
    const { rows: decisions } = await db.pool.query<{ bad: number }>(
      `select count(*)::int as bad from (select stream_id, count(*) filter (where type in ('PaymentAuthorized','PaymentFlaggedForReview')) as d
         from es.events group by stream_id) s where d <> 1`,
    );
    const { rows: pending } = await db.pool.query<{ n: number }>(`select count(*)::int as n from read.payments where status = 'PENDING'`);
    const { rows: counterDiff } = await db.pool.query<{ n: number }>(
      `with truth as (
         select r.data->>'merchantId' as merchant_id, r.data->>'currency' as currency,
                case l.type when 'PaymentRequested' then 'PENDING' when 'PaymentAuthorized' then 'AUTHORIZED'
                  when 'PaymentFlaggedForReview' then 'REVIEW' when 'PaymentApproved' then 'APPROVED' else 'DECLINED' end as status,
                count(*)::int8 as count
           from es.events r join (select distinct on (stream_id) stream_id, type from es.events order by stream_id, stream_version desc) l using (stream_id)
          where r.type = 'PaymentRequested' group by 1, 2, 3)
       select count(*)::int as n from (
         (select merchant_id, currency, status, count from truth except select merchant_id, currency, status, count from read.merchant_stats)
         union all
         (select merchant_id, currency, status, count from read.merchant_stats except select merchant_id, currency, status, count from truth)) d`,
    );
    let streamProblems = 0;
    for (const [i, s] of streams.entries()) {
      const { rows } = await db.pool.query<{ position: number }>(
        'select position from feed.changes where position > $1 order by position',
        [since[i]],
      );
      const expected = rows.map((r) => r.position);
      const got = s.positions;
      if (got.length !== expected.length || got.some((p, j) => p !== expected[j])) {
        streamProblems++;
        failures.push(`stream ${i}: received ${got.length} changes, expected ${expected.length} (in order, once each)`);
      }
    }
    if (lost) failures.push(`${lost} accepted payments lost`);
    if (duplicated) failures.push(`${duplicated} payments duplicated`);
    if (decisions[0]?.bad) failures.push(`${decisions[0].bad} payments without exactly one decision`);
    if (pending[0]?.n) failures.push(`${pending[0].n} payments stuck in PENDING`);
    if (counterDiff[0]?.n) failures.push(`${counterDiff[0].n} read-model counters differ from the event store`);

    say('');
    say('| fault | time to recover |');
    say('| --- | --- |');
    for (const f of faults) say(`| ${f.name} | ${(((f.recoveredAt ?? Number.NaN) - (f.injectedAt ?? 0)) / 1000).toFixed(1)} s |`);
    say('');
    say(
      '| faults injected | payments accepted | attempts | lost | duplicated | without one decision | stuck PENDING | counter mismatches | stream reconnects | stream gaps or repeats |',
    );
    say('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    say(
      `| ${faults.length} | ${load.accepted.size} | ${load.attempts} | ${lost} | ${duplicated} | ${decisions[0]?.bad ?? '?'} | ${pending[0]?.n ?? '?'} | ${counterDiff[0]?.n ?? '?'} | ${streams.map((s) => s.reconnects).join(' + ')} | ${streamProblems} |`,
    );
    say('');
    if (load.accepted.size < LOAD_RATE * 10) failures.push(`only ${load.accepted.size} payments accepted: the load did not run`);
  } catch (error) {
    failures.push(`suite error: ${(error as Error).stack ?? String(error)}`);
  } finally {
    await system.stopAll();
    await db.drop().catch(() => {});
  }
  if (failures.length) {
    say(`fault suite FAILED:\n  ${failures.join('\n  ')}`);
    return 1;
  }
  say('fault suite passed: 0 lost, 0 duplicated');
  return 0;
}

/** One payment through the whole system: accepted, decided, visible on the query API. */
async function probe(system: ServiceProcesses, viewer: string): Promise<boolean> {
  const merchant = await devToken(system.commandUrl, 'merchant-M123');
  const res = await fetch(`${system.commandUrl}/api/payments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${merchant}` },
    body: JSON.stringify({ merchantId: 'M123', amount: 1, currency: 'INR', reference: 'probe' }),
    signal: AbortSignal.timeout(5000),
  });
  if (res.status !== 202) return false;
  const { paymentId } = (await res.json()) as { paymentId: string };
  return poll(
    async () => {
      const view = await fetch(`${system.queryUrl}/api/payments/${paymentId}`, {
        headers: { authorization: `Bearer ${viewer}` },
        signal: AbortSignal.timeout(5000),
      });
      return view.status === 200 && ((await view.json()) as { status: string }).status !== 'PENDING';
    },
    { timeoutMs: 30_000, intervalMs: 100, what: `probe payment ${paymentId} decided` },
  );
}

process.exit(await main());
