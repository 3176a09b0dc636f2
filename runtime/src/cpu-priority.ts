// Which process gets a contended core first. On a host the command path shares with the asynchronous
// pipeline (this repository's 2-core machine runs both APIs, the consumers, Kafka and PostgreSQL together),
// a merchant waiting for a 202 should win; the consumers batch anyway and absorb a few milliseconds. So the
// authorizer and the projector start with a lower CPU priority (a higher nice value) than the command API.
// The broker and the query API stay at the command path's: every hop goes through the broker (the command
// API's own relay too) and the query API is the stream's last hop; lowering them as well lengthened the
// end-to-end latency and did not shorten the 202's (docs/PERFORMANCE.md).
//
// On Linux with autogroup scheduling (kernel.sched_autogroup_enabled=1, the default on most distribution
// kernels), a nice value only ranks a thread against the threads of its own session, and every service runs
// in a session of its own (scripts/start.ts starts them detached): across sessions the weight is the
// session's, set through /proc/self/autogroup. A plain `nice` therefore did nothing measurable here. Both are
// set: the autogroup's weight where it exists, and every thread's nice for kernels without autogroup (threads
// created later inherit it from the thread that creates them).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { env } from './config.ts';
import type { Logger } from './logger.ts';

/** CPU_NICE: -20 (first) to 19 (last); a service of the asynchronous pipeline defaults to `fallback`. */
export const cpuPriorityConfigSpec = (fallback: number) => ({ cpuNice: env.int('CPU_NICE', fallback, -20, 19) });
export type CpuPriorityConfig = { cpuNice: number };

export type CpuPriorityOutcome = { nice: number; autogroup: boolean; threads: number; refused: string[] };

/**
 * Gives this process the CPU priority `nice`; 0 leaves the process as it was started. Lowering the priority
 * never needs privileges; raising it (a negative value) does, and a refusal is reported rather than thrown:
 * the service runs the same, only less favoured.
 */
export function applyCpuPriority(nice: number, logger?: Logger): CpuPriorityOutcome {
  const outcome: CpuPriorityOutcome = { nice, autogroup: false, threads: 0, refused: [] };
  if (nice === 0) return outcome;
  if (process.platform !== 'linux') {
    try {
      setPriority(0, nice);
      outcome.threads = 1;
    } catch (error) {
      outcome.refused.push(`process: ${(error as Error).message}`);
    }
  } else {
    if (hasSessionAutogroup()) {
      try {
        writeFileSync('/proc/self/autogroup', String(nice));
        outcome.autogroup = true;
      } catch (error) {
        outcome.refused.push(`autogroup: ${(error as Error).message}`);
      }
    }
    for (const tid of readdirSync('/proc/self/task')) {
      try {
        setPriority(Number(tid), nice);
        outcome.threads++;
      } catch (error) {
        // a thread may have ended since the listing; anything else is worth a line
        if ((error as NodeJS.ErrnoException).code !== 'ESRCH') outcome.refused.push(`thread ${tid}: ${(error as Error).message}`);
      }
    }
  }
  if (outcome.refused.length) logger?.warn({ nice, refused: outcome.refused }, 'CPU priority not fully applied');
  else logger?.info({ nice, autogroup: outcome.autogroup }, 'CPU priority applied');
  return outcome;
}

/**
 * Whether this process's session has an autogroup of its own, whose weight can be set. No file: a kernel
 * without autogroup. An empty file: the process never left the root group (a session that no setsid started,
 * as under some CI runners), which the kernel gives no weight of its own (a write is refused, EINVAL); there it
 * competes thread by thread, and the threads' nice values are what counts.
 */
function hasSessionAutogroup(): boolean {
  try {
    return readFileSync('/proc/self/autogroup', 'utf8').trim() !== '';
  } catch (error) {
    // unreadable for another reason: the write below reports why, as a refusal, and the service still starts
    return (error as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}
