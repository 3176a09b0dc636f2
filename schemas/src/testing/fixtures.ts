// The golden fixtures (schemas/fixtures/): every event type as the store keeps it and as the relay publishes
// it, captured once from a running stack and never regenerated. Tests decode them forever, so a change that
// would leave events already stored or published unreadable fails a test instead of a replay.
import { readFileSync } from 'node:fs';
import type { PaymentEventType } from '../events.ts';

/** A row of es.events as the store keeps it (every column; json columns parsed, as the pg driver returns them). */
export type StoredEventFixture = {
  position: number;
  event_id: string;
  stream_id: string;
  stream_version: number;
  type: string;
  schema_version: number;
  data: unknown;
  metadata: { correlationId: string; causationId?: string; actor: string; traceparent?: string };
  occurred_at: string;
  tx_id: string;
};

/** A Kafka message of payments.events as the relay published it: `value` is the exact text. */
export type PublishedEventFixture = { key: string; headers: Record<string, string>; value: string };

const FIXTURES = new URL('../../fixtures/', import.meta.url);

const read = (version: number, name: string): unknown => JSON.parse(readFileSync(new URL(`v${version}/${name}`, FIXTURES), 'utf8'));

export const storedFixture = (type: PaymentEventType, schemaVersion = 1) =>
  read(schemaVersion, `${type}.stored.json`) as StoredEventFixture;
export const publishedFixture = (type: PaymentEventType, schemaVersion = 1) =>
  read(schemaVersion, `${type}.published.json`) as PublishedEventFixture;
