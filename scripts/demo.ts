// `npm run demo`: realistic payments through the real API at a chosen rate, so a newcomer sees the console
// move. Two merchants, the project's one payment traffic (schemas/src/payment-traffic.ts: several currencies,
// one in five large enough for review); an analyst settles some of the reviews. Stops by itself after --duration seconds (default 60) or on Ctrl-C.
//   npm run demo -- --rate 20 --duration 120 --command-url http://localhost:8080
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { DEV_MERCHANT_CLIENTS, devToken, PaymentTraffic } from '@payments/schemas';
import { type CommandApiClient, createCommandApiClient } from '@payments/schemas/api';

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

/** The command API as one development client, signed in once. */
async function signedIn(clientId: string): Promise<CommandApiClient> {
  const token = await devToken(api, clientId).catch((error: unknown) => {
    throw new Error(`${(error as Error).message} (is npm start running?)`);
  });
  return createCommandApiClient(api, { token: () => token });
}

const merchants = await Promise.all(DEV_MERCHANT_CLIENTS.map((c) => signedIn(c.clientId)));
const analyst = await signedIn('analyst');
let stop = false;
process.once('SIGINT', () => {
  stop = true;
});
say(`demo: ${rate} payments/s for ${durationMs / 1000} s against ${api} (Ctrl-C stops)`);

const started = Date.now();
const counts = { sent: 0, accepted: 0, failed: 0, reviewed: 0 };
const inReview: string[] = [];
const traffic = new PaymentTraffic({ merchants: DEV_MERCHANT_CLIENTS.map((c) => c.merchantId), seed: Date.now() });
for (let i = 0; !stop && Date.now() - started < durationMs; i++) {
  const { merchantId, amount, currency, reference, review } = traffic.next();
  const merchant = merchants[DEV_MERCHANT_CLIENTS.findIndex((c) => c.merchantId === merchantId)] as CommandApiClient;
  counts.sent++;
  merchant
    .POST('/api/payments', { headers: { 'idempotency-key': randomUUID() }, body: { merchantId, amount, currency, reference } })
    .then(({ data, response }) => {
      if (response.status !== 202 || !data) return void counts.failed++;
      counts.accepted++;
      if (review) inReview.push(data.paymentId);
    })
    .catch(() => counts.failed++);
  // an analyst settles an older review now and then, so approvals and declines show up too
  if (i % 7 === 6 && inReview.length > 3) {
    const id = inReview.shift() as string;
    const settled =
      Math.random() < 0.7
        ? analyst.POST('/api/payments/{id}/approve', { params: { path: { id } }, body: { reason: 'verified with the customer' } })
        : analyst.POST('/api/payments/{id}/decline', { params: { path: { id } }, body: { reason: 'card reported stolen' } });
    void settled.then(({ response }) => {
      if (response.status === 200) counts.reviewed++;
    });
  }
  if (i % Math.max(1, Math.round(rate * 5)) === 0 && i > 0)
    say(`demo: ${counts.accepted} accepted, ${counts.reviewed} reviewed, ${counts.failed} failed`);
  await new Promise((r) => setTimeout(r, Math.max(0, started + ((i + 1) * 1000) / rate - Date.now())));
}
await new Promise((r) => setTimeout(r, 1000));
say(`demo done: ${counts.sent} sent, ${counts.accepted} accepted, ${counts.reviewed} reviewed, ${counts.failed} failed`);
