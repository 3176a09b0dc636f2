// `npm run demo`: realistic payments through the real API at a chosen rate, so a newcomer sees the console
// move. Two merchants, several currencies, about one in five large enough for review; an analyst settles
// some of the reviews. Stops by itself after --duration seconds (default 60) or on Ctrl-C.
//   npm run demo -- --rate 20 --duration 120 --command-url http://localhost:8080
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '10' },
    duration: { type: 'string', default: '60' },
    'command-url': { type: 'string', default: 'http://localhost:8080' },
  },
});
const rate = Math.max(0.1, Math.min(Number(values.rate), 500));
const durationMs = Math.max(1, Number(values.duration)) * 1000;
const api = values['command-url'] as string;
const say = (line: string) => process.stdout.write(`${line}\n`);

const CLIENTS = [
  { clientId: 'merchant-M123', secret: 'dev-merchant-secret', merchantId: 'M123' },
  { clientId: 'merchant-M456', secret: 'dev-merchant-secret', merchantId: 'M456' },
];
// amounts in major units per currency: everyday sizes, and the occasional large one
const CURRENCIES: { code: string; everyday: [number, number]; large: [number, number]; decimals: number }[] = [
  { code: 'INR', everyday: [99, 9_500], large: [10_000, 95_000], decimals: 2 },
  { code: 'EUR', everyday: [5, 900], large: [10_000, 40_000], decimals: 2 },
  { code: 'USD', everyday: [5, 900], large: [10_000, 40_000], decimals: 2 },
  { code: 'JPY', everyday: [300, 9_000], large: [10_000, 900_000], decimals: 0 },
];

async function token(clientId: string, clientSecret: string): Promise<string> {
  const res = await fetch(`${api}/api/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ clientId, clientSecret }),
  });
  if (res.status !== 200) throw new Error(`could not sign in ${clientId} at ${api}: ${res.status} (is npm start running?)`);
  return ((await res.json()) as { accessToken: string }).accessToken;
}

function amountFor(currency: (typeof CURRENCIES)[number], large: boolean): string {
  const [min, max] = large ? currency.large : currency.everyday;
  const major = min + Math.floor(Math.random() * (max - min));
  if (currency.decimals === 0) return String(major);
  return `${major}.${String(Math.floor(Math.random() * 100)).padStart(2, '0')}`;
}

const tokens = await Promise.all(CLIENTS.map((c) => token(c.clientId, c.secret)));
const analyst = await token('analyst', 'dev-analyst-secret');
let stop = false;
process.once('SIGINT', () => {
  stop = true;
});
say(`demo: ${rate} payments/s for ${durationMs / 1000} s against ${api} (Ctrl-C stops)`);

const started = Date.now();
const counts = { sent: 0, accepted: 0, failed: 0, reviewed: 0 };
const inReview: string[] = [];
for (let i = 0; !stop && Date.now() - started < durationMs; i++) {
  const client = i % CLIENTS.length;
  const currency = CURRENCIES[Math.floor(Math.random() * CURRENCIES.length)] as (typeof CURRENCIES)[number];
  const large = Math.random() < 0.2;
  counts.sent++;
  fetch(`${api}/api/payments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[client]}`, 'idempotency-key': randomUUID() },
    body: JSON.stringify({
      merchantId: CLIENTS[client]?.merchantId,
      amount: amountFor(currency, large),
      currency: currency.code,
      reference: `${['order', 'invoice', 'basket'][i % 3]}-${10_000 + i}`,
    }),
  })
    .then(async (res) => {
      if (res.status !== 202) return void counts.failed++;
      counts.accepted++;
      const { paymentId } = (await res.json()) as { paymentId: string };
      if (large) inReview.push(paymentId);
    })
    .catch(() => counts.failed++);
  // an analyst settles an older review now and then, so approvals and declines show up too
  if (i % 7 === 6 && inReview.length > 3) {
    const id = inReview.shift() as string;
    const action = Math.random() < 0.7 ? 'approve' : 'decline';
    void fetch(`${api}/api/payments/${id}/${action}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${analyst}` },
      body: JSON.stringify({ reason: action === 'approve' ? 'verified with the customer' : 'card reported stolen' }),
    }).then((res) => {
      if (res.status === 200) counts.reviewed++;
    });
  }
  if (i % Math.max(1, Math.round(rate * 5)) === 0 && i > 0)
    say(`demo: ${counts.accepted} accepted, ${counts.reviewed} reviewed, ${counts.failed} failed`);
  await new Promise((r) => setTimeout(r, Math.max(0, started + ((i + 1) * 1000) / rate - Date.now())));
}
await new Promise((r) => setTimeout(r, 1000));
say(`demo done: ${counts.sent} sent, ${counts.accepted} accepted, ${counts.reviewed} reviewed, ${counts.failed} failed`);
