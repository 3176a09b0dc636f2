// @vitest-environment jsdom
import type { PaymentView } from '@payments/schemas';
import { act, renderHook } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { payment } from '../../../testing/fixtures.ts';
import { splitAtCutoff, useHeldRows } from './use-held-rows.ts';

const index = (...payments: PaymentView[]) => Object.fromEntries(payments.map((p) => [p.paymentId, p]));

describe('held rows', () => {
  it('splits the rows newer than the cut-off from those on screen', () => {
    const [a, b, c] = [payment(), payment(), payment()];
    const byId = index(a, b, c);
    const ids = [c.paymentId, b.paymentId, a.paymentId];
    expect(splitAtCutoff(ids, byId, b)).toEqual({ visibleIds: [b.paymentId, a.paymentId], newIds: [c.paymentId] });
    expect(splitAtCutoff(ids, byId, null).newIds).toEqual([]);
  });

  it('holds new rows back while scrolled away, and reveals them on request', () => {
    const first = payment();
    const { result, rerender } = renderHook(({ ids, byId }) => useHeldRows(ids, byId), {
      initialProps: { ids: [first.paymentId], byId: index(first) },
    });
    act(() => result.current.setScrolledAway(true));
    const [second, third] = [payment(), payment()];
    rerender({ ids: [third.paymentId, second.paymentId, first.paymentId], byId: index(first, second, third) });
    expect(result.current.visibleIds).toEqual([first.paymentId]);
    expect(result.current.newCount).toBe(2);

    act(() => result.current.reveal());
    expect(result.current.visibleIds).toHaveLength(3);
    expect(result.current.newCount).toBe(0);
  });

  it('at the top, new rows show at once', () => {
    const first = payment();
    const { result, rerender } = renderHook(({ ids, byId }) => useHeldRows(ids, byId), {
      initialProps: { ids: [first.paymentId], byId: index(first) },
    });
    const second = payment();
    rerender({ ids: [second.paymentId, first.paymentId], byId: index(first, second) });
    expect(result.current.visibleIds).toEqual([second.paymentId, first.paymentId]);
    expect(result.current.holding).toBe(false);
  });
});
