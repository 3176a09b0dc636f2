// @vitest-environment jsdom
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { stats } from '../../../testing/fixtures.ts';
import { useStatsStore } from '../stores/stats-store.ts';
import { KpiCards } from './kpi-cards.tsx';

describe('KPI cards', () => {
  afterEach(() => {
    cleanup();
    useStatsStore.getState().reset();
  });

  it('shows each count under its test id, raw in data-value, and follows the store', () => {
    render(<KpiCards />);
    expect(screen.getByTestId('kpi-total').textContent).toBe('—');
    act(() =>
      useStatsStore
        .getState()
        .apply(stats(5, { total: 1234, byStatus: { PENDING: 4, AUTHORIZED: 1000, REVIEW: 30, APPROVED: 150, DECLINED: 50 } })),
    );
    const values = ['kpi-total', 'kpi-pending', 'kpi-authorized', 'kpi-review', 'kpi-approved', 'kpi-declined'].map((id) =>
      screen.getByTestId(id).getAttribute('data-value'),
    );
    expect(values).toEqual(['1234', '4', '1000', '30', '150', '50']);
    act(() => useStatsStore.getState().apply(stats(6, { total: 1235 })));
    expect(screen.getByTestId('kpi-total').getAttribute('data-value')).toBe('1235');
  });
});
