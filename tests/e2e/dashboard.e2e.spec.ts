/// <reference lib="dom" />
// The operations console in a real browser against the real system: Debian's Chromium (driven by
// playwright-core) loads the dashboard from Vite's dev server, which talks to the four services started
// in-process on real Kafka and PostgreSQL. Nothing is mocked. The WebSocket is only routed so the test can
// hold a "network outage" open while it writes payments, and prove they arrive through the `since` resume.
// The analyst scenarios share one page and run in order (each builds on the figures of the last); the
// screenshot in the README (docs/dashboard.png) is taken here, so every `npm test` refreshes it.
import { mkdirSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PaymentView, Stats } from '@payments/schemas';
import { type Browser, chromium, type Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, get, post, type Stack, startStack } from '../support/stack.ts';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dashboardRoot = join(repo, 'dashboard');
const screenshotPath = join(repo, 'docs', 'dashboard.png');

/** Every wait is on a condition; this is only how long a condition may take before the test fails. */
const WAIT = 30_000;
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

type Merchant = 'M123' | 'M456';
type Order = [merchant: Merchant, amount: string, currency: string, reference: string];

/** The state of the system before anyone signs in: mixed merchants and currencies, some over the review threshold. */
const SEED: Order[] = [
  ['M123', '4999.00', 'INR', 'order-1001'],
  ['M456', '129.90', 'EUR', 'basket-88213'],
  ['M123', '4800', 'JPY', 'order-1002'],
  ['M456', '15000.00', 'INR', 'invoice-7731'],
  ['M123', '89.50', 'EUR', 'order-1003'],
  ['M456', '32000', 'JPY', 'basket-88214'],
  ['M123', '749.00', 'INR', 'order-1004'],
  ['M456', '12500.00', 'EUR', 'invoice-7732'],
  ['M123', '1250', 'JPY', 'order-1005'],
  ['M456', '2399.99', 'INR', 'basket-88215'],
  ['M123', '18750.00', 'INR', 'order-1006'],
  ['M456', '45.00', 'EUR', 'basket-88216'],
  ['M123', '9800', 'JPY', 'order-1007'],
  ['M456', '320.00', 'INR', 'basket-88217'],
  ['M123', '11200.00', 'EUR', 'order-1008'],
  ['M456', '7600', 'JPY', 'basket-88218'],
  ['M123', '999.00', 'INR', 'order-1009'],
  ['M456', '64.20', 'EUR', 'basket-88219'],
  ['M123', '54000', 'JPY', 'order-1010'],
  ['M456', '8450.50', 'INR', 'invoice-7733'],
];

let http: Server;
let vite: ViteDevServer;
let stack: Stack;
let browser: Browser;
let page: Page;
let origin: string;
const pageErrors: string[] = [];
/** While true, the browser's WebSocket to /api/stream cannot connect: a network outage under test control. */
let streamBlocked = false;
const streamUrls: string[] = [];

/** What the console exposes to tests on window (see dashboard/src/app/live-feed.ts), and this test's own mark. */
type ConsoleWindow = Window & {
  __paymentsConsole?: { stream: { state(): { lastPosition: number | null }; drop(): void } };
  __e2eSameDocument?: boolean;
};

// ---- the system, through its API --------------------------------------------------------------------

async function pay(merchant: Merchant, amount: string, currency: string, reference?: string): Promise<string> {
  const token = await stack.token(`merchant-${merchant}`);
  const res = await post(`${stack.commandUrl}/api/payments`, token, { merchantId: merchant, amount, currency, reference });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return res.body.paymentId as string;
}

async function payment(id: string): Promise<PaymentView> {
  const res = await get(`${stack.queryUrl}/api/payments/${id}`, await stack.token('analyst'));
  if (res.status !== 200) throw new Error(`GET payment ${id}: ${res.status}`);
  return res.body as unknown as PaymentView;
}

/** Waits until the authorizer has decided every one of these payments; returns them as the query API serves them. */
async function settled(ids: readonly string[]): Promise<PaymentView[]> {
  return eventually(
    async () => {
      const views = await Promise.all(ids.map(payment));
      return views.every((v) => v.status !== 'PENDING') ? views : undefined;
    },
    WAIT,
    `${ids.length} payments to leave PENDING`,
  );
}

async function apiStats(clientId = 'analyst'): Promise<Stats> {
  const res = await get(`${stack.queryUrl}/api/stats`, await stack.token(clientId));
  expect(res.status).toBe(200);
  return res.body as unknown as Stats;
}

