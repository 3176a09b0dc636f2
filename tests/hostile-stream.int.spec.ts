// The WebSocket stream and the positions, probed as a hostile client and a curious merchant would (issue 15,
// items 4 and 6). The stream bounds what one socket can demand: a `since` further back than the stream keeps,
// or past its head, is refused with a close code; a principal holds a bounded number of sockets; a socket
// lives no longer than its token. And a merchant learns nothing of another merchant's volume: its stream
// counts in its own positions and stays silent while others pay, and the event positions it is shown are
// permuted.
import { MerchantPositions } from '@payments/runtime/positions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { expectRejection, type RawResponse, tryUpgrade } from './support/hostile-http.ts';
import { eventually, get, post, type Stack, startStack } from './support/stack.ts';
import { StreamTestClient } from './support/stream-client.ts';
import { signed } from './support/tokens.ts';

const WINDOW = 10;
const MAX_CONNECTIONS = 3;
const POSITION_SECRET = 'the hostile-stream suite position secret';

let stack: Stack;
const opened: StreamTestClient[] = [];

beforeAll(async () => {
  stack = await startStack({
    env: {
      STREAM_CATCH_UP_WINDOW: String(WINDOW),
      STREAM_MAX_CONNECTIONS_PER_PRINCIPAL: String(MAX_CONNECTIONS),
      STREAM_STATS_INTERVAL_MS: '100',
      POSITION_SECRET,
    },
  });
});

afterAll(async () => {
  await Promise.all(opened.map((c) => c.close()));
  await stack?.stop();
});

function connect(token: string, since?: number): StreamTestClient {
  const client = new StreamTestClient(stack.queryUrl, token, since);
  client.opened.catch(() => {}); // a refused upgrade is asserted where it matters
  opened.push(client);
  return client;
}

async function pay(merchant: 'M123' | 'M456', amount = 10): Promise<string> {
  const res = await post(`${stack.commandUrl}/api/payments`, await stack.token(`merchant-${merchant}`), {
    merchantId: merchant,
    amount,
    currency: 'INR',
  });
  expect(res.status).toBe(202);
  return res.body.paymentId as string;
}

/** Waits until every payment is decided in the read model (its last change is in the feed). */
async function decided(ids: string[]): Promise<void> {
  await eventually(async () => {
    const { rows } = await stack.db.pool.query<{ n: number }>(
      `select count(*)::int8 as n from read.payments where payment_id = any($1::uuid[]) and status <> 'PENDING'`,
      [ids],
    );
    return rows[0]?.n === ids.length ? true : undefined;
  });
}

async function feedHead(): Promise<number> {
  const { rows } = await stack.db.pool.query<{ head: number }>('select coalesce(max(position), 0)::int8 as head from feed.changes');
  return rows[0]?.head ?? 0;
}

