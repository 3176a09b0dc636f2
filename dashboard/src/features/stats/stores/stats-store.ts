// The KPI numbers: a Stats snapshot from GET /api/stats, then the stream's throttled `stats` messages.
// Snapshots carry the position they were taken at; an older one (a slow REST response arriving after a
// newer stream message) never replaces a newer one.
import type { Stats } from '@payments/schemas';
import { create } from 'zustand';
import { errorMessage } from '../../../lib/api-client.ts';
import { getStats } from '../api/stats-api.ts';

export interface StatsState {
  stats: Stats | null;
  loading: boolean;
  error: string | null;
  /** Loads a snapshot; resolves to its position (where the stream can resume from), or null on failure. */
  load(): Promise<number | null>;
  apply(stats: Stats): void;
  reset(): void;
}

let loadSeq = 0;

export const useStatsStore = create<StatsState>()((set, get) => ({
  stats: null,
  loading: false,
  error: null,

  async load() {
    const seq = ++loadSeq;
    set({ loading: true, error: null });
    try {
      const stats = await getStats();
      if (seq !== loadSeq) return null;
      get().apply(stats);
      set({ loading: false });
      return stats.position;
    } catch (error) {
      if (seq === loadSeq) set({ loading: false, error: errorMessage(error) });
      return null;
    }
  },

  apply(stats) {
    const current = get().stats;
    if (current !== null && stats.position < current.position) return;
    set({ stats, error: null });
  },

  reset() {
    loadSeq++;
    set({ stats: null, loading: false, error: null });
  },
}));
