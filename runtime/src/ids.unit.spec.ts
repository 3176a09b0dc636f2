// Specifications of uuidv7 (RFC 9562): the layout of the version and variant bits, the 48-bit millisecond
// timestamp up front, and the ordering that makes ids index-friendly.
import { describe, expect, it } from 'vitest';
import { uuidv7 } from './ids.ts';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** The unix milliseconds in an id's first 48 bits. */
const timestampOf = (id: string) => Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16);

describe('format', () => {
  it('is a lower-case 8-4-4-4-12 uuid with version 7 and the RFC 9562 variant (10xx)', () => {
    for (let i = 0; i < 1_000; i++) expect(uuidv7()).toMatch(UUID_V7);
  });

  it('keeps version and variant whatever the timestamp', () => {
    for (const now of [0, 1, 0xff, 0x1_0000_0000, 2 ** 48 - 1]) expect(uuidv7(now)).toMatch(UUID_V7);
  });

  it('starts with the given time in milliseconds, big-endian', () => {
    const now = Date.UTC(2025, 0, 1, 10, 0, 0, 123);
    expect(timestampOf(uuidv7(now))).toBe(now);
    expect(uuidv7(0x0190_a0b0_c0d0).slice(0, 13)).toBe('0190a0b0-c0d0');
  });

  it('defaults to the current time', () => {
    const before = Date.now();
    const id = uuidv7();
    const after = Date.now();
    expect(timestampOf(id)).toBeGreaterThanOrEqual(before);
    expect(timestampOf(id)).toBeLessThanOrEqual(after);
  });

  it('ids made in the same millisecond differ (random bits)', () => {
    const now = Date.now();
    const ids = new Set(Array.from({ length: 1_000 }, () => uuidv7(now)));
    expect(ids.size).toBe(1_000);
  });
});

describe('ordering', () => {
  it('ids for increasing timestamps sort in the same order, as strings', () => {
    const start = Date.UTC(2025, 0, 1);
    const times = [0, 1, 2, 255, 256, 999, 1_000, 65_535, 65_536, 86_400_000, 2 ** 32].map((d) => start + d);
    const ids = times.map((t) => uuidv7(t));
    expect([...ids].sort()).toEqual(ids);
  });

  it('a later millisecond always sorts after an earlier one, whatever the random bits', () => {
    const now = Date.now();
    for (let i = 0; i < 1_000; i++) expect(uuidv7(now + 1) > uuidv7(now)).toBe(true);
  });
});