const closedWith = (client: StreamTestClient) =>
  eventually(async () => client.closed ?? undefined, 10_000, 'the server to close the socket');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the stream bounds what one client can demand', () => {
  beforeAll(async () => {
    // more history than the stream keeps: at least one change per payment
    await decided(await Promise.all(Array.from({ length: WINDOW + 5 }, () => pay('M123'))));
    await eventually(
      async () => ((await get(`${stack.queryUrl}/api/stats`, await stack.token('viewer'))).body.position as number) > WINDOW || undefined,
    );
  });

  it('a since further back than the stream keeps is refused with a close reason pointing to the REST history', async () => {
    const head = await feedHead();
    for (const since of [0, head - WINDOW - 1]) {
      const client = connect(await stack.token('viewer'), since);
      const closed = await closedWith(client);
      expect({ since, code: closed.code }).toEqual({ since, code: 4410 });
      expect(closed.reason).toMatch(/GET \/api\/payments or \/api\/events/);
      expect(client.messages).toEqual([]);
    }
    // within the window: caught up as before, every change once
    const within = connect(await stack.token('viewer'), head - WINDOW);
    await eventually(async () => (within.lastPosition === head ? true : undefined), 10_000, 'the catch-up');
    expect(within.messages[0]).toEqual({ type: 'hello', position: head - WINDOW });
    expect(within.closed).toBeNull();
    await within.close();
  });

  it('a since beyond the head is refused, however large', async () => {
    const head = await feedHead();
    for (const since of [head + 1, head + 1000, Number.MAX_SAFE_INTEGER]) {
      const client = connect(await stack.token('analyst'), since);
      const closed = await closedWith(client);
      expect({ since, code: closed.code }).toEqual({ since, code: 4416 });
      expect(closed.reason).toMatch(/beyond the head/);
      expect(client.messages).toEqual([]);
    }
    // past the safe integers: refused at the upgrade (400) or closed like the others, never streamed
    const huge = new WebSocket(`${stack.queryUrl.replace(/^http/, 'ws')}/api/stream?since=1${'0'.repeat(23)}`, {
      headers: { authorization: `Bearer ${await stack.token('analyst')}` },
    });
    const outcome = await new Promise<string>((resolve) => {
      huge.once('unexpected-response', (_req, res) => resolve(`refused ${res.statusCode}`));
      huge.once('close', (code) => resolve(`closed ${code}`));
      huge.once('error', () => {});
    });
    huge.terminate();
    expect(['refused 400', 'closed 4416']).toContain(outcome);
    // the head itself is fine
    const atHead = connect(await stack.token('analyst'), head);
    await atHead.opened;
    await eventually(async () => (atHead.messages[0] ? true : undefined));
    expect(atHead.messages[0]).toEqual({ type: 'hello', position: head });
    await sleep(200);
    expect(atHead.closed).toBeNull();
    await atHead.close();
  });

  it('one connection past the cap per principal is refused with 429 at the upgrade; the others keep streaming', async () => {
    const token = await stack.token('viewer');
    const clients = Array.from({ length: MAX_CONNECTIONS }, () => connect(token));
    await Promise.all(clients.map((c) => c.opened));
    const refused = await tryUpgrade(stack.queryUrl, '/api/stream', { authorization: `Bearer ${token}` });
    expect(refused.opened).toBe(false);
    if (refused.opened) return;
    expectRejection(
      { status: refused.status, headers: refused.headers as RawResponse['headers'], text: refused.text },
      429,
      'too_many_connections',
    );
    // another principal is not limited by this one's sockets
    expect(await tryUpgrade(stack.queryUrl, '/api/stream', { authorization: `Bearer ${await stack.token('analyst')}` })).toEqual({
      opened: true,
    });
    // the accepted ones still receive
    const id = await pay('M123');
    await eventually(
      async () => (clients.every((c) => c.updates.some((m) => m.payment?.paymentId === id)) ? true : undefined),
      10_000,
      'every open socket to receive the payment',
    );
    expect(clients.map((c) => c.closed)).toEqual(clients.map(() => null));
    // a closed one frees its slot
    await clients[0]?.close();
    await eventually(async () => {
      const outcome = await tryUpgrade(stack.queryUrl, '/api/stream', { authorization: `Bearer ${token}` });
      return outcome.opened ? true : undefined;
    });
    await Promise.all(clients.map((c) => c.close()));
  });

  it('a socket is closed when its token expires, with a code that says to authenticate again', async () => {
    const exp = Math.floor(Date.now() / 1000) + 2;
    const token = await signed(stack.env.DATA_DIR as string, { sub: 'merchant-M123', exp });
    const client = connect(token);
    await client.opened;
    const closed = await closedWith(client);
    expect(Date.now()).toBeGreaterThanOrEqual(exp * 1000);
    expect(closed.code).toBe(4401);
    expect(closed.reason).toMatch(/token expired/);
  });
});

