// Waiting for a condition outside vitest (the fault suite, scripts); tests use vitest's vi.waitFor instead.
// One call of `check` at a time: the next starts `intervalMs` after the previous one settled.

export type PollOptions = { timeoutMs: number; intervalMs?: number; what: string };

/**
 * Calls `check` until it returns a value other than undefined or false, and resolves with it. A throw counts as
 * "not yet"; after `timeoutMs` it rejects, quoting the last error.
 */
export async function poll<T>(check: () => Promise<T | undefined | false>, options: PollOptions): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      const why = last instanceof Error ? last.message : last === undefined ? '' : String(last);
      throw new Error(`timed out after ${Math.round(options.timeoutMs / 1000)} s waiting for ${options.what}${why ? `: ${why}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 200));
  }
}
