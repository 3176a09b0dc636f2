// Every golden fixture (schemas/fixtures/v1: each event type as stored and as published, captured before any
// v2 existed) through the current readers: the event store's row mapping (command side, as-of, history
// export, rebuild) and the consumer runner's decoding (authorizer, projector), then the current folds. They
// must keep decoding, to the current shape, for as long as such events may be stored or published.
import { decodeEvent } from '@payments/runtime/kafka';
import { toRecordedEvent } from '@payments/runtime/pg';
import { CURRENT_SCHEMA_VERSIONS, PAYMENT_EVENT_TYPES, PaymentEventSchema, type RecordedEvent } from '@payments/schemas';
import { publishedFixture, storedFixture } from '@payments/schemas/testing';
import type { KafkaMessage } from 'kafkajs';
import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { projectEvents } from './fold.ts';

function asMessage(fixture: ReturnType<typeof publishedFixture>): KafkaMessage {
  return {
    key: Buffer.from(fixture.key),
    value: Buffer.from(fixture.value),
    headers: Object.fromEntries(Object.entries(fixture.headers).map(([k, v]) => [k, Buffer.from(v)])),
    offset: '0',
    timestamp: '0',
    attributes: 0,
  };
}

function fromStore(type: (typeof PAYMENT_EVENT_TYPES)[number]): RecordedEvent {
  const row = storedFixture(type);
  // the pg driver returns timestamptz as a Date; the fixture keeps it as JSON does, as text
  return toRecordedEvent({ ...row, occurred_at: new Date(row.occurred_at) });
}

function fromTopic(type: (typeof PAYMENT_EVENT_TYPES)[number]): RecordedEvent {
  const decoded = decodeEvent(asMessage(publishedFixture(type)));
  if (!('event' in decoded)) throw new Error(`the published ${type} v1 was refused: ${decoded.reason}`);
  return decoded.event;
}

describe.each(PAYMENT_EVENT_TYPES)('%s v1', (type) => {
  it('as stored reads as the current shape of the event', () => {
    const event = fromStore(type);
    expect(Value.Check(PaymentEventSchema, event), JSON.stringify([...Value.Errors(PaymentEventSchema, event)])).toBe(true);
    expect(event).toMatchObject({ type, schemaVersion: CURRENT_SCHEMA_VERSIONS[type], position: storedFixture(type).position });
  });

  it('as published decodes to the same event as stored', () => {
    expect(fromTopic(type)).toEqual(fromStore(type));
  });

  it('also as text, the timestamp as a query formats it (readStream)', () => {
    expect(toRecordedEvent(storedFixture(type))).toEqual(fromStore(type));
  });
});

describe('v1 fixtures in the current folds', () => {
  it('a v1 decline reads with the reason code `unspecified`, its reason and reviewer kept', () => {
    const row = storedFixture('PaymentDeclined');
    expect(fromStore('PaymentDeclined').data).toEqual({ ...(row.data as object), reasonCode: 'unspecified' });
  });

  it.each([
    ['PaymentRequested', 'PENDING'],
    ['PaymentAuthorized', 'AUTHORIZED'],
    ['PaymentFlaggedForReview', 'REVIEW'],
    ['PaymentApproved', 'APPROVED'],
    ['PaymentDeclined', 'DECLINED'],
  ] as const)('the projection folds %s v1 into a %s payment', (type, status) => {
    // the fixtures come from three payments: each is replayed on the history before it, moved to its stream
    const last = fromStore(type);
    const before: Record<typeof type, RecordedEvent[]> = {
      PaymentRequested: [],
      PaymentAuthorized: [fromStore('PaymentRequested')],
      PaymentFlaggedForReview: [fromStore('PaymentRequested')],
      PaymentApproved: [fromStore('PaymentRequested'), fromStore('PaymentFlaggedForReview')],
      PaymentDeclined: [fromStore('PaymentRequested'), fromStore('PaymentFlaggedForReview')],
    };
    const history = [...before[type].map((e) => ({ ...e, streamId: last.streamId, data: { ...e.data, paymentId: last.streamId } })), last];
    const { changed, orphans } = projectEvents(new Map(), history as RecordedEvent[]);
    expect(orphans).toEqual([]);
    expect(changed).toEqual([expect.objectContaining({ paymentId: last.streamId, status, version: last.streamVersion })]);
  });
});
