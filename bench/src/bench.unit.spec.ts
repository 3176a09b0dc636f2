// Specifications of the bench's pure parts: the options, the offered traffic, the statistics and the page.
import { describe, expect, it } from 'vitest';
import { barChart, escapeHtml, stackedChart } from './chart.ts';
import { parseOptions, roundSeconds } from './options.ts';
import { PaymentRequestMix } from './payment-requests.ts';
import { newHistogram, percentile, recordMs, spread, summarize } from './stats.ts';

describe('options', () => {
  it('default to the documented run: 10 s per phase, 32 connections, 1000/s end to end, 3 rounds, every phase, 10 s warm-up', () => {
    expect(parseOptions([])).toEqual({
      durationSeconds: 10,
      connections: 32,
      rate: null,
      e2eRate: 1000,
      rounds: 3,
      phases: ['baseline', 'command', 'e2e', 'http', 'replay'],
      warmupSeconds: 10,
    });
  });

  it('keep the phases in their canonical order whatever order they are named in', () => {
    const options = parseOptions(['--phases', 'replay,baseline']);
    expect(options !== 'help' && options.phases).toEqual(['baseline', 'replay']);
  });

  it('list every bad option at once', () => {
    let problems = '';
    try {
      parseOptions(['--duration', '0', '--phases', 'warp', '--e2e-rate', 'fast']);
    } catch (error) {
      problems = (error as Error).message;
    }
    expect(problems).toContain('--duration must be');
    expect(problems).toContain('--e2e-rate must be');
    expect(problems).toContain('--phases: unknown warp');
  });

  it('split the phase duration into rounds of at least 2 s', () => {
    const options = parseOptions(['--duration', '3', '--rounds', '3']);
    expect(options !== 'help' && roundSeconds(options)).toBe(2);
  });
});

describe('the offered payments', () => {
  const mix = () =>
    new PaymentRequestMix('run', [
      { merchantId: 'M123', token: 't1' },
      { merchantId: 'M456', token: 't2' },
    ]);

  it('carry a fresh Idempotency-Key each and the token of the merchant they are for', () => {
    const m = mix();
    const requests = Array.from({ length: 100 }, () => m.next());
    expect(new Set(requests.map((r) => r.headers['idempotency-key'])).size).toBe(100);
    for (const r of requests) {
      const body = JSON.parse(r.body) as { merchantId: string };
      expect(r.headers.authorization).toBe(body.merchantId === 'M123' ? 'Bearer t1' : 'Bearer t2');
    }
  });

  it('send one in five to review (amount at or above 10000) and the rest below, in INR and EUR', () => {
    const m = mix();
    const bodies = Array.from({ length: 1000 }, () => m.next()).map((r) => ({
      ...r,
      body: JSON.parse(r.body) as { amount: string; currency: string },
    }));
    const review = bodies.filter((r) => Number(r.body.amount) >= 10_000);
    expect(review.length).toBe(200);
    expect(review.every((r) => r.review)).toBe(true);
    expect(bodies.every((r) => /^\d+\.\d{2}$/.test(r.body.amount) && Number(r.body.amount) > 0)).toBe(true);
    expect(new Set(bodies.map((r) => r.body.currency))).toEqual(new Set(['INR', 'EUR']));
  });

  it('are the same sequence on every run', () => {
    const a = mix();
    const b = mix();
    for (let i = 0; i < 20; i++) expect(a.next().body).toBe(b.next().body);
  });
});

describe('statistics', () => {
  it('report HDR percentiles in milliseconds to three significant digits', () => {
    const h = newHistogram();
    for (let i = 1; i <= 1000; i++) recordMs(h, i / 10);
    const s = summarize(h);
    expect(s.count).toBe(1000);
    expect(s.p50Ms).toBeCloseTo(50, 0);
    expect(s.p99Ms).toBeCloseTo(99, 0);
  });

  it('give medians with min and max over rounds', () => {
    expect(spread([300, 100, 200])).toMatchObject({ median: 200, min: 100, max: 300 });
    expect(spread([1, 2, 3, 4]).median).toBe(2.5);
  });

  it('take percentiles of plain values by nearest rank, including negative ones', () => {
    expect(percentile([5, -1, 3, 2, 4], 50)).toBe(3);
    expect(percentile([], 99)).toBeNull();
  });
});

describe('the page', () => {
  it('escapes every label it draws', () => {
    expect(escapeHtml('<a & "b">')).toBe('&lt;a &amp; &quot;b&quot;&gt;');
    const svg = barChart('t', [{ label: '<script>', value: 1 }], 'ms');
    expect(svg).not.toContain('<script>');
  });

  it('draws a log scale for values across orders of magnitude, and nothing for no data', () => {
    expect(
      barChart(
        'latency',
        [
          { label: 'a', value: 5 },
          { label: 'b', value: 5000 },
        ],
        'ms',
        'log',
      ),
    ).toContain('1,000');
    expect(barChart('none', [], 'ms')).toBe('');
    expect(stackedChart('none', [], 'ms')).toBe('');
  });
});
