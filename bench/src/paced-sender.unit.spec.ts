import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nowMs } from './clock.ts';
import { type PacedResponse, sendAtFixedRate } from './paced-sender.ts';

describe('the open-loop sender on its own thread', () => {
  let server: Server;
  let url: string;
  const received: { key: string; body: string }[] = [];

  beforeAll(async () => {
    let n = 0;
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        received.push({ key: String(req.headers['idempotency-key']), body });
        // every seventh request refused, to see statuses other than 202 reported too
        const status = ++n % 7 === 0 ? 409 : 202;
        const payload = JSON.stringify(status === 202 ? { paymentId: `p-${n}` } : { error: 'conflict' });
        res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
        res.end(payload);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/payments`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sends the mix at the offered rate and reports every response once, with the 202s parsed', async () => {
    const reported: PacedResponse[] = [];
    const before = nowMs();
    const result = await sendAtFixedRate(
      { url, rate: 200, durationMs: 350, connections: 4, mix: { runId: 'thread-test', merchants: [{ merchantId: 'M1', token: 't' }] } },
      (batch) => reported.push(...batch),
    );

    expect(result.offered).toBe(70);
    expect(received).toHaveLength(70);
    expect(new Set(received.map((r) => r.key)).size).toBe(70); // a fresh Idempotency-Key each, as the mix makes them
    expect(reported).toHaveLength(70);
    expect(result.statuses).toEqual({ 202: 60, 409: 10 });
    expect(result.accepted).toBe(60);
    expect(result.latency.totalCount).toBe(60);
    const accepted = reported.filter((r) => r.status === 202);
    expect(new Set(accepted.map((r) => r.paymentId)).size).toBe(60);
    expect(reported.filter((r) => r.status !== 202).every((r) => r.paymentId === null)).toBe(true);
    // intended starts on the schedule (5 ms apart), each answered after it was due
    const intended = reported.map((r) => r.intendedAt).sort((a, b) => a - b);
    for (let i = 1; i < intended.length; i++) expect((intended[i] as number) - (intended[i - 1] as number)).toBeCloseTo(5, 6);
    expect(reported.every((r) => r.ackAt >= r.intendedAt)).toBe(true);
    // the thread's times are on this thread's clock
    expect(result.startedAt).toBeGreaterThan(before);
    expect(Math.max(...reported.map((r) => r.ackAt))).toBeLessThanOrEqual(nowMs());
  });

  it('sends the lead-in first on the same schedule, and neither counts nor reports it', async () => {
    received.length = 0;
    const reported: PacedResponse[] = [];
    let measuringCalls = 0;
    const result = await sendAtFixedRate(
      {
        url,
        rate: 200,
        durationMs: 200,
        connections: 4,
        mix: { runId: 'measured', merchants: [{ merchantId: 'M1', token: 't' }] },
        leadIn: { durationMs: 100, runId: 'lead-in' },
      },
      (batch) => reported.push(...batch),
      () => {
        measuringCalls++;
      },
    );

    // 20 lead-in requests (the mix's keys carry its run id), then 40 measured ones, all sent
    expect(received).toHaveLength(60);
    expect(received.filter((r) => r.key.includes('-lead-in-'))).toHaveLength(20);
    expect(received.filter((r) => r.key.includes('-measured-'))).toHaveLength(40);
    // only the measured ones are counted and reported, the first of them on the schedule's measured start
    expect(result.offered).toBe(40);
    expect(reported).toHaveLength(40);
    expect(Object.values(result.statuses).reduce((a, b) => a + b, 0)).toBe(40);
    expect(Math.min(...reported.map((r) => r.intendedAt))).toBeCloseTo(result.startedAt, 6);
    expect(measuringCalls).toBe(1);
  });

  it('fails with the reason when the target is not on this machine', async () => {
    await expect(
      sendAtFixedRate(
        {
          url: 'http://192.0.2.1:8080/api/payments',
          rate: 10,
          durationMs: 100,
          connections: 1,
          mix: { runId: 'x', merchants: [{ merchantId: 'M1', token: 't' }] },
        },
        () => {},
      ),
    ).rejects.toThrow(/only sends to 127.0.0.1/);
  });
});
