// An outside consumer's view of the topics: messages read with a Kafka client of its own (@platformatic/kafka,
// not the services' kafkajs) and checked against the committed AsyncAPI document (docs/asyncapi.json) with
// a JSON Schema validator of its own (ajv), not against the typebox schemas the services use.
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Consumer, type Message, MessagesStreamModes, Producer, stringDeserializers, stringSerializers } from '@platformatic/kafka';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsPlugin from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, kafkaBrokers, post, type Stack, startStack } from './support/stack.ts';

type JsonSchema = Record<string, unknown>;
type DocumentMessage = { name: string; headers: JsonSchema; payload: JsonSchema; bindings: { kafka: { key: JsonSchema } } };
type Document = {
  channels: Record<string, { messages: Record<string, { $ref: string }> }>;
  components: { messages: Record<string, DocumentMessage> };
};
type StringMessage = Message<string, string, string, string>;

const document = JSON.parse(readFileSync(new URL('../docs/asyncapi.json', import.meta.url), 'utf8')) as Document;

// ajv-formats is CommonJS: under NodeNext its default export types as the module object
const addFormats = addFormatsPlugin as unknown as (ajv: Ajv2020) => Ajv2020;
const ajv = addFormats(new Ajv2020({ allErrors: true, strict: false }));

/** The channel's message of that name, as the document declares it. */
function declaredMessage(channel: string, name: string): DocumentMessage | undefined {
  const ref = document.channels[channel]?.messages[name]?.$ref;
  return ref ? document.components.messages[ref.replace('#/components/messages/', '')] : undefined;
}

function check(schema: JsonSchema, value: unknown, what: string): void {
  const validate = ajv.compile(schema);
  if (!validate(value)) throw new Error(`${what} does not match the document: ${ajv.errorsText(validate.errors)}`);
}

/** Reads `topic` from the beginning with a fresh group until `enough` says so, failing after `timeoutMs`. */
async function readTopic(topic: string, enough: (messages: StringMessage[]) => boolean, timeoutMs = 30_000): Promise<StringMessage[]> {
  const consumer = new Consumer({
    groupId: `test.asyncapi-reader.${randomBytes(4).toString('hex')}`,
    clientId: 'asyncapi-reader',
    bootstrapBrokers: kafkaBrokers,
    deserializers: stringDeserializers,
  });
  const messages: StringMessage[] = [];
  try {
    const stream = await consumer.consume({ topics: [topic], mode: MessagesStreamModes.EARLIEST, autocommit: false, maxWaitTime: 200 });
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`read ${messages.length} messages of ${topic} in ${timeoutMs} ms, not enough`)),
          timeoutMs,
        );
        stream.on('error', (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        });
        stream.on('data', (message: StringMessage) => {
          messages.push(message);
          if (enough(messages)) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
    } finally {
      await stream.close();
    }
  } finally {
    await consumer.close(true);
  }
  return messages;
}

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

describe('payments.events read by an outside consumer', () => {
  it('every message matches its message in the AsyncAPI document: key, headers and value', async () => {
    const merchant = await stack.token('merchant-M123');
    const analyst = await stack.token('analyst');
    const pay = async (amount: number) => {
      const res = await post(`${stack.commandUrl}/api/payments`, merchant, { merchantId: 'M123', amount, currency: 'INR' });
      expect(res.status).toBe(202);
      return String(res.body.paymentId);
    };
    await pay(5000); // authorized
    const approved = await pay(15000); // to review, then approved
    const declined = await pay(20000); // to review, then declined
    const decide = async (id: string, action: 'approve' | 'decline') => {
      await eventually(async () => {
        const res = await post(`${stack.commandUrl}/api/payments/${id}/${action}`, analyst, { reason: 'checked' });
        return res.status === 200 ? true : undefined; // 409 until the authorizer flagged it
      });
    };
    await decide(approved, 'approve');
    await decide(declined, 'decline');

    // every event the store holds, once the relay published all of it
    const stored = await eventually(async () => {
      const { rows } = await stack.db.pool.query<{ event_id: string; type: string; outbox: number }>(
        'select event_id::text, type, (select count(*) from es.outbox)::int as outbox from es.events',
      );
      return rows.length === 8 && rows.every((r) => r.outbox === 0) ? rows : undefined;
    });
    const storedIds = new Set(stored.map((r) => r.event_id));

    const messages = await readTopic(stack.env.EVENTS_TOPIC as string, (seen) => {
      const ids = new Set(seen.map((m) => m.headers.get('event-id')));
      return [...storedIds].every((id) => ids.has(id));
    });

    const typesSeen = new Set<string>();
    for (const message of messages) {
      const headers = Object.fromEntries(message.headers);
      const where = `message ${message.partition}/${message.offset}`;
      const name = `${headers['event-type']}.v${headers['schema-version']}`;
      const declared = declaredMessage('paymentEvents', name);
      if (!declared) throw new Error(`${where}: the document has no message ${name}`);
      check(declared.headers, headers, `${where} headers`);
      check(declared.bindings.kafka.key, message.key, `${where} key`);
      const value: unknown = JSON.parse(message.value);
      check(declared.payload, value, `${where} value`);
      const event = value as { eventId: string; type: string; streamId: string; data: { paymentId: string } };
      expect(message.key, where).toBe(event.data.paymentId);
      expect(event.streamId, where).toBe(event.data.paymentId);
      expect(headers['event-id'], where).toBe(event.eventId);
      expect(event.type, where).toBe(declared.name);
      typesSeen.add(event.type);
    }
    expect([...typesSeen].sort()).toEqual([...new Set(stored.map((r) => r.type))].sort());
    expect(typesSeen.size).toBe(5);
  });

  it('a message the consumers reject reaches payments.events.dlq as the document describes it', async () => {
    const producer = new Producer({
      clientId: 'asyncapi-foreign-producer',
      bootstrapBrokers: kafkaBrokers,
      serializers: stringSerializers,
    });
    const key = randomUUID();
    try {
      await producer.send({
        messages: [
          {
            topic: stack.env.EVENTS_TOPIC as string,
            key,
            value: JSON.stringify({ type: 'PaymentRequested', note: 'not an event of ours' }),
            headers: { 'event-type': 'PaymentRequested', 'x-producer': 'foreign' },
          },
        ],
      });
    } finally {
      await producer.close();
    }

    // both consumer groups dead-letter it
    const letters = await readTopic(stack.env.DLQ_TOPIC as string, (seen) => seen.filter((m) => m.key === key).length >= 2);
    const declared = declaredMessage('paymentEventsDeadLetters', 'DeadLetter');
    if (!declared) throw new Error('the document has no DeadLetter message');
    const ours = letters.filter((m) => m.key === key);
    for (const letter of ours) {
      const headers = Object.fromEntries(letter.headers);
      check(declared.headers, headers, 'dead letter headers');
      check(declared.bindings.kafka.key, letter.key, 'dead letter key');
      expect(headers).toMatchObject({
        'dlq-source-topic': stack.env.EVENTS_TOPIC,
        'event-type': 'PaymentRequested',
        'x-producer': 'foreign',
      });
      expect(headers['dlq-reason']).toContain('not a payment event');
    }
    expect(ours.map((m) => m.headers.get('dlq-consumer-group')).sort()).toEqual(
      [stack.env.AUTHORIZER_GROUP_ID, stack.env.PROJECTOR_GROUP_ID].sort(),
    );
  });
});
