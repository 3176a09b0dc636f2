// The bench's command line: `npm run bench -- --duration 10 --connections 32 ...`. Parsed once, validated,
// every problem listed together (the same habit as the services' config).
import { parseArgs } from 'node:util';

export const PHASES = ['baseline', 'command', 'e2e', 'capacity', 'http', 'replay'] as const;
export type Phase = (typeof PHASES)[number];

export type BenchOptions = {
  /** Seconds per phase; the alternating baseline/command phases split it into `rounds` rounds each. */
  durationSeconds: number;
  connections: number;
  /** Offered rate of the fixed-rate command pass; null: half of the measured sustainable rate. */
  rate: number | null;
  e2eRate: number;
  rounds: number;
  phases: Phase[];
  /** Seconds of unmeasured load through the whole pipeline first (JIT, caches, connections); 0 skips it. */
  warmupSeconds: number;
  /** The capacity search (phases/capacity.ts): seconds per step, first rate, resolution, bounds. */
  capacityStepSeconds: number;
  capacityStart: number;
  capacityResolution: number;
  capacityMaxRate: number;
  capacitySteps: number;
};

export const USAGE = `npm run bench -- [options]

  --duration <s>      seconds per phase (default 10); baseline and command split it into --rounds rounds
  --connections <n>   concurrent connections / transactions (default 32)
  --rate <n>          payments/s of the fixed-rate command pass (default: half of the measured maximum;
                      500 when the maximum was not measured in this run)
  --e2e-rate <n>      payments/s offered in the end-to-end phase (default 1000)
  --rounds <n>        alternating baseline/command rounds (default 3)
  --phases <list>     any of ${PHASES.join(',')} (default all)
  --warmup <s>        unmeasured load through the whole pipeline before the command and e2e phases, the
                      baseline's before its rounds, and 3 s at the pass's own rate before each fixed-rate
                      pass (default 10; 0 skips all of it)
  --capacity-step <s>        seconds per step of the capacity search (default 10)
  --capacity-start <n>       its first rate, doubled until a step fails (default 500)
  --capacity-resolution <n>  then bisected until pass and failure are this close (default 250)
  --capacity-max <n>         highest rate tried (default 16000); --capacity-steps <n> most steps (default 8)
  --help`;

export const DEFAULT_FIXED_RATE = 500;

export function parseOptions(argv: string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      duration: { type: 'string' },
      connections: { type: 'string' },
      rate: { type: 'string' },
      'e2e-rate': { type: 'string' },
      rounds: { type: 'string' },
      phases: { type: 'string' },
      warmup: { type: 'string' },
      'capacity-step': { type: 'string' },
      'capacity-start': { type: 'string' },
      'capacity-resolution': { type: 'string' },
      'capacity-max': { type: 'string' },
      'capacity-steps': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  const problems: string[] = [];
  const number = (name: string, raw: string | undefined, fallback: number, max: number): number => {
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0 || n > max) {
      problems.push(`--${name} must be a number above 0 and at most ${max} (got ${JSON.stringify(raw)})`);
      return fallback;
    }
    return n;
  };
  const phases = (values.phases ?? PHASES.join(','))
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const unknown = phases.filter((p) => !(PHASES as readonly string[]).includes(p));
  if (unknown.length) problems.push(`--phases: unknown ${unknown.join(', ')} (known: ${PHASES.join(', ')})`);
  if (!phases.length) problems.push('--phases: name at least one phase');
  const options: BenchOptions = {
    durationSeconds: number('duration', values.duration, 10, 600),
    connections: Math.round(number('connections', values.connections, 32, 512)),
    rate: values.rate === undefined ? null : number('rate', values.rate, DEFAULT_FIXED_RATE, 100_000),
    e2eRate: number('e2e-rate', values['e2e-rate'], 1000, 100_000),
    rounds: Math.round(number('rounds', values.rounds, 3, 50)),
    // always in the canonical order: the pipeline-heavy phases run after the rounds, the rebuild last
    phases: PHASES.filter((p) => phases.includes(p)),
    warmupSeconds: values.warmup === '0' ? 0 : number('warmup', values.warmup, 10, 600),
    capacityStepSeconds: number('capacity-step', values['capacity-step'], 10, 120),
    capacityStart: number('capacity-start', values['capacity-start'], 500, 100_000),
    capacityResolution: number('capacity-resolution', values['capacity-resolution'], 250, 100_000),
    capacityMaxRate: number('capacity-max', values['capacity-max'], 16_000, 100_000),
    capacitySteps: Math.round(number('capacity-steps', values['capacity-steps'], 8, 20)),
  };
  if (problems.length) throw new Error(`bad options:\n  ${problems.join('\n  ')}\n\n${USAGE}`);
  return options;
}

/** Seconds of each alternating round: the phase's duration split in rounds, at least 2 s each. */
export const roundSeconds = (o: BenchOptions) => Math.max(2, o.durationSeconds / o.rounds);
