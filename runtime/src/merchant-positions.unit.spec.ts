// The merchant position codec: a keyed permutation of [1, 2^52] that hides the global count, reversible
// only with the key, and a different permutation per merchant.
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';
import { MAX_CODED_POSITION, MerchantPositions, positionSecretConfigSpec } from './merchant-positions.ts';

const codec = new MerchantPositions('a test secret of at least thirty-two characters');

describe('merchant positions', () => {
  it('decoding an encoded position gives it back, at the edges of the range too', () => {
    for (const position of [1, 2, 3, 1000, 123_456_789, MAX_CODED_POSITION - 1, MAX_CODED_POSITION]) {
      const shown = codec.encode('M123', position);
      expect(Number.isSafeInteger(shown)).toBe(true);
      expect(shown).toBeGreaterThanOrEqual(1);
      expect(shown).toBeLessThanOrEqual(MAX_CODED_POSITION);
      expect(codec.decode('M123', shown)).toBe(position);
    }
  });

  it('is a permutation: 10,000 consecutive positions give 10,000 distinct values that reveal neither order nor count', () => {
    const shown = Array.from({ length: 10_000 }, (_, i) => codec.encode('M123', i + 1));
    expect(new Set(shown).size).toBe(shown.length);
    // consecutive positions land far apart: nothing close to position + 1
    const close = shown.slice(1).filter((v, i) => Math.abs(v - (shown[i] as number)) < 1000).length;
    expect(close).toBeLessThan(5);
    expect(shown.slice(0, 3)).not.toEqual([1, 2, 3]);
  });

  it('different keys, or different merchants, give different permutations', () => {
    const other = new MerchantPositions('another secret of at least thirty-two characters');
    const sample = Array.from({ length: 100 }, (_, i) => i + 1);
    const a = sample.map((p) => codec.encode('M123', p));
    expect(sample.map((p) => other.encode('M123', p)).filter((v, i) => v === a[i]).length).toBe(0);
    expect(sample.map((p) => codec.encode('M456', p)).filter((v, i) => v === a[i]).length).toBe(0);
    // another merchant's value decodes to something else for this merchant
    expect(codec.decode('M456', a[0] as number)).not.toBe(1);
  });

  it('a value the codec never returns decodes to null; a position outside the range is refused', () => {
    for (const value of [0, -1, 1.5, MAX_CODED_POSITION + 1, Number.MAX_SAFE_INTEGER, Number.NaN]) {
      expect(codec.decode('M123', value)).toBeNull();
    }
    expect(() => codec.encode('M123', 0)).toThrow(RangeError);
    expect(() => codec.encode('M123', MAX_CODED_POSITION + 1)).toThrow(RangeError);
  });

  it('merchants are shown the permuted position, analysts and viewers the global one', () => {
    const merchant = { sub: 'merchant-M123', role: 'merchant' as const, merchantId: 'M123' };
    const analyst = { sub: 'analyst', role: 'analyst' as const };
    expect(codec.shown(merchant, 42)).toBe(codec.encode('M123', 42));
    expect(codec.passedBack(merchant, codec.shown(merchant, 42))).toBe(42);
    expect(codec.shown(analyst, 42)).toBe(42);
    expect(codec.passedBack(analyst, 42)).toBe(42);
  });

  it('POSITION_SECRET: a development default outside production, required and long in production', () => {
    const load = (env: Record<string, string>) => loadConfig<{ positionSecret: string }>(positionSecretConfigSpec, env);
    expect(load({ NODE_ENV: 'development' }).positionSecret.length).toBeGreaterThan(0);
    expect(load({ NODE_ENV: 'production', POSITION_SECRET: 'x'.repeat(32) }).positionSecret).toBe('x'.repeat(32));
    expect(() => load({ NODE_ENV: 'production' })).toThrow(/POSITION_SECRET is required in production/);
    expect(() => load({ POSITION_SECRET: 'short' })).toThrow(/at least 32 characters/);
  });
});