/** Every payment the given client may see, newest first, all pages. */
async function allPayments(clientId = 'analyst'): Promise<PaymentView[]> {
  const items: PaymentView[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const res = await get(`${stack.queryUrl}/api/payments?limit=100${query}`, await stack.token(clientId));
    expect(res.status).toBe(200);
    items.push(...(res.body.items as PaymentView[]));
    cursor = res.body.nextCursor as string | null;
  } while (cursor);
  return items;
}

async function decide(id: string, decision: 'approve' | 'decline', reason: string) {
  const res = await post(`${stack.commandUrl}/api/payments/${id}/${decision}`, await stack.token('analyst'), { reason });
  expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
}

// ---- the console, through the browser ---------------------------------------------------------------

type Figures = { total: number; pending: number; authorized: number; review: number; approved: number; declined: number };

const figuresOf = (s: Stats): Figures => ({
  total: s.total,
  pending: s.byStatus.PENDING,
  authorized: s.byStatus.AUTHORIZED,
  review: s.byStatus.REVIEW,
  approved: s.byStatus.APPROVED,
  declined: s.byStatus.DECLINED,
});

/** The KPI cards' data-value attributes (NaN where a card shows no figure yet). */
function kpis(p: Page): Promise<Figures> {
  return p.evaluate(() => {
    const value = (name: string) => {
      const raw = document.querySelector(`[data-testid="kpi-${name}"]`)?.getAttribute('data-value');
      return raw === null || raw === undefined || raw === '' ? Number.NaN : Number(raw);
    };
    return {
      total: value('total'),
      pending: value('pending'),
      authorized: value('authorized'),
      review: value('review'),
      approved: value('approved'),
      declined: value('declined'),
    };
  });
}

/** The table as rendered: one entry per <tr data-testid="payment-row">, in order. */
function rows(p: Page): Promise<{ id: string; status: string }[]> {
  return p.$$eval('[data-testid="payment-row"]', (els) =>
    els.map((el) => ({ id: el.getAttribute('data-payment-id') ?? '', status: el.getAttribute('data-status') ?? '' })),
  );
}

/** Waits until the KPI cards show exactly what GET /api/stats says (read once the system is quiet). */
async function expectKpisToMatchApi(p: Page, clientId = 'analyst') {
  const expected = figuresOf(await apiStats(clientId));
  expect(expected.pending).toBe(0); // callers wait for quiet first, so the figures are not moving
  let last: Figures | null = null;
  await eventually(
    async () => {
      last = await kpis(p);
      return JSON.stringify(last) === JSON.stringify(expected) ? true : undefined;
    },
    WAIT,
    'the KPI cards to equal /api/stats',
  ).catch((error: Error) => {
    throw new Error(`${error.message}\n  page: ${JSON.stringify(last)}\n  api:  ${JSON.stringify(expected)}`);
  });
  return expected;
}

/** Waits until each payment is in the table exactly once, with the status the query API gives it. */
async function expectRows(p: Page, views: readonly PaymentView[]) {
  let last: { id: string; status: string }[] = [];
  await eventually(
    async () => {
      last = await rows(p);
      const ok = views.every((v) => {
        const mine = last.filter((r) => r.id === v.paymentId);
        return mine.length === 1 && mine[0]?.status === v.status;
      });
      return ok ? true : undefined;
    },
    WAIT,
    `${views.length} payments in the table with their statuses`,
  ).catch((error: Error) => {
    const missing = views.filter((v) => !last.some((r) => r.id === v.paymentId && r.status === v.status));
    throw new Error(`${error.message}\n  missing or stale: ${missing.map((v) => `${v.paymentId}:${v.status}`).join(', ')}`);
  });
}

function duplicates(list: readonly { id: string }[]): string[] {
  const seen = new Set<string>();
  const doubled: string[] = [];
  for (const { id } of list) {
    if (seen.has(id)) doubled.push(id);
    seen.add(id);
  }
  return doubled;
}

async function signIn(p: Page, clientId: string, secret: string) {
  await p.getByTestId('sign-in-client-id').fill(clientId);
  await p.getByTestId('sign-in-client-secret').fill(secret);
  await p.getByTestId('sign-in-submit').click();
}

async function openConsole(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1, locale: 'en-US' });
  const p = await context.newPage();
  p.on('pageerror', (error) => pageErrors.push(error.message));
  await p.routeWebSocket(/\/api\/stream/, (ws) => {
    streamUrls.push(ws.url());
    if (streamBlocked) ws.close({ code: 4503, reason: 'network down (test)' });
    else ws.connectToServer();
  });
  await p.goto(`${origin}/`);
  await p.getByTestId('sign-in-client-id').waitFor({ timeout: WAIT });
  return p;
}

