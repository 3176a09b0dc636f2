// The run as a readable table for the terminal: rates with their spread and CPU per payment beside them,
// latencies, the stages, the targets, and the settings the figures depend on.

import type { CpuPerItem } from './cpu.ts';
import type { HopStats, StagesResult } from './phases/stages.ts';
import { type BenchResults, medianCpu } from './results.ts';
import { type LatencySummary, round } from './stats.ts';

const GROUPS = ['command-api', 'postgres', 'authorizer', 'projector', 'query-api', 'kafka', 'bench', 'launcher'] as const;

function table(header: string[], rows: (string | number | null)[][]): string {
  const cells = [header, ...rows.map((r) => r.map((c) => (c === null ? '–' : String(c))))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (i === 0 || (i === r.length - 1 && header[i] === 'from → to') ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('  ');
  return [line(cells[0] ?? []), widths.map((w) => '─'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n').replace(/ +$/gm, '');
}

const fmt = (v: number | null | undefined, digits = 1) => (v === null || v === undefined ? null : round(v, digits).toLocaleString('en-US'));

function cpuRow(label: string, c: CpuPerItem | Record<string, number> | undefined): (string | number | null)[] {
  const full = c && 'perItem' in c ? (c as CpuPerItem) : undefined;
  const per = full ? full.perItem : (c as Record<string, number> | undefined);
  const cells = GROUPS.map((g) => (per?.[g] === undefined ? null : (per[g] as number).toFixed(3)));
  return [label, ...cells, full ? full.pgCommitsPerItem : null, full ? full.walFlushesPerItem : null, full ? full.walKbPerItem : null];
}

const latencyRow = (label: string, l: LatencySummary) => [label, l.p50Ms, l.p99Ms, l.p999Ms, l.maxMs, l.count];
const joined = (entries: Record<string, string>, sep = ', ', eq = '=') =>
  Object.entries(entries)
    .map(([k, v]) => `${k}${eq}${v}`)
    .join(sep);

export function renderReport(r: BenchResults): string {
  const out: string[] = [];
  const s = r.settings;
  const p = r.phases;
  const fixed = p.command?.fixedRate;
  out.push(
    `payments bench · ${r.generatedAt} · commit ${s.commit} · ${r.machine.cpus} CPUs (${r.machine.cpuModel}), ${r.machine.memoryGb} GB, node ${r.machine.node}, kernel ${r.machine.kernel}`,
  );
  out.push(`durability: ${joined(s.durability)}`);
  out.push(
    `settings: ${s.connections} connections, ${s.rounds} rounds of ${round(s.roundSeconds, 1)} s, ${s.durationSeconds} s per phase after a ${s.warmupSeconds} s warm-up, stack ${s.stack}; ${joined(s.stackEnvironment, ' ')}`,
  );
  out.push(
    `database at the start: ${s.database.size} (shared_buffers ${s.database.sharedBuffers}) · cpu priority: ${joined(s.cpuPriority, ' · ', ' ')}`,
  );
  out.push('');

  const cap = p.capacity;
  if (cap) {
    out.push(
      `END-TO-END CAPACITY: ${cap.ratePerSecond === null ? 'none (the first step failed)' : `${fmt(cap.ratePerSecond, 0)} payments/s`} (highest offered rate with e2e p99 <= 150 ms and drain <= 2 s; first failure ${cap.firstFailingRate === null ? 'none' : `${fmt(cap.firstFailingRate, 0)}/s`})`,
    );
    out.push(
      table(
        ['capacity steps, in order', 'e2e p50', 'p99', '202 p99', 'drain s', 'decided', 'busy %', 'cpu ms/payment', 'verdict'],
        cap.steps.map((st) => [
          `${st.rate}/s`,
          st.p50Ms,
          st.p99Ms,
          st.ackP99Ms,
          st.drainSeconds,
          `${st.decided}/${st.offered}`,
          st.cpuMsPerPayment.machineBusyPct,
          round(
            Object.values(st.cpuMsPerPayment.perItem).reduce((a, b) => a + b, 0),
            3,
          ),
          st.reason ?? 'holds',
        ]),
      ),
    );
    out.push('');
  }

  const rates: (string | number | null)[][] = [];
  if (p.baseline) {
    const t = p.baseline.tps;
    rates.push(['baseline: raw pg, 1 tx per payment', fmt(t.median), fmt(t.min), fmt(t.max), 'tx/s']);
  }
  if (p.command) {
    const t = p.command.rps;
    rates.push(['command: POST /api/payments, max', fmt(t.median), fmt(t.min), fmt(t.max), 'accepted/s']);
  }
  if (fixed) rates.push([`command: fixed rate (${fixed.rateSource})`, fmt(fixed.offeredRate), null, null, 'offered/s']);
  if (p.e2e) rates.push(['e2e: fixed rate', fmt(p.e2e.offeredRate), null, null, 'offered/s']);
  if (p.http) rates.push(['http ceiling: bare fastify route', fmt(p.http.rps), null, null, 'req/s']);
  if (p.replay)
    rates.push(['replay: full projection rebuild', fmt(p.replay.eventsPerSecond), null, null, `events/s (${p.replay.events} events)`]);
  if (rates.length) {
    out.push(table(['rates', 'median', 'min', 'max', 'unit'], rates));
    const ratios = [
      r.ratioCommandToBaseline !== null
        ? `command / baseline = ${r.ratioCommandToBaseline} (per round: ${r.ratioPerRound.join(', ')})`
        : '',
      r.ratioCommandToHttp !== null ? `command / http ceiling = ${r.ratioCommandToHttp}` : '',
    ].filter(Boolean);
    if (ratios.length) out.push(ratios.join(' · '));
    out.push('');
  }

  const cpuRows: (string | number | null)[][] = [];
  if (p.baseline) cpuRows.push(cpuRow('baseline, per tx (bench = pg client)', medianCpu(p.baseline.rounds.map((x) => x.cpuMsPerTx))));
  if (p.command) cpuRows.push(cpuRow('command max (median of rounds)', medianCpu(p.command.rounds.map((x) => x.cpuMsPerPayment))));
  if (fixed) cpuRows.push(cpuRow(`command at ${round(fixed.offeredRate)}/s (+ drain)`, fixed.cpuMsPerPayment));
  if (p.e2e) cpuRows.push(cpuRow(`e2e at ${p.e2e.offeredRate}/s (+ drain)`, p.e2e.cpuMsPerPayment));
  if (cpuRows.length) {
    if (p.idle) cpuRows.push(cpuRow('idle: ms per second, no load', p.idle.cpuMsPerSecond));
    out.push(
      table(
        [
          'CPU ms per payment',
          'api+relay',
          'postgres',
          'authorizer',
          'projector',
          'query-api',
          'kafka',
          'bench',
          'start.ts',
          'pg commits',
          'wal flushes',
          'wal kB',
        ],
        cpuRows,
      ),
    );
    const busy = [
      p.command?.rounds.length ? `command rounds ${p.command.rounds.map((x) => `${x.cpuMsPerPayment.machineBusyPct}%`).join('/')}` : '',
      fixed ? `fixed rate ${fixed.cpuMsPerPayment.machineBusyPct}%` : '',
      p.e2e ? `e2e ${p.e2e.cpuMsPerPayment.machineBusyPct}%` : '',
      p.idle ? `idle ${p.idle.machineBusyPct}%` : '',
    ].filter(Boolean);
    if (busy.length) out.push(`machine busy (both cores, everything on it): ${busy.join(', ')}`);
    out.push('');
  }

  const lat: (string | number | null)[][] = [];
  if (p.baseline?.rounds[0]) lat.push(latencyRow('baseline transaction (round 1)', p.baseline.rounds[0].latency));
  if (p.command) lat.push(latencyRow('command at max (closed loop)', p.command.saturatedLatency));
  if (fixed) {
    lat.push(latencyRow(`command at ${round(fixed.offeredRate)}/s: send → 202`, fixed.ack));
    lat.push(latencyRow(`  same payments: send → decided on WebSocket`, fixed.latency));
  }
  if (p.e2e) {
    lat.push(latencyRow(`e2e at ${p.e2e.offeredRate}/s: send → 202`, p.e2e.ack));
    lat.push(latencyRow(`e2e at ${p.e2e.offeredRate}/s: send → decided on WebSocket`, p.e2e.latency));
  }
  if (p.http) lat.push(latencyRow('http ceiling (closed loop)', p.http.latency));
  if (lat.length) {
    out.push(table(['latency (ms); fixed rates are open loop, CO-corrected', 'p50', 'p99', 'p99.9', 'max', 'n'], lat));
    for (const pass of [fixed, p.e2e]) {
      if (!pass) continue;
      out.push(
        `at ${round(pass.offeredRate)}/s: ${pass.accepted}/${pass.offered} accepted, ${pass.decided} seen decided, drain ${pass.drainSeconds === null ? `not finished (${pass.undecided} undecided)` : `${pass.drainSeconds} s`}` +
          `, sender lag max ${pass.maxSendLagMs} ms`,
      );
    }
    out.push('');
  }

  const passes: [string, StagesResult][] = [];
  if (fixed?.stages) passes.push([`@${round(fixed.offeredRate)}/s`, fixed.stages]);
  if (r.stages && p.e2e) passes.push([`@${p.e2e.offeredRate}/s`, r.stages]);
  if (passes.length) {
    const header = ['stages (ms)', ...passes.flatMap(([name]) => [`${name} p50`, 'p99']), 'from → to'];
    const rowsOf = (pick: (st: StagesResult) => HopStats[]) => {
      const first = passes[0]?.[1];
      if (!first) return [];
      return pick(first).map((hop, i) => [
        hop.hop,
        ...passes.flatMap(([, st]) => [pick(st)[i]?.p50Ms ?? null, pick(st)[i]?.p99Ms ?? null]),
        hop.what,
      ]);
    };
    out.push(
      table(
        header,
        rowsOf((st) => [st.httpAck, st.requestToDecision, st.decisionToWebSocket]),
      ),
    );
    if (passes.every(([, st]) => st.kafkaTimestamps)) {
      out.push('');
      out.push(
        table(
          ['hop by hop', ...header.slice(1)],
          rowsOf((st) => st.hops),
        ),
      );
    }
    out.push(`samples: ${passes.map(([name, st]) => `${name} ${st.sampleSize} payments`).join(', ')}`);
    out.push('');
  }

  out.push(
    table(
      ['target', 'wanted', 'measured', 'met'],
      r.targets.map((t) => [t.name, t.target, t.value, t.met === null ? 'n/a' : t.met ? 'yes' : 'NO']),
    ),
  );
  for (const [phase, message] of Object.entries(r.errors)) out.push(`error in ${phase}: ${message}`);
  return out.join('\n');
}
