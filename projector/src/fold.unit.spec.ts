// Specifications of the projection fold: given the read-model rows a batch touches and the batch's events,
// then these rows change, these counters and series points move, and these events are orphans.
import type { Payment, PaymentEvent, RecordedEvent, RuleDecision } from '@payments/schemas';
import { decisionOf, type PaymentDefaults, paymentEvents } from '@payments/schemas/testing';
import { describe, expect, it } from 'vitest';
import { type ProjectionResult, projectEvents, type StatDelta } from './fold.ts';

const A = '0190a0b0-0000-7000-8000-00000000000a';
const B = '0190a0b0-0000-7000-8000-00000000000b';
const C = '0190a0b0-0000-7000-8000-00000000000c';

const T0 = Date.UTC(2025, 0, 1, 10, 0, 0);
/** An ISO time `ms` milliseconds after T0. */
const at = (ms: number) => new Date(T0 + ms).toISOString();
const secondOf = (ms: number) => Math.floor((T0 + ms) / 1000);

// ---- recorded events ---------------------------------------------------------------------------------

let position = 0;
/** The event as the store records it, positions in the order the test builds them. */
const stored = (event: PaymentEvent): RecordedEvent => ({ ...event, position: ++position });
const events = (paymentId: string, defaults: PaymentDefaults = {}) => paymentEvents({ paymentId, ...defaults });

const decision: RuleDecision = decisionOf(1, 'INR', false);

const requested = (paymentId: string, amountMinor: number, opts: { ms?: number; merchantId?: string; currency?: string } = {}) =>
  stored(events(paymentId, { amountMinor, ...opts }).requested({}, { occurredAt: at(opts.ms ?? 0) }));
const authorized = (paymentId: string, ms = 0) => stored(events(paymentId).authorized(decision, { occurredAt: at(ms) }));
const flagged = (paymentId: string, ms = 0) => stored(events(paymentId).flaggedForReview(decision, { occurredAt: at(ms) }));
const approved = (paymentId: string, ms = 0) => stored(events(paymentId).approved(null, 'analyst:alice', { occurredAt: at(ms) }));
const declined = (paymentId: string, ms = 0) => stored(events(paymentId).declined('fraud', 'analyst:alice', { occurredAt: at(ms) }));

// ---- helpers -----------------------------------------------------------------------------------------

const noRows: ReadonlyMap<string, Payment> = new Map();

/** The rows a result leaves, as the writer would store them, merged over the rows it started from. */
const rowsAfter = (current: ReadonlyMap<string, Payment>, result: ProjectionResult) =>
  new Map([...current, ...result.changed.map((p) => [p.paymentId, p] as const)]);

/** Stat deltas keyed `merchant currency status`, order-free. */
const statsOf = (stats: StatDelta[]) =>
  Object.fromEntries(stats.map((d) => [`${d.merchantId} ${d.currency} ${d.status}`, { count: d.count, volumeMinor: d.volumeMinor }]));

const statusOf = (result: ProjectionResult) => Object.fromEntries(result.changed.map((p) => [p.paymentId, [p.status, p.version]]));

// ---- specifications ----------------------------------------------------------------------------------

describe('a batch of requests and decisions for several payments', () => {
  const batch = [
    requested(A, 500_000),
    requested(B, 1_500_000),
    requested(C, 100, { currency: 'JPY', merchantId: 'M2' }),
    authorized(A),
    flagged(B),
  ];
  const result = projectEvents(noRows, batch);

  it('gives each payment its latest row', () => {
    expect(statusOf(result)).toEqual({ [A]: ['AUTHORIZED', 2], [B]: ['REVIEW', 2], [C]: ['PENDING', 1] });
    expect(result.changed.find((p) => p.paymentId === A)).toMatchObject({ amountMinor: 500_000, currency: 'INR', decision });
  });

  it('counts each payment once, in its final status, with its volume as bigint (a PENDING passed through nets to nothing)', () => {
    expect(statsOf(result.stats)).toEqual({
      'M1 INR AUTHORIZED': { count: 1, volumeMinor: 500_000n },
      'M1 INR REVIEW': { count: 1, volumeMinor: 1_500_000n },
      'M2 JPY PENDING': { count: 1, volumeMinor: 100n },
    });
  });

  it('has no orphans', () => {
    expect(result.orphans).toEqual([]);
  });

  it('applied again to the rows it produced, changes nothing', () => {
    expect(projectEvents(rowsAfter(noRows, result), batch)).toEqual({ changed: [], stats: [], series: [], orphans: [] });
  });
});

