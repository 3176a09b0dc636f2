// Read-your-writes: a query with `minPosition` (the position a command returned) waits, up to a bound,
// until the read model reflects that event. Re-checked on every change-feed wake-up, with a slow fallback.
// A merchant was shown its positions permuted (runtime/src/merchant-positions.ts): decoded here first.
import type { Principal } from '@payments/runtime/auth';
import { badRequest } from '@payments/runtime/http';
import type { Queryable } from '@payments/runtime/pg';
import type { MerchantPositions } from '@payments/runtime/positions';
import type { FastifyReply } from 'fastify';
import { hasApplied } from './payments/queries.ts';
import type { FeedTail } from './stream/feed-tail.ts';

/** The global position behind a `minPosition` as this principal passed it; a 400 for one never shown to it. */
export function commandPosition(positions: MerchantPositions, principal: Principal, minPosition: number | undefined): number | undefined {
  if (minPosition === undefined) return undefined;
  const position = positions.passedBack(principal, minPosition);
  if (position === null) throw badRequest('querystring.minPosition is not a position this API returned');
  return position;
}

export async function waitForPosition(
  db: Queryable,
  tail: FeedTail,
  position: number | undefined,
  maxWaitMs: number,
  reply: FastifyReply,
): Promise<void> {
  if (position === undefined) return;
  const deadline = Date.now() + maxWaitMs;
  while (!(await hasApplied(db, position))) {
    const left = deadline - Date.now();
    if (left <= 0) {
      reply.header('x-read-consistency', 'stale'); // answered with what we have; the caller can retry
      return;
    }
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        tail.off('entries', done);
        resolve();
      };
      const timer = setTimeout(done, Math.min(left, 100));
      tail.on('entries', done);
    });
  }
}
