// The supervisor's CPU priority reaches every thread of a child and, where the kernel groups by session, the
// child's session.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { setSessionWeight, withNice } from './cpu-priority.ts';

const threadNice = (pid: number, tid: string) =>
  Number(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1]?.split(' ')[16]);

describe.runIf(process.platform === 'linux')('CPU priority of a child', () => {
  it('starts every thread of the child at the nice value, and gives its own session the same weight', async () => {
    const [command, args] = withNice(7, process.execPath, ['-e', 'setTimeout(() => {}, 5000)']);
    const child = spawn(command, args, { detached: true, stdio: 'ignore' });
    try {
      const pid = child.pid as number;
      // node has started its worker threads once it has more than one
      await expect.poll(() => readdirSync(`/proc/${pid}/task`).length, { timeout: 5000 }).toBeGreaterThan(1);
      await expect.poll(() => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('setTimeout'), { timeout: 5000 }).toBe(true);
      expect(new Set(readdirSync(`/proc/${pid}/task`).map((tid) => threadNice(pid, tid)))).toEqual(new Set([7]));
      expect(setSessionWeight(pid, 7)).toBeNull();
      const autogroup = readFileSync(`/proc/${pid}/autogroup`, 'utf8').trim();
      // a detached child leads a session, so it has an autogroup of its own where the kernel has them
      if (autogroup !== '') expect(autogroup).toMatch(/ nice 7$/);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('leaves a child as it is for 0', () => {
    expect(withNice(0, 'node', ['x.ts'])).toEqual(['node', ['x.ts']]);
    expect(setSessionWeight(process.pid, 0)).toBeNull();
  });
});