describe('a decision for a payment already projected as PENDING', () => {
  const current = rowsAfter(noRows, projectEvents(noRows, [requested(A, 500_000)]));

  it('moves it from PENDING (-1, -volume) to AUTHORIZED (+1, +volume)', () => {
    const result = projectEvents(current, [authorized(A)]);
    expect(statsOf(result.stats)).toEqual({
      'M1 INR PENDING': { count: -1, volumeMinor: -500_000n },
      'M1 INR AUTHORIZED': { count: 1, volumeMinor: 500_000n },
    });
  });

  it('a review then moves REVIEW to APPROVED or DECLINED', () => {
    const inReview = rowsAfter(current, projectEvents(current, [flagged(A)]));
    expect(statsOf(projectEvents(inReview, [approved(A)]).stats)).toEqual({
      'M1 INR REVIEW': { count: -1, volumeMinor: -500_000n },
      'M1 INR APPROVED': { count: 1, volumeMinor: 500_000n },
    });
    expect(statsOf(projectEvents(inReview, [declined(A)]).stats)).toEqual({
      'M1 INR REVIEW': { count: -1, volumeMinor: -500_000n },
      'M1 INR DECLINED': { count: 1, volumeMinor: 500_000n },
    });
  });

  it('does not change the rows it was given', () => {
    const before = structuredClone([...current]);
    projectEvents(current, [authorized(A)]);
    expect([...current]).toEqual(before);
  });
});

describe('redelivered and out-of-date events', () => {
  const current = rowsAfter(noRows, projectEvents(noRows, [requested(A, 500_000), authorized(A)]));

  it('an event older than the row (version 1 under a version 2 row) is skipped', () => {
    expect(projectEvents(current, [requested(A, 500_000)])).toEqual({ changed: [], stats: [], series: [], orphans: [] });
  });

  it('an event at the row version (a redelivery) is skipped', () => {
    expect(projectEvents(current, [authorized(A)])).toEqual({ changed: [], stats: [], series: [], orphans: [] });
  });

  it('a flag at the version of an authorization already applied does not overwrite it', () => {
    const result = projectEvents(current, [flagged(A)]);
    expect(result.changed).toEqual([]);
    expect(current.get(A)?.status).toBe('AUTHORIZED');
  });

  it('within one batch, the second copy of an event is skipped', () => {
    const request = requested(B, 700);
    const result = projectEvents(noRows, [request, request]);
    expect(statsOf(result.stats)).toEqual({ 'M1 INR PENDING': { count: 1, volumeMinor: 700n } });
    expect(result.series).toEqual([{ bucket: secondOf(0), merchantId: 'M1', outcome: 'requested', count: 1 }]);
  });
});

describe('orphans', () => {
  it('a decision for a payment the read model has never seen is an orphan, and moves nothing', () => {
    const orphan = authorized(C);
    expect(projectEvents(noRows, [orphan])).toEqual({ changed: [], stats: [], series: [], orphans: [orphan] });
  });

  it('an orphan does not stop the rest of the batch', () => {
    const orphan = approved(C);
    const result = projectEvents(noRows, [orphan, requested(A, 500_000)]);
    expect(result.orphans).toEqual([orphan]);
    expect(statusOf(result)).toEqual({ [A]: ['PENDING', 1] });
  });

  it('a decision before its request in the same batch is an orphan; the request still applies', () => {
    const early = authorized(A);
    const result = projectEvents(noRows, [early, requested(A, 500_000)]);
    expect(result.orphans).toEqual([early]);
    expect(statusOf(result)).toEqual({ [A]: ['PENDING', 1] });
  });
});

describe('series', () => {
  it('counts events by second bucket, merchant and outcome', () => {
    const result = projectEvents(noRows, [
      requested(A, 500_000, { ms: 100 }),
      requested(B, 1_500_000, { ms: 900 }),
      authorized(A, 999),
      flagged(B, 1_000),
      requested(C, 100, { ms: 1_500, merchantId: 'M2' }),
    ]);
    expect(result.series).toEqual([
      { bucket: secondOf(0), merchantId: 'M1', outcome: 'requested', count: 2 },
      { bucket: secondOf(0), merchantId: 'M1', outcome: 'authorized', count: 1 },
      { bucket: secondOf(1_000), merchantId: 'M1', outcome: 'review', count: 1 },
      { bucket: secondOf(1_000), merchantId: 'M2', outcome: 'requested', count: 1 },
    ]);
  });

  it('reviews count as approved and declined', () => {
    const current = rowsAfter(noRows, projectEvents(noRows, [requested(A, 1), flagged(A), requested(B, 1), flagged(B)]));
    const result = projectEvents(current, [approved(A, 2_000), declined(B, 2_000)]);
    expect(result.series).toEqual([
      { bucket: secondOf(2_000), merchantId: 'M1', outcome: 'approved', count: 1 },
      { bucket: secondOf(2_000), merchantId: 'M1', outcome: 'declined', count: 1 },
    ]);
  });
});

describe('changed', () => {
  it('lists each changed payment once, ordered by its last change in the batch', () => {
    const result = projectEvents(noRows, [requested(A, 1), requested(B, 1), requested(C, 1), authorized(A), flagged(B)]);
    expect(result.changed.map((p) => p.paymentId)).toEqual([C, A, B]);
  });

  it('leaves out payments the batch skipped', () => {
    const current = rowsAfter(noRows, projectEvents(noRows, [requested(A, 1)]));
    const result = projectEvents(current, [requested(A, 1), requested(B, 1)]);
    expect(result.changed.map((p) => p.paymentId)).toEqual([B]);
  });
});
