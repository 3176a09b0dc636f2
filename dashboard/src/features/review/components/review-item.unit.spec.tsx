// @vitest-environment jsdom
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mockFetch, payment } from '../../../testing/fixtures.ts';
import { useReviewStore } from '../stores/review-store.ts';
import { ReviewItem } from './review-item.tsx';

describe('review item', () => {
  afterEach(() => {
    cleanup();
    useReviewStore.getState().reset();
    vi.unstubAllGlobals();
  });

  it('shows a 409 plainly and the row settling from the stream', async () => {
    mockFetch(() => [409, { error: 'conflict', message: 'payment is not in REVIEW' }]);
    const p = payment({ status: 'REVIEW', version: 2 });
    useReviewStore.getState().apply([p]);
    const { rerender } = render(<ReviewItem payment={p} onOpen={() => {}} />);

    await act(async () => screen.getByTestId('review-decline').click());
    expect(screen.getByTestId('review-error').textContent).toBe('Already decided by someone else');

    const decided = { ...p, status: 'APPROVED' as const, version: 3, reviewer: 'analyst:alice' };
    act(() => useReviewStore.getState().apply([decided]));
    rerender(<ReviewItem payment={decided} onOpen={() => {}} />);
    expect(screen.getByTestId('review-settled').textContent).toContain('Approved by analyst:alice');
    expect(screen.queryByTestId('review-approve')).toBeNull();
  });
});
