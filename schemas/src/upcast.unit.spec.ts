// The upcaster chain: every step lifts one version to the next, current shapes pass unchanged, and anything
// that is no version of any event is refused with a reason (which the consumers put on the dead letter).

import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { CURRENT_SCHEMA_VERSIONS, PAYMENT_EVENT_TYPES, type PaymentDeclinedV1, PaymentEventSchema } from './events.ts';
import { paymentEvents, recorded } from './testing/index.ts';
import { READABLE_EVENT_VERSIONS, UndecodableEventError, upcast, upcastPaymentDeclinedV1 } from './upcast.ts';

const payment = paymentEvents();
const declinedV1: PaymentDeclinedV1 = (() => {
  const { reasonCode: _, ...data } = payment.declined('stolen card').data;
  return { ...payment.declined(), schemaVersion: 1, data };
})();

describe('PaymentDeclined v1 → v2', () => {
  it('keeps everything v1 said and gives the decline the reason code `unspecified`', () => {
    expect(upcastPaymentDeclinedV1(declinedV1)).toEqual({
      ...declinedV1,
      schemaVersion: 2,
      data: { ...declinedV1.data, reasonCode: 'unspecified' },
    });
  });

  it('is what upcast does to a stored v1 decline, position included', () => {
    const stored = { ...declinedV1, position: 42 };
    expect(upcast(stored)).toEqual({ ...upcastPaymentDeclinedV1(declinedV1), position: 42 });
  });
});

describe('upcast', () => {
  it('passes every current event through unchanged', () => {
    const current = recorded([
      payment.requested(),
      payment.flaggedForReview(),
      payment.approved(),
      payment.authorized(),
      payment.declined(),
    ]);
    for (const event of current) expect(upcast(event)).toEqual(event);
  });

  it('ends every chain at the version writers use, in the current shape', () => {
    for (const type of PAYMENT_EVENT_TYPES) {
      expect(READABLE_EVENT_VERSIONS.filter((v) => v.type === type).at(-1)?.schemaVersion).toBe(CURRENT_SCHEMA_VERSIONS[type]);
    }
    expect(Value.Check(PaymentEventSchema, upcast(declinedV1))).toBe(true);
  });

  it.each([
    ['a v1 decline that already has a reason code', { ...declinedV1, data: { ...declinedV1.data, reasonCode: 'fraud' } }, /\/data/],
    ['a v2 decline without a reason code', { ...declinedV1, schemaVersion: 2 }, /\/data/],
    ['a version newer than this reader', { ...declinedV1, schemaVersion: 3 }, 'PaymentDeclined v3 is unknown to this reader'],
    ['an unknown type', { ...declinedV1, type: 'PaymentRefunded' }, 'unknown type PaymentRefunded'],
    ['a type from the prototype chain', { ...declinedV1, type: '__proto__' }, 'unknown type __proto__'],
    ['no type at all', { schemaVersion: 1 }, '/type missing'],
    ['not an object', 'PaymentDeclined', '/type missing'],
  ])('refuses %s', (_what, value, reason) => {
    expect(() => upcast(value)).toThrow(UndecodableEventError);
    expect(() => upcast(value)).toThrow(reason);
    expect(() => upcast(value)).toThrow(/^not a payment event: /);
  });
});