const liveState = (p: Page) => p.getByTestId('connection-state').getAttribute('data-state');

async function waitForConnection(p: Page, state: 'live' | 'reconnecting' | 'offline') {
  await p.locator(`[data-testid="connection-state"][data-state="${state}"]`).waitFor({ timeout: WAIT });
}

// ---- the scenarios ----------------------------------------------------------------------------------

describe('operations console in a real browser', { timeout: 60_000 }, () => {
  beforeAll(async () => {
    // The APIs must allow exactly the dashboard's origin, and the dashboard must know the APIs' URLs when
    // Vite starts: so the dashboard's HTTP server takes its port first (and holds it), then the stack
    // starts, then Vite is created and attached to that server.
    http = createHttpServer();
    await new Promise<void>((resolve, reject) => http.once('error', reject).listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    stack = await startStack({ env: { CORS_ORIGINS: origin } });
    // Vite merges VITE_* from the process environment into import.meta.env.
    process.env.VITE_COMMAND_API_URL = stack.commandUrl;
    process.env.VITE_QUERY_API_URL = stack.queryUrl;
    vite = await createServer({
      configFile: join(dashboardRoot, 'vite.config.ts'),
      root: dashboardRoot,
      logLevel: 'warn',
      clearScreen: false,
      appType: 'spa',
      server: { middlewareMode: true, hmr: false },
    });
    http.on('request', vite.middlewares);

    // Debian's Chromium here; CHROMIUM_PATH elsewhere (GitHub's runners ship Google Chrome)
    browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });

    const ids = await Promise.all(SEED.map(([m, amount, currency, reference]) => pay(m, amount, currency, reference)));
    const views = await settled(ids);
    const review = views.filter((v) => v.status === 'REVIEW');
    expect(review.length).toBe(6);
    // Some history for every status: two approved, one declined, the rest left waiting for review.
    await decide(review[0]?.paymentId as string, 'approve', 'customer verified by phone');
    await decide(review[1]?.paymentId as string, 'approve', 'repeat buyer, matching address');
    await decide(review[2]?.paymentId as string, 'decline', 'card reported stolen');
    await eventually(async () => ((await apiStats()).byStatus.REVIEW === 3 ? true : undefined), WAIT, 'the seeded decisions');

    page = await openConsole();
  }, 120_000);

  afterAll(async () => {
    await browser?.close().catch(() => {});
    await vite?.close().catch(() => {});
    http?.closeAllConnections();
    await new Promise((resolve) => (http ? http.close(resolve) : resolve(undefined)));
    await stack?.stop();
    delete process.env.VITE_COMMAND_API_URL;
    delete process.env.VITE_QUERY_API_URL;
  }, 60_000);

  it('rejects a wrong secret, then signs an analyst in through the form and shows KPIs equal to /api/stats', async () => {
    await signIn(page, 'analyst', 'not-the-secret');
    await expect(page.getByTestId('sign-in-error').textContent({ timeout: WAIT })).resolves.toBe('Unknown client id or wrong secret');

    await signIn(page, 'analyst', 'dev-analyst-secret');
    await expect(page.getByTestId('session-role').getAttribute('data-role', { timeout: WAIT })).resolves.toBe('analyst');
    await waitForConnection(page, 'live');
    // Marks this document: if anything below reloaded the page, the mark would be gone.
    await page.evaluate(() => ((window as ConsoleWindow).__e2eSameDocument = true));

    const stats = await expectKpisToMatchApi(page);
    expect(stats).toEqual({ total: 20, pending: 0, authorized: 14, review: 3, approved: 2, declined: 1 });
    // Volume per currency: one row per currency, with the API's exact minor-unit totals.
    await page.getByTestId('volume-row').first().waitFor({ timeout: WAIT });
    const volume = await page.$$eval('[data-testid="volume-row"]', (els) =>
      els.map((el) => ({
        currency: el.getAttribute('data-currency'),
        totalMinor: el.querySelector('[data-testid="volume-total"]')?.getAttribute('data-minor'),
        acceptedMinor: el.querySelector('[data-testid="volume-accepted"]')?.getAttribute('data-minor'),
      })),
    );
    const api = (await apiStats()).volume.map((v) => ({ currency: v.currency, totalMinor: v.totalMinor, acceptedMinor: v.acceptedMinor }));
    expect(volume.sort((a, b) => String(a.currency).localeCompare(String(b.currency)))).toEqual(
      api.sort((a, b) => a.currency.localeCompare(b.currency)),
    );

    // Everything the system holds is listed once, with its status; the review queue holds the three waiting.
    await expectRows(page, await allPayments());
    expect(duplicates(await rows(page))).toEqual([]);
    await expect(page.getByTestId('review-queue-count').getAttribute('data-value')).resolves.toBe('3');
  });

  it('shows payments created through the API in the table and the counters, without a reload', async () => {
    const before = figuresOf(await apiStats());
    const orders: Order[] = [
      ['M123', '250.00', 'INR', 'order-1011'],
      ['M456', '19.99', 'EUR', 'basket-88220'],
      ['M123', '3200', 'JPY', 'order-1012'],
      ['M456', '27500.00', 'INR', 'invoice-7734'],
      ['M123', '15800.00', 'EUR', 'order-1013'],
    ];
    const ids: string[] = [];
    for (const [m, amount, currency, reference] of orders) ids.push(await pay(m, amount, currency, reference));
    const views = await settled(ids);
    expect(views.map((v) => v.status)).toEqual(['AUTHORIZED', 'AUTHORIZED', 'AUTHORIZED', 'REVIEW', 'REVIEW']);

    await expectRows(page, views);
    const after = await expectKpisToMatchApi(page);
    expect(after.total).toBe(before.total + 5);
    expect(after.authorized).toBe(before.authorized + 3);
    expect(after.review).toBe(before.review + 2);
    // Newest first: the last one created is the top row.
    expect((await rows(page))[0]?.id).toBe(ids[4]);
    expect(duplicates(await rows(page))).toEqual([]);
    await expect(page.evaluate(() => (window as ConsoleWindow).__e2eSameDocument)).resolves.toBe(true);
  });

  it('approves a payment from the review queue, and the row settles to APPROVED from the stream', async () => {
    const id = await pay('M456', '42000.00', 'INR', 'invoice-7735');
    const [view] = await settled([id]);
    expect(view?.status).toBe('REVIEW');
    const before = figuresOf(await apiStats());

    const item = page.locator(`[data-testid="review-item"][data-payment-id="${id}"]`);
    await item.waitFor({ timeout: WAIT });
    await expect(item.getAttribute('data-status')).resolves.toBe('REVIEW');
    await item.getByTestId('review-reason').fill('documents checked');
    await item.getByTestId('review-approve').click();

    await expect(item.getByTestId('review-settled').textContent({ timeout: WAIT })).resolves.toMatch(
      /^Approved by .+: “documents checked”/,
    );
    await page.locator(`[data-testid="payment-row"][data-payment-id="${id}"][data-status="APPROVED"]`).waitFor({ timeout: WAIT });
    const approved = await payment(id);
    expect(approved).toMatchObject({ status: 'APPROVED', reviewReason: 'documents checked' });
    const after = await expectKpisToMatchApi(page);
    expect(after).toEqual({ ...before, review: before.review - 1, approved: before.approved + 1 });
    // The queue no longer counts it as waiting.
    await page.locator(`[data-testid="review-queue-count"][data-value="${after.review}"]`).waitFor({ timeout: WAIT });
    await expect(page.evaluate(() => (window as ConsoleWindow).__e2eSameDocument)).resolves.toBe(true);
  });

  it('resumes after the WebSocket is killed: every payment made meanwhile appears exactly once, none missed', async () => {
    const positionBefore = await page.evaluate(() => (window as ConsoleWindow).__paymentsConsole?.stream.state().lastPosition ?? null);
    expect(positionBefore).toEqual(expect.any(Number));
    const urlsBefore = streamUrls.length;

    streamBlocked = true;
    await page.evaluate(() => (window as ConsoleWindow).__paymentsConsole?.stream.drop());
    await waitForConnection(page, 'reconnecting');

    const orders: Order[] = [
      ['M123', '610.00', 'INR', 'order-1014'],
      ['M456', '74.90', 'EUR', 'basket-88221'],
      ['M123', '21000', 'JPY', 'order-1015'],
      ['M456', '5100', 'JPY', 'basket-88222'],
      ['M123', '13999.00', 'INR', 'order-1016'],
      ['M456', '350.00', 'EUR', 'basket-88223'],
    ];
    const ids = await Promise.all(orders.map(([m, amount, currency, reference]) => pay(m, amount, currency, reference)));
    const views = await settled(ids);
    // Fully processed by the system while the console was cut off: none of them can be on the page yet.
    const during = await rows(page);
    expect(during.filter((r) => ids.includes(r.id))).toEqual([]);
    expect(await liveState(page)).toBe('reconnecting');
    // At least one reconnect attempt met the outage, so the one that gets through is a resume, not the first try.
    await eventually(async () => (streamUrls.length > urlsBefore ? true : undefined), WAIT, 'a reconnect attempt during the outage');

    streamBlocked = false;
    await waitForConnection(page, 'live');
    // The connection that got through resumed after the last position seen before the drop (or later).
    const resumed = streamUrls.slice(urlsBefore).map((u) => Number(new URL(u).searchParams.get('since')));
    expect(resumed.length).toBeGreaterThanOrEqual(2); // at least one refused attempt, then the one that connected
    expect(resumed.every((since) => since >= (positionBefore as number))).toBe(true);

    await expectRows(page, views);
    // No gaps and no doubles: the table is exactly the system's payments, each once, in their current state.
    const all = await allPayments();
    await expectRows(page, all);
    const table = await rows(page);
    expect(duplicates(table)).toEqual([]);
    expect(table.map((r) => r.id).sort()).toEqual(all.map((p) => p.paymentId).sort());
    await expectKpisToMatchApi(page);
    await expect(page.evaluate(() => (window as ConsoleWindow).__e2eSameDocument)).resolves.toBe(true);
  });

  it('takes the README screenshot of the console with live data', async () => {
    // A short burst of traffic, so the live chart has something to show.
    const burst: Order[] = [
      ['M123', '1899.00', 'INR', 'order-1017'],
      ['M456', '59.00', 'EUR', 'basket-88224'],
      ['M123', '2600', 'JPY', 'order-1018'],
      ['M456', '11800.00', 'EUR', 'invoice-7736'],
      ['M123', '420.00', 'INR', 'order-1019'],
      ['M456', '8900', 'JPY', 'basket-88225'],
      ['M123', '129.00', 'EUR', 'order-1020'],
      ['M456', '6550.00', 'INR', 'basket-88226'],
    ];
    const ids: string[] = [];
    for (const [m, amount, currency, reference] of burst) {
      ids.push(await pay(m, amount, currency, reference));
      await new Promise((r) => setTimeout(r, 150)); // spread over a second or two, as real traffic would be
    }
    await expectRows(page, await settled(ids));
    await expectKpisToMatchApi(page);
    expect(await liveState(page)).toBe('live');

    mkdirSync(dirname(screenshotPath), { recursive: true });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: screenshotPath, animations: 'disabled', caret: 'hide' });
  });

  it('shows a merchant only its own payments, its own figures and no review queue', async () => {
    const merchantPage = await openConsole();
    try {
      await signIn(merchantPage, 'merchant-M123', 'dev-merchant-secret');
      await expect(merchantPage.getByTestId('session-role').getAttribute('data-role', { timeout: WAIT })).resolves.toBe('merchant');
      await waitForConnection(merchantPage, 'live');

      const own = await allPayments('merchant-M123');
      expect(own.length).toBeGreaterThan(0);
      expect(own.every((p) => p.merchantId === 'M123')).toBe(true);
      await expectRows(merchantPage, own);
      expect((await rows(merchantPage)).map((r) => r.id).sort()).toEqual(own.map((p) => p.paymentId).sort());
      await expectKpisToMatchApi(merchantPage, 'merchant-M123');
      expect(await merchantPage.getByTestId('review-queue').count()).toBe(0);
      expect(await merchantPage.getByTestId('review-item').count()).toBe(0);

      // Live: another merchant's payment never reaches this console; its own does.
      const other = await pay('M456', '77.00', 'EUR', 'basket-88227');
      const mine = await pay('M123', '880.00', 'INR', 'order-1021');
      await expectRows(merchantPage, await settled([mine]));
      await settled([other]);
      await expectKpisToMatchApi(merchantPage, 'merchant-M123');
      const table = await rows(merchantPage);
      expect(table.some((r) => r.id === other)).toBe(false);
      expect(table.map((r) => r.id).sort()).toEqual([...own.map((p) => p.paymentId), mine].sort());
    } finally {
      await merchantPage.context().close();
    }
  });

  it('signs the analyst out: back to the sign-in form, session and stream gone', async () => {
    await page.getByTestId('sign-out').click();
    await page.getByTestId('sign-in-submit').waitFor({ timeout: WAIT });
    expect(await page.getByTestId('payment-row').count()).toBe(0);
    await expect(page.evaluate(() => sessionStorage.getItem('payments.session'))).resolves.toBeNull();
    await expect(page.evaluate(() => (window as ConsoleWindow).__paymentsConsole === undefined)).resolves.toBe(true);
    expect(pageErrors).toEqual([]);
  });
});
