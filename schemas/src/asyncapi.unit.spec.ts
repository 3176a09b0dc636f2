// The AsyncAPI document is valid AsyncAPI 3 (by the AsyncAPI project's own parser), lists every event type,
// and the committed docs/asyncapi.json is the one the schemas generate.
import { readFileSync } from 'node:fs';
import { DiagnosticSeverity, Parser } from '@asyncapi/parser';
import { describe, expect, it } from 'vitest';
import { buildAsyncApiDocument, messageName, PUBLISHED_EVENTS } from './asyncapi.ts';
import { PAYMENT_EVENT_TYPES } from './events.ts';
import { READABLE_EVENT_VERSIONS } from './upcast.ts';

const parser = new Parser();

async function errorsOf(document: unknown): Promise<string[]> {
  const { diagnostics } = await parser.parse(JSON.stringify(document));
  return diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error).map((d) => `${d.path.join('.')}: ${d.message}`);
}

describe('the AsyncAPI document of payments.events', () => {
  it('parses with @asyncapi/parser without an error or a warning', async () => {
    const { document, diagnostics } = await parser.parse(JSON.stringify(buildAsyncApiDocument()));
    expect(diagnostics.filter((d) => d.severity <= DiagnosticSeverity.Warning).map((d) => d.message)).toEqual([]);
    expect(document?.version()).toBe('3.1.0');
    expect(document?.channels().get('paymentEvents')?.address()).toBe('payments.events');
    expect(document?.channels().get('paymentEventsDeadLetters')?.address()).toBe('payments.events.dlq');
  });

  it('a broken copy is refused, so the parser really checks it', async () => {
    const broken = buildAsyncApiDocument() as unknown as { operations: Record<string, { action: string }> };
    (broken.operations.publishPaymentEvents as { action: string }).action = 'publish'; // AsyncAPI 2's verb, not one of 3's
    expect(await errorsOf(broken)).toEqual([expect.stringContaining('operations.publishPaymentEvents.action')]);
  });

  it('has a message for every event type, named by type and schema version', () => {
    const { components, channels } = buildAsyncApiDocument();
    for (const type of PAYMENT_EVENT_TYPES) {
      const versions = PUBLISHED_EVENTS.filter((e) => e.type === type);
      expect(versions, type).not.toEqual([]);
      for (const { schemaVersion } of versions) {
        const name = messageName(type, schemaVersion);
        expect(components.messages[name], name).toMatchObject({ name: type, headers: { properties: { 'event-type': { const: type } } } });
        expect(channels.paymentEvents?.messages[name]).toEqual({ $ref: `#/components/messages/${name}` });
      }
    }
    expect(components.messages['PaymentRequested.v1']?.payload).toMatchObject({
      properties: { schemaVersion: { const: 1 }, type: { const: 'PaymentRequested' } },
      required: expect.arrayContaining(['position']),
    });
  });

  it('lists every version a reader accepts, old ones beside the current (PaymentDeclined v1 and v2)', () => {
    const listed = PUBLISHED_EVENTS.map((e) => messageName(e.type, e.schemaVersion)).sort();
    expect(listed).toEqual(READABLE_EVENT_VERSIONS.map((e) => messageName(e.type, e.schemaVersion)).sort());
    expect(listed).toEqual(expect.arrayContaining(['PaymentDeclined.v1', 'PaymentDeclined.v2']));
  });

  it('equals the committed docs/asyncapi.json', () => {
    const committed: unknown = JSON.parse(readFileSync(new URL('../../docs/asyncapi.json', import.meta.url), 'utf8'));
    expect(committed, 'docs/asyncapi.json is stale: run `npm run asyncapi`').toEqual(buildAsyncApiDocument());
  });
});
