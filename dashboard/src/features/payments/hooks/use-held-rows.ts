// Keeps the table still while the user reads further down: once they scroll away from the top, rows newer
// than the newest one they had seen are held back and counted ("N new"); back at the top (or on the pill)
// they are revealed. Rows are only ever added above that cut-off, so the ones on screen never move.
import type { PaymentView } from '@payments/schemas';
import { useCallback, useMemo, useState } from 'react';
import { compareNewestFirst } from '../stores/payment-list.ts';

export interface HeldRows {
  visibleIds: string[];
  newCount: number;
  holding: boolean;
  /** Call with whether the list is scrolled away from its top. */
  setScrolledAway(away: boolean): void;
  reveal(): void;
}

/** Splits the list at the cut-off: the rows on screen, and the newer ones held back. */
export function splitAtCutoff(
  ids: readonly string[],
  byId: Readonly<Record<string, PaymentView>>,
  cutoff: PaymentView | null,
): { visibleIds: string[]; newIds: string[] } {
  if (cutoff === null) return { visibleIds: [...ids], newIds: [] };
  const visibleIds: string[] = [];
  const newIds: string[] = [];
  for (const id of ids) {
    const payment = byId[id];
    if (payment !== undefined && compareNewestFirst(payment, cutoff) < 0) newIds.push(id);
    else visibleIds.push(id);
  }
  return { visibleIds, newIds };
}

export function useHeldRows(ids: readonly string[], byId: Readonly<Record<string, PaymentView>>): HeldRows {
  const [cutoff, setCutoff] = useState<PaymentView | null>(null);
  const { visibleIds, newIds } = useMemo(() => splitAtCutoff(ids, byId, cutoff), [ids, byId, cutoff]);

  const setScrolledAway = useCallback(
    (away: boolean) => {
      setCutoff((current) => {
        if (!away) return null;
        if (current !== null) return current;
        const newest = ids[0] === undefined ? undefined : byId[ids[0]];
        return newest ?? null;
      });
    },
    [ids, byId],
  );

  const reveal = useCallback(() => setCutoff(null), []);
  return { visibleIds, newCount: newIds.length, holding: cutoff !== null, setScrolledAway, reveal };
}
