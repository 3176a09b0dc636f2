import { describe, expect, it } from 'vitest';
import { poll } from './poll.ts';

describe('poll', () => {
  it('resolves with the first value that is neither undefined nor false, calling check once at a time', async () => {
    let calls = 0;
    let running = 0;
    const value = await poll(
      async () => {
        running++;
        expect(running).toBe(1);
        await new Promise((r) => setTimeout(r, 5));
        running--;
        calls++;
        if (calls === 1) return undefined;
        if (calls === 2) return false;
        if (calls === 3) throw new Error('not yet');
        return calls;
      },
      { timeoutMs: 2000, intervalMs: 1, what: 'the fourth call' },
    );
    expect(value).toBe(4);
  });

  it('gives up after the timeout, naming what it waited for and quoting the last error', async () => {
    const started = Date.now();
    await expect(
      poll(
        async () => {
          throw new Error('connection refused');
        },
        { timeoutMs: 100, intervalMs: 10, what: 'the broker' },
      ),
    ).rejects.toThrow(/waiting for the broker: connection refused$/);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
