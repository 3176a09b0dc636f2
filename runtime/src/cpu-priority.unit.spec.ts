import { execFileSync } from 'node:child_process';
import { getPriority } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';
import { cpuPriorityConfigSpec } from './cpu-priority.ts';

// Runs in a child process: the priority is the process's own and cannot be raised back without privileges.
function priorityOfAChildThatApplied(nice: number) {
  const script = `
    import { readdirSync, readFileSync, existsSync } from 'node:fs';
    import { applyCpuPriority } from ${JSON.stringify(new URL('./cpu-priority.ts', import.meta.url).href)};
    const outcome = applyCpuPriority(${nice});
    const threadNice = (tid) => Number(readFileSync('/proc/self/task/' + tid + '/stat', 'utf8').split(') ')[1].split(' ')[16]);
    const threads = process.platform === 'linux' ? readdirSync('/proc/self/task').map(threadNice) : [];
    const autogroup = existsSync('/proc/self/autogroup') ? readFileSync('/proc/self/autogroup', 'utf8').trim() : null;
    process.stdout.write(JSON.stringify({ outcome, threads, autogroup }));`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })) as {
    outcome: { nice: number; autogroup: boolean; threads: number; refused: string[] };
    threads: number[];
    autogroup: string | null;
  };
}

describe('CPU priority', () => {
  it('lowers the priority of every thread of the process, and of its session where the kernel groups by session', () => {
    const { outcome, threads, autogroup } = priorityOfAChildThatApplied(7);
    expect(outcome.refused).toEqual([]);
    expect(outcome.threads).toBeGreaterThan(1); // node runs worker threads beside the main one
    if (process.platform === 'linux') {
      expect(threads.length).toBeGreaterThan(1);
      expect(new Set(threads)).toEqual(new Set([7]));
    }
    // a session's own autogroup takes the weight; the root group (an empty file) has none to take
    if (autogroup) {
      expect(outcome.autogroup).toBe(true);
      expect(autogroup).toMatch(/ nice 7$/);
    } else {
      expect(outcome.autogroup).toBe(false);
    }
  });

  it('leaves the process as it was started for 0', () => {
    const { outcome, threads } = priorityOfAChildThatApplied(0);
    expect(outcome).toEqual({ nice: 0, autogroup: false, threads: 0, refused: [] });
    expect(threads.every((n) => n === getPriority())).toBe(true); // what it inherited from this process
  });

  it('reads CPU_NICE with the service default and refuses values outside -20..19', () => {
    expect(loadConfig(cpuPriorityConfigSpec(10), {})).toEqual({ cpuNice: 10 });
    expect(loadConfig(cpuPriorityConfigSpec(10), { CPU_NICE: '-3' })).toEqual({ cpuNice: -3 });
    for (const bad of ['20', '-21', 'low', '1.5']) {
      expect(() => loadConfig(cpuPriorityConfigSpec(10), { CPU_NICE: bad })).toThrow(ConfigError);
    }
  });
});
