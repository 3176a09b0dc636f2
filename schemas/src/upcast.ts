// The upcaster chain: the one way an event read back (a row of es.events, the value of a Kafka message)
// becomes an event of the current shape. Whatever reads events goes through `upcast`: the event store's
// rows (command side, as-of views, history export, rebuild) and the consumer runner's messages (authorizer,
// projector). The value is checked against the schema of its own (type, schemaVersion), then lifted one
// version at a time, each step's output checked against the next schema, until it is the current one
// (CURRENT_SCHEMA_VERSIONS, the version writers use). So no reader ever sees an old shape, and an event
// stored years ago decodes like one written today. Pure: no I/O, no clock.
//
// A new version of an event: keep the old schema in events.ts, add the step here (with its test), list the
// new message in asyncapi.ts, and keep the old fixtures in schemas/fixtures/ as they are.
import type { Static, TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import {
  CURRENT_SCHEMA_VERSIONS,
  PaymentApprovedSchema,
  PaymentAuthorizedSchema,
  type PaymentDeclined,
  PaymentDeclinedSchema,
  type PaymentDeclinedV1,
  PaymentDeclinedV1Schema,
  type PaymentEvent,
  type PaymentEventType,
  PaymentFlaggedForReviewSchema,
  PaymentRequestedSchema,
} from './events.ts';

/** A value that is no payment event of any version this code knows. */
export class UndecodableEventError extends Error {
  readonly code = 'undecodable_event';
}

/**
 * PaymentDeclined v1 → v2. v1 had no reason code: those declines were recorded before analysts could give
 * one, so their cause is `unspecified`, the code a v2 decline without a given cause carries too. Guessing a
 * cause from the free-text reason would put words in the analyst's mouth.
 */
export function upcastPaymentDeclinedV1(event: PaymentDeclinedV1): PaymentDeclined {
  return { ...event, schemaVersion: 2, data: { ...event.data, reasonCode: 'unspecified' } };
}

type Link = { type: PaymentEventType; schemaVersion: number; check: ReturnType<typeof Compile>; up?: (event: unknown) => unknown };

function link<S extends TSchema>(schema: S, up?: (event: Static<S>) => unknown): Omit<Link, 'type' | 'schemaVersion'> {
  return { check: Compile(schema), ...(up ? { up: up as (event: unknown) => unknown } : {}) };
}

/** Every shape of every event that may be stored or published, keyed `<type>.v<schemaVersion>`. */
const CHAIN = new Map<string, Link>(
  (
    [
      ['PaymentRequested', 1, link(PaymentRequestedSchema)],
      ['PaymentAuthorized', 1, link(PaymentAuthorizedSchema)],
      ['PaymentFlaggedForReview', 1, link(PaymentFlaggedForReviewSchema)],
      ['PaymentApproved', 1, link(PaymentApprovedSchema)],
      ['PaymentDeclined', 1, link(PaymentDeclinedV1Schema, upcastPaymentDeclinedV1)],
      ['PaymentDeclined', 2, link(PaymentDeclinedSchema)],
    ] as const
  ).map(([type, schemaVersion, rest]) => [`${type}.v${schemaVersion}`, { type, schemaVersion, ...rest }]),
);

/** The (type, schemaVersion) pairs readers accept: every version ever written. */
export const READABLE_EVENT_VERSIONS: readonly { type: PaymentEventType; schemaVersion: number }[] = [...CHAIN.values()].map(
  ({ type, schemaVersion }) => ({ type, schemaVersion }),
);

function linkOf(value: unknown): Link {
  const { type, schemaVersion } = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const found = typeof type === 'string' && typeof schemaVersion === 'number' ? CHAIN.get(`${type}.v${schemaVersion}`) : undefined;
  if (found) return found;
  if (typeof type === 'string' && Object.hasOwn(CURRENT_SCHEMA_VERSIONS, type) && typeof schemaVersion === 'number') {
    // a writer newer than this reader: readers must be deployed before the writers of a new version
    throw new UndecodableEventError(`not a payment event: ${type} v${schemaVersion} is unknown to this reader`);
  }
  throw new UndecodableEventError(`not a payment event: ${typeof type === 'string' ? `unknown type ${type}` : '/type missing'}`);
}

/** The event in its current shape; throws UndecodableEventError when `value` is no version of any event. */
export function upcast(value: unknown): PaymentEvent {
  let current = value;
  for (;;) {
    const found = linkOf(current);
    if (!found.check.Check(current)) {
      const first = [...found.check.Errors(current)][0];
      throw new UndecodableEventError(`not a payment event: ${first?.instancePath || '/'} ${first?.message ?? 'invalid'}`);
    }
    if (!found.up) return current as PaymentEvent;
    current = found.up(current);
  }
}
