// The AsyncAPI 3 document of the Kafka topics: what an outside consumer of `payments.events` and of its
// dead-letter topic can rely on. Built from the typebox event schemas, never written by hand, so the
// document cannot drift from what the services validate; `npm run asyncapi` writes it to docs/asyncapi.json
// and a unit test fails when the committed copy is stale. The key, value and headers described here are the
// ones the outbox rows carry (runtime/src/pg/event-store.ts, appendCtes) and the dead-letter producer adds
// (runtime/src/kafka/consumer-runner.ts, sendToDlq).
//
// Messages are named `<type>.v<schemaVersion>`, so that a later shape of an event is listed beside the one
// the store still holds instead of replacing it.
import type { TSchema } from 'typebox';
import {
  PaymentApprovedSchema,
  PaymentAuthorizedSchema,
  PaymentDeclinedSchema,
  PaymentDeclinedV1Schema,
  type PaymentEventType,
  PaymentFlaggedForReviewSchema,
  PaymentRequestedSchema,
  UuidSchema,
} from './events.ts';

export type JsonSchema = { [keyword: string]: unknown };

export type AsyncApiMessage = {
  name: string;
  title: string;
  summary: string;
  contentType: string;
  headers: JsonSchema;
  payload: JsonSchema;
  correlationId?: { description: string; location: string };
  bindings: { kafka: { key: JsonSchema; bindingVersion: string } };
};

type Reference = { $ref: string };

export type AsyncApiDocument = {
  asyncapi: '3.1.0';
  info: { title: string; version: string; description: string };
  defaultContentType: string;
  servers: Record<string, { host: string; protocol: string; description: string }>;
  channels: Record<
    string,
    { address: string; title: string; description: string; messages: Record<string, Reference>; bindings: { kafka: JsonSchema } }
  >;
  operations: Record<
    string,
    {
      action: 'send' | 'receive';
      title: string;
      summary: string;
      channel: Reference;
      messages: Reference[];
      bindings?: { kafka: JsonSchema };
    }
  >;
  components: { messages: Record<string, AsyncApiMessage> };
};

/** One published shape of one event type. A v2 is added here beside its v1, which stays. */
export type PublishedEvent = { type: PaymentEventType; schemaVersion: number; schema: TSchema; summary: string };

export const PUBLISHED_EVENTS: readonly PublishedEvent[] = [
  {
    type: 'PaymentRequested',
    schemaVersion: 1,
    schema: PaymentRequestedSchema,
    summary: 'A merchant asked for a payment; it is PENDING until the authorizer decides it.',
  },
  {
    type: 'PaymentAuthorized',
    schemaVersion: 1,
    schema: PaymentAuthorizedSchema,
    summary: 'The risk rules authorized the payment; `data.decision` says which rule and why.',
  },
  {
    type: 'PaymentFlaggedForReview',
    schemaVersion: 1,
    schema: PaymentFlaggedForReviewSchema,
    summary: 'The risk rules sent the payment to an analyst; `data.decision` says which rule and why.',
  },
  {
    type: 'PaymentApproved',
    schemaVersion: 1,
    schema: PaymentApprovedSchema,
    summary: 'An analyst approved a payment under review.',
  },
  {
    type: 'PaymentDeclined',
    schemaVersion: 1,
    schema: PaymentDeclinedV1Schema,
    summary:
      'An analyst declined a payment under review. No longer written; declines published before v2 keep this shape (read it as v2 with `reasonCode` `unspecified`).',
  },
  {
    type: 'PaymentDeclined',
    schemaVersion: 2,
    schema: PaymentDeclinedSchema,
    summary: 'An analyst declined a payment under review; `data.reasonCode` says why, for reporting declines by cause.',
  },
];

export const EVENTS_CHANNEL = 'paymentEvents';
export const DEAD_LETTER_CHANNEL = 'paymentEventsDeadLetters';
export const DEAD_LETTER_MESSAGE = 'DeadLetter';

export function messageName(type: string, schemaVersion: number | string): string {
  return `${type}.v${schemaVersion}`;
}

const KAFKA_BINDING = '0.5.0';

/** A plain JSON copy of a typebox schema (typebox keeps its own markers as non-enumerable properties). */
function jsonSchema(schema: TSchema): JsonSchema {
  return JSON.parse(JSON.stringify(schema)) as JsonSchema;
}

