// Which process gets a contended core first is a deployment decision, made here for `npm start` (and by
// cpu_shares in docker-compose.yml): a merchant waiting for a 202 should win over the consumers, which batch
// anyway and absorb a few milliseconds. The APIs, the broker and the query API stay at normal priority (every
// hop goes through them; lowering them lengthened the end-to-end latency, docs/PERFORMANCE.md).
//
// On Linux with autogroup scheduling (kernel.sched_autogroup_enabled=1, the default on most distributions) a
// nice value only ranks a thread against its own session's, and each child runs in a session of its own
// (started detached): across sessions the weight is the session's, set through /proc/<pid>/autogroup. So both
// are set: the nice value of every thread (the child starts under `nice`, and its threads inherit it) and its
// session's weight.
import { readFileSync, writeFileSync } from 'node:fs';

/** The command line that starts `command` with CPU priority `nice` (0: as it is). */
export function withNice(nice: number, command: string, args: string[]): [string, string[]] {
  return nice === 0 ? [command, args] : ['nice', ['-n', String(nice), command, ...args]];
}

/**
 * Gives the session of `pid` the weight of `nice`, where the kernel schedules by session. Returns why not,
 * or null when applied or not applicable (no autogroup, or a process still in the root group, which has no
 * weight of its own: there the threads' nice values are what counts).
 */
export function setSessionWeight(pid: number, nice: number): string | null {
  if (nice === 0) return null;
  let current: string;
  try {
    current = readFileSync(`/proc/${pid}/autogroup`, 'utf8').trim();
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? null : (error as Error).message;
  }
  if (current === '') return null;
  try {
    writeFileSync(`/proc/${pid}/autogroup`, String(nice));
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}
