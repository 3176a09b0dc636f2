// The authorizer, a process manager: for each PaymentRequested it runs the rules and appends the decision
// at the stream version right after the request. A redelivered message finds that version taken and
// appends nothing: the effect is exactly once. A payment it cannot decide goes to the DLQ.
import type { PartitionBatch, Rejected } from '@payments/runtime/kafka';
import type { Logger } from '@payments/runtime/logger';
import { type AppendRequest, type EventStore, type Pool, wakeRelays } from '@payments/runtime/pg';
import { decidePayment, type RuleSet, UndecidableError } from './rules.ts';

export function authorizerHandler(deps: {
  pool: Pool;
  eventStore: EventStore;
  ruleSet: RuleSet;
  logger: Logger;
  onDecided?: (n: number) => void;
}) {
  // every partition of a fetch: one transaction for all their decisions
  return async (batches: PartitionBatch[]): Promise<Rejected[]> => {
    const rejected: Rejected[] = [];
    const appends: AppendRequest[] = [];
    for (const { event, message } of batches.flatMap((b) => b.events)) {
      if (event.type !== 'PaymentRequested') continue;
      try {
        appends.push({
          streamId: event.streamId,
          expectedVersion: event.streamVersion,
          events: [decidePayment(event.data, deps.ruleSet)],
          metadata: {
            correlationId: event.metadata.correlationId,
            causationId: event.eventId,
            actor: 'authorizer',
            ...(event.metadata.traceparent ? { traceparent: event.metadata.traceparent } : {}),
          },
          occurredAt: new Date(),
        });
      } catch (error) {
        if (!(error instanceof UndecidableError)) throw error;
        rejected.push({ message, reason: error.message });
      }
    }
    if (appends.length) {
      // one statement (decisions and their outbox rows) is its own transaction: no BEGIN/COMMIT round trips
      const { recorded, conflicts } = await deps.eventStore.appendMany(deps.pool, appends);
      if (conflicts.length) deps.logger.debug({ count: conflicts.length }, 'already decided: redelivery ignored');
      if (recorded.length) {
        // not awaited: the decisions are committed, and the relay's poll finds them if this wake-up is lost
        wakeRelays(deps.pool).catch((error: unknown) => deps.logger.warn({ err: error }, 'could not wake the relay'));
      }
      deps.onDecided?.(recorded.length);
    }
    return rejected;
  };
}