const uuid = (description: string): JsonSchema => ({ ...jsonSchema(UuidSchema), description });

/** The headers the outbox writes on every event (appendCtes): strings, `traceparent` only when the command had one. */
function eventHeaders(type: PaymentEventType, schemaVersion: number): JsonSchema {
  return {
    type: 'object',
    required: ['event-id', 'event-type', 'schema-version', 'correlation-id'],
    properties: {
      'event-id': uuid('The event id (`eventId` of the value): a redelivery carries the same one.'),
      'event-type': { type: 'string', const: type, description: 'The event type (`type` of the value).' },
      'schema-version': {
        type: 'string',
        const: String(schemaVersion),
        description: 'The shape of the value (`schemaVersion` of the value), as a decimal string.',
      },
      'correlation-id': { type: 'string', maxLength: 128, description: 'The correlation id of the request that caused it.' },
      traceparent: { type: 'string', maxLength: 128, description: 'W3C trace context of the request, when it had one.' },
    },
    additionalProperties: false,
  };
}

/** The value as the relay publishes it: the stored event, with its global position always present. */
function eventPayload(schema: TSchema): JsonSchema {
  const payload = jsonSchema(schema);
  const required = Array.isArray(payload.required) ? (payload.required as string[]) : [];
  return { ...payload, required: required.includes('position') ? required : [...required, 'position'] };
}

function eventMessage(event: PublishedEvent): AsyncApiMessage {
  return {
    name: event.type,
    title: `${event.type} v${event.schemaVersion}`,
    summary: event.summary,
    contentType: 'application/json',
    headers: eventHeaders(event.type, event.schemaVersion),
    payload: eventPayload(event.schema),
    correlationId: { description: 'The request that caused the event.', location: '$message.header#/correlation-id' },
    bindings: {
      kafka: {
        key: uuid(
          'The payment id (`streamId` and `data.paymentId` of the value): the events of a payment share a partition and keep their order.',
        ),
        bindingVersion: KAFKA_BINDING,
      },
    },
  };
}

function deadLetterMessage(): AsyncApiMessage {
  const numeric = (description: string): JsonSchema => ({ type: 'string', pattern: '^[0-9]+$', description });
  return {
    name: DEAD_LETTER_MESSAGE,
    title: 'Dead letter',
    summary:
      'A message of payments.events that a consumer could not decode or process for a permanent reason, with its key, value and headers unchanged; the consumer moved on past it.',
    contentType: 'application/octet-stream',
    headers: {
      type: 'object',
      required: ['dlq-reason', 'dlq-source-topic', 'dlq-source-partition', 'dlq-source-offset', 'dlq-consumer-group'],
      properties: {
        'dlq-reason': { type: 'string', description: 'Why the consumer rejected it, e.g. `not a payment event: /data/amountMinor ...`.' },
        'dlq-source-topic': { type: 'string', description: 'The topic it was read from.' },
        'dlq-source-partition': numeric('The partition it was read from.'),
        'dlq-source-offset': numeric('Its offset in that partition.'),
        'dlq-consumer-group': { type: 'string', description: 'The consumer group that rejected it (authorizer or projector).' },
        'event-id': { type: 'string', description: 'The original header, when the message had it.' },
        'event-type': { type: 'string', description: 'The original header, when the message had it.' },
        'schema-version': { type: 'string', description: 'The original header, when the message had it.' },
        'correlation-id': { type: 'string', description: 'The original header, when the message had it.' },
        traceparent: { type: 'string', description: 'The original header, when the message had it.' },
      },
      // the original message's headers are copied whatever they were
      additionalProperties: { type: 'string' },
    },
    payload: {
      description:
        'The original value, byte for byte: usually a payment event (see the messages of payments.events), possibly not JSON at all.',
    },
    bindings: {
      kafka: {
        key: { type: 'string', description: 'The original key (the payment id for a message of the relay).' },
        bindingVersion: KAFKA_BINDING,
      },
    },
  };
}

