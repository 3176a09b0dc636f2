// One projection rebuild at a time, started from the console and polled for progress until it ends.
import { create } from 'zustand';
import { ApiError, errorMessage } from '../../../lib/api-client.ts';
import { getProjection, getRebuild, type RebuildProgress, startRebuild } from '../api/rebuild-api.ts';

export const POLL_MS = 1000;
const TERMINAL = new Set(['completed', 'complete', 'done', 'succeeded', 'success', 'switched', 'failed', 'error', 'cancelled', 'canceled']);
const FAILED = new Set(['failed', 'error', 'cancelled', 'canceled']);

export const isTerminal = (status: string) => TERMINAL.has(status.toLowerCase());
export const isFailed = (status: string) => FAILED.has(status.toLowerCase());

export interface RebuildState {
  job: RebuildProgress | null;
  starting: boolean;
  error: string | null;
  start(): Promise<void>;
  /** Picks up the latest rebuild (one another analyst started, or from before a reload) and follows it. */
  resume(): Promise<void>;
  /** Fetches the job's progress once; returns whether to keep polling. */
  poll(): Promise<boolean>;
  reset(): void;
}

let timer: ReturnType<typeof setTimeout> | null = null;

export const useRebuildStore = create<RebuildState>()((set, get) => {
  const schedule = () => {
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(async () => {
      timer = null;
      if (await get().poll()) schedule();
    }, POLL_MS);
  };

  return {
    job: null,
    starting: false,
    error: null,

    async start() {
      const { job, starting } = get();
      if (starting || (job !== null && !isTerminal(job.status))) return;
      set({ starting: true, error: null });
      try {
        const started = await startRebuild();
        set({ job: started, starting: false });
        if (!isTerminal(started.status)) schedule();
      } catch (error) {
        const running = error instanceof ApiError && error.status === 409;
        set({ starting: false, error: running ? 'A rebuild is already under way' : errorMessage(error) });
        if (running) await get().resume();
      }
    },

    async resume() {
      try {
        const { lastRebuild } = await getProjection();
        if (lastRebuild === null || get().job?.id === lastRebuild.id) return;
        set({ job: lastRebuild });
        if (!isTerminal(lastRebuild.status)) schedule();
      } catch {
        // Not fatal: the panel still offers to start one.
      }
    },

    async poll() {
      const job = get().job;
      if (job === null) return false;
      try {
        const progress = await getRebuild(job.id);
        if (get().job?.id !== job.id) return false;
        set({ job: progress, error: null });
        return !isTerminal(progress.status);
      } catch (error) {
        set({ error: errorMessage(error) });
        return true; // keep trying: the query API may be switching tables over
      }
    },

    reset() {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      set({ job: null, starting: false, error: null });
    },
  };
});
