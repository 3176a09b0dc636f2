// Specifications of the bench's pure parts: the options, the offered traffic, the capacity search, the
// statistics and the page.
import { describe, expect, it } from 'vitest';
import { escapeHtml, renderHtml, scriptJson } from './html-report.ts';
import { parseOptions, roundSeconds } from './options.ts';
import { PaymentRequestMix } from './payment-requests.ts';
import { type CapacityStep, nextRate, verdict } from './phases/capacity.ts';
import { assemble, type Machine, type Settings } from './results.ts';
import { newHistogram, percentile, recordMs, spread, summarize } from './stats.ts';

/** A capacity step that holds, with `over` changed. */
const step = (over: Partial<CapacityStep>) => ({
  rate: 1000,
  offered: 10_000,
  accepted: 10_000,
  decided: 10_000,
  p50Ms: 60,
  p99Ms: 140,
  ackP99Ms: 12,
  drainSeconds: 0.3,
  maxSendLagMs: 3,
  cpuMsPerPayment: {
    perItem: {},
    postgresByClient: {},
    pgCommitsPerItem: 0,
    walFlushesPerItem: 0,
    walKbPerItem: 0,
    machineBusyPct: 0,
    items: 0,
  },
  ...over,
});

describe('options', () => {
  it('default to the documented run: 10 s per phase, 32 connections, 1000/s end to end, 3 rounds, every phase, 10 s warm-up', () => {
    expect(parseOptions([])).toEqual({
      durationSeconds: 10,
      connections: 32,
      rate: null,
      e2eRate: 1000,
      rounds: 3,
      phases: ['baseline', 'command', 'e2e', 'capacity', 'http', 'replay'],
      warmupSeconds: 10,
      capacityStepSeconds: 10,
      capacityStart: 500,
      capacityResolution: 250,
      capacityMaxRate: 16_000,
      capacitySteps: 8,
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

  it('send one in five to review (the shared generator) with amounts the API accepts', () => {
    const m = mix();
    const bodies = Array.from({ length: 1000 }, () => m.next()).map((r) => ({
      ...r,
      body: JSON.parse(r.body) as { amount: string; currency: string; reference: string },
    }));
    expect(bodies.filter((r) => r.review)).toHaveLength(200);
    expect(bodies.every((r) => /^\d+(\.\d+)?$/.test(r.body.amount) && Number(r.body.amount) > 0)).toBe(true);
    expect(bodies.every((r) => r.body.reference.startsWith('bench-'))).toBe(true);
    expect(new Set(bodies.map((r) => r.body.currency)).size).toBeGreaterThan(2);
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

describe('the capacity search', () => {
  const bounds = { start: 500, resolution: 250, maxRate: 16_000, maxSteps: 8 };
  /** Runs the search against a system that holds every rate up to `capacity`. */
  const search = (capacity: number, b = bounds) => {
    const steps: { rate: number; passed: boolean }[] = [];
    for (let rate = nextRate(steps, b); rate !== null; rate = nextRate(steps, b)) steps.push({ rate, passed: rate <= capacity });
    return steps.map((s) => s.rate);
  };

  it('doubles until a step fails, then bisects until pass and failure are the resolution apart', () => {
    expect(search(2600)).toEqual([500, 1000, 2000, 4000, 3000, 2500, 2750]);
    expect(search(2000)).toEqual([500, 1000, 2000, 4000, 3000, 2500, 2250]);
  });

  it('halves towards zero when the first step fails, and stops at the resolution', () => {
    expect(search(100)).toEqual([500, 250]);
  });

  it('stops at the highest rate allowed and after the most steps allowed', () => {
    expect(search(1_000_000, { ...bounds, maxRate: 3000 })).toEqual([500, 1000, 2000, 3000]);
    expect(search(1_000_000, { ...bounds, maxSteps: 3 })).toEqual([500, 1000, 2000]);
  });

  it('passes a step only with every payment accepted and decided, p99 <= 150 ms and a drain <= 2 s', () => {
    expect(verdict(step({}))).toBeNull();
    expect(verdict(step({ p99Ms: 150 }))).toBeNull();
    expect(verdict(step({ p99Ms: 151 }))).toMatch(/p99 151 ms/);
    expect(verdict(step({ drainSeconds: 2.1 }))).toMatch(/drain 2.1 s/);
    expect(verdict(step({ drainSeconds: null }))).toMatch(/drain unfinished/);
    expect(verdict(step({ accepted: 9_990 }))).toMatch(/10 of 10000 not accepted/);
    expect(verdict(step({ decided: 9_999 }))).toMatch(/1 never seen decided/);
  });
});

describe('the results', () => {
  const capacityTarget = (ratePerSecond: number | null) =>
    assemble({ capacity: { ratePerSecond, firstFailingRate: 500, steps: [] } }, {}, {} as Machine, {} as Settings).targets.find(
      (t) => t.name === 'e2eCapacityPerSec',
    );

  it('meet the capacity target at 1000/s or more, and miss it when no step held', () => {
    expect(capacityTarget(2000)).toMatchObject({ value: 2000, met: true });
    expect(capacityTarget(750)).toMatchObject({ value: 750, met: false });
    expect(capacityTarget(null)).toMatchObject({ value: null, met: false });
  });
});

describe('the page', () => {
  it('escapes every label and keeps its data from closing the script it is in', () => {
    expect(escapeHtml('<a & "b">')).toBe('&lt;a &amp; &quot;b&quot;&gt;');
    expect(scriptJson({ label: '</script><script>alert(1)' })).not.toContain('</script>');
    expect(JSON.parse(scriptJson({ label: '</script>' }))).toEqual({ label: '</script>' });
  });

  it('inlines uPlot and draws the capacity search with the limit line', () => {
    const results = {
      generatedAt: '2026-12-01T00:00:00.000Z',
      e2eCapacityPerSec: 2000,
      targets: [{ name: 'e2eCapacityPerSec', target: '>= 1000', value: 2000, met: true, note: '<n>' }],
      settings: { commit: 'abc' },
      phases: {
        capacity: {
          ratePerSecond: 2000,
          firstFailingRate: 4000,
          steps: [
            { ...step({ rate: 4000, p99Ms: 900 }), passed: false, reason: 'p99' },
            { ...step({ rate: 2000 }), passed: true, reason: null },
          ],
        },
      },
    } as unknown as Parameters<typeof renderHtml>[0];
    const html = renderHtml(results, 'report <pre>');
    expect(html).toContain('uPlot'); // the library itself, so the page opens offline
    expect(html).not.toContain('<script src=');
    expect(html).toContain('report &lt;pre&gt;');
    const charts = JSON.parse(/const CHARTS = (.*);\n/.exec(html)?.[1] ?? 'null') as {
      title: string;
      x: number[];
      series: { label: string; values: number[] }[];
    }[];
    expect(charts[0]?.x).toEqual([2000, 4000]); // sorted by rate, not by the order tried
    expect(charts[0]?.series.find((s) => s.label === 'e2e p99')?.values).toEqual([140, 900]);
    expect(charts[0]?.series.find((s) => s.label === 'limit 150 ms')?.values).toEqual([150, 150]);
  });
});
