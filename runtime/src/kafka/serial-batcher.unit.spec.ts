// The consumer runner's batching: one handler call at a time, and what arrives meanwhile goes into the next
// call, whatever tick it arrived in.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { SerialBatcher } from './consumer-runner.ts';

/** A handler whose calls are recorded and finish only when released. */
function slowHandler() {
  const calls: number[][] = [];
  let running = 0;
  let maxRunning = 0;
  const releases: (() => void)[] = [];
  const handle = async (items: number[]) => {
    calls.push(items);
    maxRunning = Math.max(maxRunning, ++running);
    await new Promise<void>((resolve) => releases.push(resolve));
    running--;
    return items.map((n) => n * 10);
  };
  return { calls, handle, release: () => releases.shift()?.(), maxRunning: () => maxRunning };
}

describe('SerialBatcher', () => {
  it('puts what is submitted in one tick into one call, and each item gets its own result', async () => {
    const h = slowHandler();
    const batcher = new SerialBatcher(h.handle);
    const results = [1, 2, 3].map((n) => batcher.submit(n));
    await nextTurn();
    h.release();
    expect(await Promise.all(results)).toEqual([10, 20, 30]);
    expect(h.calls).toEqual([[1, 2, 3]]);
  });

  it('never runs two calls at once: items arriving in later ticks while one runs go into the next call', async () => {
    const h = slowHandler();
    const batcher = new SerialBatcher(h.handle);
    const first = batcher.submit(1);
    await nextTurn();
    const later = [batcher.submit(2)];
    await nextTurn();
    later.push(batcher.submit(3));
    await nextTurn();
    expect(h.calls).toEqual([[1]]);
    h.release();
    await first;
    await nextTurn();
    expect(h.calls).toEqual([[1], [2, 3]]);
    h.release();
    expect(await Promise.all(later)).toEqual([20, 30]);
    expect(h.maxRunning()).toBe(1);
  });

  it('a failed call rejects its own items only; the next call still runs', async () => {
    let fail = true;
    const batcher = new SerialBatcher(async (items: number[]) => {
      if (fail) {
        fail = false;
        throw new Error('broker away');
      }
      return items;
    });
    const failed = batcher.submit(1);
    await expect(failed).rejects.toThrow('broker away');
    expect(await batcher.submit(2)).toBe(2);
  });
});
