// Specifications of the request hash behind Idempotency-Key: the same canonical body on the same endpoint
// hashes the same (key order and whitespace do not matter); any other value, shape, path parameter or endpoint
// does not.
import { describe, expect, it } from 'vitest';
import { judgeKey, requestHash } from './idempotency.ts';

const endpoint = 'POST /payments';
/** A body as the server sees it: parsed from the wire text. */
const parsed = (text: string): unknown => JSON.parse(text);

describe('the same request hashes the same', () => {
  it('keys in another order and other whitespace give the same hash', () => {
    const compact = parsed('{"merchantId":"M1","amount":"5000.00","currency":"INR","reference":null}');
    const spread = parsed(`{
      "reference" : null,
      "currency"  : "INR",
      "amount"    : "5000.00",
      "merchantId": "M1"
    }`);
    expect(requestHash(endpoint, {}, spread)).toBe(requestHash(endpoint, {}, compact));
  });

  it('nested objects are compared without regard to key order, at every depth', () => {
    const a = parsed('{"payment":{"amount":"1","meta":{"x":1,"y":[{"b":2,"a":1}]}},"id":"k"}');
    const b = parsed('{"id":"k","payment":{"meta":{"y":[{"a":1,"b":2}],"x":1},"amount":"1"}}');
    expect(requestHash(endpoint, {}, a)).toBe(requestHash(endpoint, {}, b));
  });

  it('is a base64url SHA-256 (43 characters, no padding)', () => {
    expect(requestHash(endpoint, {}, { a: 1 })).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('is stable across calls', () => {
    expect(requestHash(endpoint, {}, { a: [1, { b: 'c' }] })).toBe(requestHash(endpoint, {}, { a: [1, { b: 'c' }] }));
  });
});

describe('a different request hashes differently', () => {
  const body = { merchantId: 'M1', amount: '5000.00', currency: 'INR' };

  it('a different value', () => {
    expect(requestHash(endpoint, {}, { ...body, amount: '5000.01' })).not.toBe(requestHash(endpoint, {}, body));
  });

  it('the same amount written as a number instead of a string', () => {
    expect(requestHash(endpoint, {}, { ...body, amount: 5000 })).not.toBe(requestHash(endpoint, {}, { ...body, amount: '5000' }));
  });

  it('an added key, even with a null value', () => {
    expect(requestHash(endpoint, {}, { ...body, reference: null })).not.toBe(requestHash(endpoint, {}, body));
  });

  it('a different endpoint', () => {
    expect(requestHash('POST /payments/x/approve', {}, body)).not.toBe(requestHash(endpoint, {}, body));
  });

  it('the same route and body on another payment', () => {
    const route = 'POST /api/payments/:id/approve';
    expect(requestHash(route, { id: 'a' }, {})).not.toBe(requestHash(route, { id: 'b' }, {}));
  });

  it('approve and decline of the same payment', () => {
    const params = { id: 'a' };
    expect(requestHash('POST /api/payments/:id/approve', params, {})).not.toBe(requestHash('POST /api/payments/:id/decline', params, {}));
  });

  it('a different value deep inside a nested object', () => {
    expect(requestHash(endpoint, {}, { a: { b: { c: 1 } } })).not.toBe(requestHash(endpoint, {}, { a: { b: { c: 2 } } }));
  });

  it('arrays keep their order: the same items in another order differ', () => {
    expect(requestHash(endpoint, {}, { items: [1, 2] })).not.toBe(requestHash(endpoint, {}, { items: [2, 1] }));
  });

  it('an array is not the object with the same indexes', () => {
    expect(requestHash(endpoint, {}, ['a', 'b'])).not.toBe(requestHash(endpoint, {}, { 0: 'a', 1: 'b' }));
  });

  it('a nested object is not its JSON text', () => {
    expect(requestHash(endpoint, {}, { a: { b: 1 } })).not.toBe(requestHash(endpoint, {}, { a: '{"b":1}' }));
  });

  it('an empty body is not an empty object', () => {
    expect(requestHash(endpoint, {}, undefined)).not.toBe(requestHash(endpoint, {}, {}));
  });
});

describe('what a request does with its key (judgeKey)', () => {
  const claim = { scope: 'M1', endpoint: 'POST /api/payments', key: 'k', requestHash: 'h1' };
  const stored = { requestHash: 'h1', status: 202, body: { paymentId: 'p' }, expired: false };

  it('goes on with a key never used, and after forgetting an expired response', () => {
    expect(judgeKey(claim, true, undefined)).toBe('fresh');
    expect(judgeKey(claim, true, { ...stored, expired: true })).toBe('expired');
  });

  it('replays the stored response for the same request', () => {
    expect(judgeKey(claim, true, stored)).toEqual({ status: 202, body: { paymentId: 'p' } });
  });

  it('refuses another request with the key (422), and any request while the key is locked (409)', () => {
    expect(judgeKey(claim, true, { ...stored, requestHash: 'h2' })).toMatchObject({ statusCode: 422, error: 'idempotency_key_reused' });
    expect(judgeKey(claim, false, undefined)).toMatchObject({ statusCode: 409, error: 'idempotency_key_in_use' });
    expect(judgeKey(claim, false, stored)).toMatchObject({ statusCode: 409 });
  });
});