describe("a merchant learns nothing about another merchant's volume", () => {
  it("M456's stream stays silent while M123 pays, and counts M456's own changes 1, 2, 3…", async () => {
    const m456 = await stack.token('merchant-M456');
    const first = await pay('M456');
    await decided([first]);
    const statsBefore = (await get(`${stack.queryUrl}/api/stats`, m456)).body;
    const live = connect(m456, statsBefore.position as number);
    await eventually(async () => (live.messages.some((m) => m.type === 'stats') ? true : undefined), 10_000, 'the first stats');
    const seen = live.messages.length;

    const burst = await Promise.all(Array.from({ length: 20 }, () => pay('M123')));
    await decided(burst);
    await sleep(600); // several stats intervals
    expect(live.messages.slice(seen)).toEqual([]);
    expect((await get(`${stack.queryUrl}/api/stats`, m456)).body).toEqual(statsBefore);

    const next = [await pay('M456'), await pay('M456')];
    await decided(next);
    await eventually(async () => (live.updates.filter((m) => next.includes(m.payment?.paymentId ?? '')).length >= 2 ? true : undefined));
    // replayed from the start, M456's positions are its own: 1, 2, 3… with nothing of M123's in between
    const replay = connect(m456, 0);
    const statsAfter = (await get(`${stack.queryUrl}/api/stats`, m456)).body;
    await eventually(async () => (replay.lastPosition === statsAfter.position ? true : undefined), 10_000, 'the replay');
    const positions = replay.updates.map((m) => m.position);
    expect(positions).toEqual(positions.map((_, i) => i + 1));
    // the live socket went on from its since with the next numbers, and its stats position is its own head
    const livePositions = live.updates.map((m) => m.position);
    expect(livePositions).toEqual(livePositions.map((_, i) => (statsBefore.position as number) + i + 1));
    await eventually(async () =>
      live.messages.filter((m) => m.type === 'stats').at(-1)?.position === statsAfter.position ? true : undefined,
    );
    await live.close();
    await replay.close();
  });

  it("a merchant's command positions are permuted: consecutive payments show nothing of the traffic between them", async () => {
    const codec = new MerchantPositions(POSITION_SECRET);
    const token = await stack.token('merchant-M456');
    const send = (key: string) =>
      post(`${stack.commandUrl}/api/payments`, token, { merchantId: 'M456', amount: 5, currency: 'INR' }, { 'idempotency-key': key });
    const before = await send('hostile-stream-before');
    await decided(await Promise.all(Array.from({ length: 10 }, () => pay('M123'))));
    const after = await send('hostile-stream-after');
    const replay = await send('hostile-stream-after');
    const global = async (id: unknown) =>
      (await stack.db.pool.query<{ position: number }>('select position from es.events where stream_id = $1 and stream_version = 1', [id]))
        .rows[0]?.position;
    expect(before.body.position).toBe(codec.encode('M456', (await global(before.body.paymentId)) as number));
    expect(after.body.position).toBe(codec.encode('M456', (await global(after.body.paymentId)) as number));
    expect(replay.body.position).toBe(after.body.position);
    expect(Math.abs((after.body.position as number) - (before.body.position as number))).toBeGreaterThan(1000);
    const read = await get(`${stack.queryUrl}/api/payments/${after.body.paymentId}?minPosition=${after.body.position}`, token);
    expect(read.status).toBe(200);
    expect(read.headers.get('x-read-consistency')).toBeNull();
  });

  it('the event positions a merchant is shown are permuted, and it passes them back as minPosition', async () => {
    const id = await pay('M456');
    await decided([id]);
    const { rows } = await stack.db.pool.query<{ position: number }>(
      'select position from es.events where stream_id = $1 order by position',
      [id],
    );
    const global = rows.map((r) => r.position);
    const codec = new MerchantPositions(POSITION_SECRET);

    const asMerchant = await get(`${stack.queryUrl}/api/payments/${id}/events`, await stack.token('merchant-M456'));
    const shown = (asMerchant.body.items as { position: number }[]).map((e) => e.position);
    expect(shown).toEqual(global.map((p) => codec.encode('M456', p)));
    expect(shown.some((p, i) => p === global[i])).toBe(false);
    // analysts keep the global position
    const asAnalyst = await get(`${stack.queryUrl}/api/payments/${id}/events`, await stack.token('analyst'));
    expect((asAnalyst.body.items as { position: number }[]).map((e) => e.position)).toEqual(global);

    const read = await get(`${stack.queryUrl}/api/payments/${id}?minPosition=${shown.at(-1)}`, await stack.token('merchant-M456'));
    expect(read.status).toBe(200);
    expect(read.headers.get('x-read-consistency')).toBeNull();
    const list = await get(`${stack.queryUrl}/api/payments?minPosition=${shown.at(-1)}`, await stack.token('merchant-M456'));
    expect(list.status).toBe(200);
  });
});
