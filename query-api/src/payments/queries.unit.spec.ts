// Specifications of the list cursor: what listPayments hands out decodes back to the same keyset position,
// and anything else decodes to null (which the route answers with 400) before it can reach SQL.
import { describe, expect, it } from 'vitest';
import { type Cursor, decodeCursor, encodeCursor } from './queries.ts';

const cursor: Cursor = { createdAt: '2025-01-01T10:00:00.123Z', paymentId: '0190a0b0-0000-7000-8000-000000000001' };
/** A cursor with arbitrary content, built the way encodeCursor builds one. */
const crafted = (text: string) => Buffer.from(text).toString('base64url');

describe('round trip', () => {
  it('a cursor the API returned decodes to the same position', () => {
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
  });

  it('an upper-case payment id survives the round trip', () => {
    const upper = { ...cursor, paymentId: cursor.paymentId.toUpperCase() };
    expect(decodeCursor(encodeCursor(upper))).toEqual(upper);
  });

  it('the first and last years PostgreSQL stores decode', () => {
    for (const createdAt of ['0001-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z']) {
      expect(decodeCursor(encodeCursor({ ...cursor, createdAt }))).toEqual({ ...cursor, createdAt });
    }
  });

  it('the encoded cursor is URL-safe (base64url, no padding)', () => {
    expect(encodeCursor(cursor)).toMatch(/^[A-Za-z0-9_-]+$/);
  });
});

describe('anything else decodes to null', () => {
  it.each([
    ['an empty string', ''],
    ['text that is not base64', 'not a cursor!!'],
    ['base64 of text without a separator', crafted('hello')],
    ['a missing payment id', crafted(`${cursor.createdAt}|`)],
    ['a missing date', crafted(`|${cursor.paymentId}`)],
  ])('garbage: %s', (_what, raw) => {
    expect(decodeCursor(raw)).toBeNull();
  });

  it.each([
    ['not a uuid', 'not-a-uuid'],
    ['one character short', cursor.paymentId.slice(0, -1)],
    ['one character long', `${cursor.paymentId}0`],
    ['a non-hex character', cursor.paymentId.replace(/1$/, 'g')],
    ['SQL', "x' or 1=1 --"],
  ])('wrong uuid: %s', (_what, paymentId) => {
    expect(decodeCursor(crafted(`${cursor.createdAt}|${paymentId}`))).toBeNull();
  });

  it.each([
    ['words', 'yesterday'],
    ['an impossible month', '2025-13-01T00:00:00.000Z'],
  ])('bad date: %s', (_what, createdAt) => {
    expect(decodeCursor(crafted(`${createdAt}|${cursor.paymentId}`))).toBeNull();
  });

  // Cursors PostgreSQL's ::uuid and ::timestamptz casts would reject are refused here, so the client gets the
  // route's 400 and never a 500.
  it.each([
    ['36 hex digits without dashes', `${cursor.createdAt}|0190a0b000007000800000000000000000aa`],
    ['36 dashes', `${cursor.createdAt}|${'-'.repeat(36)}`],
    ['a date Date.parse guesses at ("1")', `1|${cursor.paymentId}`],
    ['a date Date.parse rolls over (30 February)', `2025-02-30T00:00:00.000Z|${cursor.paymentId}`],
    ['the year 0000', `0000-01-01T00:00:00.000Z|${cursor.paymentId}`],
    ['the year +10000', `+010000-01-01T00:00:00.000Z|${cursor.paymentId}`],
    ['the year -1', `-000001-01-01T00:00:00.000Z|${cursor.paymentId}`],
  ])('a cursor PostgreSQL would reject is null: %s', (_what, text) => {
    expect(decodeCursor(crafted(text))).toBeNull();
  });
});