export function buildAsyncApiDocument(): AsyncApiDocument {
  const messages: Record<string, AsyncApiMessage> = {};
  for (const event of PUBLISHED_EVENTS) messages[messageName(event.type, event.schemaVersion)] = eventMessage(event);
  messages[DEAD_LETTER_MESSAGE] = deadLetterMessage();

  const eventNames = PUBLISHED_EVENTS.map((e) => messageName(e.type, e.schemaVersion));
  const channelMessages = Object.fromEntries(eventNames.map((name) => [name, { $ref: `#/components/messages/${name}` }]));
  const eventRefs = eventNames.map((name) => ({ $ref: `#/channels/${EVENTS_CHANNEL}/messages/${name}` }));
  const consumer = (groupId: string, prefix: string) => ({
    kafka: {
      groupId: { type: 'string', default: groupId, description: `Set by ${prefix}_GROUP_ID.` },
      bindingVersion: KAFKA_BINDING,
    },
  });

  return {
    asyncapi: '3.1.0',
    info: {
      title: 'Payments events',
      version: '1.0.0',
      description:
        'The facts the payments platform records, as it publishes them to Kafka: every event appended to the event store, ' +
        'keyed by payment id, at least once and in append order per payment (consumers must be idempotent: a redelivered ' +
        'event has the same `eventId`). Generated from the typebox schemas in schemas/ by `npm run asyncapi`.',
    },
    defaultContentType: 'application/json',
    servers: {
      local: { host: '127.0.0.1:9092', protocol: 'kafka', description: 'The local broker of infra/kafka (KAFKA_BROKERS).' },
    },
    channels: {
      [EVENTS_CHANNEL]: {
        address: 'payments.events',
        title: 'Payment events',
        description:
          'Every payment event, keyed by payment id, kept forever. The topic name is set by EVENTS_TOPIC. ' +
          'A reader picks the message by the `event-type` and `schema-version` headers (or the `type` and `schemaVersion` of the value).',
        messages: channelMessages,
        // as ensureTopics (runtime/src/kafka/client.ts) creates it
        bindings: {
          kafka: { partitions: 6, topicConfiguration: { 'retention.ms': -1, 'retention.bytes': -1 }, bindingVersion: KAFKA_BINDING },
        },
      },
      [DEAD_LETTER_CHANNEL]: {
        address: 'payments.events.dlq',
        title: 'Dead letters of payment events',
        description:
          'The messages of payments.events that a consumer rejected, with why and where from. The topic name is set by DLQ_TOPIC.',
        messages: { [DEAD_LETTER_MESSAGE]: { $ref: `#/components/messages/${DEAD_LETTER_MESSAGE}` } },
        bindings: {
          kafka: { partitions: 1, topicConfiguration: { 'retention.ms': -1, 'retention.bytes': -1 }, bindingVersion: KAFKA_BINDING },
        },
      },
    },
    operations: {
      publishPaymentEvents: {
        action: 'send',
        title: 'Publish payment events',
        summary:
          'The outbox relay (in the command API) publishes each committed event with an idempotent producer, acks=all, one relay at a time, oldest first.',
        channel: { $ref: `#/channels/${EVENTS_CHANNEL}` },
        messages: eventRefs,
      },
      authorizePayments: {
        action: 'receive',
        title: 'Authorize payments',
        summary: 'The authorizer decides each PaymentRequested with its rule set and appends the decision; it skips the other events.',
        channel: { $ref: `#/channels/${EVENTS_CHANNEL}` },
        messages: eventRefs,
        bindings: consumer('authorizer', 'AUTHORIZER'),
      },
      projectPayments: {
        action: 'receive',
        title: 'Project payments',
        summary: 'The projector folds every event into the read models, storing its offsets in the same transaction.',
        channel: { $ref: `#/channels/${EVENTS_CHANNEL}` },
        messages: eventRefs,
        bindings: consumer('projector', 'PROJECTOR'),
      },
      deadLetterPaymentEvents: {
        action: 'send',
        title: 'Dead-letter payment events',
        summary:
          'The authorizer and the projector send a message they cannot decode or process to the dead-letter topic, then move past it.',
        channel: { $ref: `#/channels/${DEAD_LETTER_CHANNEL}` },
        messages: [{ $ref: `#/channels/${DEAD_LETTER_CHANNEL}/messages/${DEAD_LETTER_MESSAGE}` }],
      },
    },
    components: { messages },
  };
}
