// bench/results/latest.html: the run as one self-contained page (inline SVG and CSS, no scripts, nothing
// fetched), small enough to keep in git next to latest.json.
import type { StagesResult } from './phases/stages.ts';
import type { BenchResults } from './results.ts';
import { round } from './stats.ts';

const COLORS: Record<string, string> = {
  'command-api': '#2563eb',
  postgres: '#0d9488',
  authorizer: '#d97706',
  projector: '#7c3aed',
  'query-api': '#db2777',
  kafka: '#65a30d',
  bench: '#9ca3af',
  launcher: '#a16207',
};
const GROUP_LABELS: Record<string, string> = {
  'command-api': 'command-api (API + relay)',
  bench: 'bench (load generator / pg client)',
  launcher: 'scripts/start.ts (log lines)',
};
const HOP_COLORS = ['#94a3b8', '#2563eb', '#d97706', '#60a5fa', '#7c3aed', '#db2777'];

export const escapeHtml = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

const num = (v: number, digits = 1) => round(v, digits).toLocaleString('en-US');

type Bar = { label: string; value: number; min?: number; max?: number; color?: string; note?: string; marker?: number };

/**
 * Horizontal bars with optional min–max whiskers and a target marker, on a linear scale from 0 or, for
 * values spanning orders of magnitude (latencies), a logarithmic one from 1 with its decades marked.
 */
export function barChart(title: string, bars: Bar[], unit: string, scale: 'linear' | 'log' = 'linear'): string {
  if (!bars.length) return '';
  const labelW = 250;
  const plotW = 520;
  const rowH = 28;
  const top = 30;
  const height = top + bars.length * rowH + 24;
  const top1 = Math.max(...bars.map((b) => Math.max(b.value, b.max ?? 0, b.marker ?? 0))) * 1.08 || 1;
  const decades = Math.max(1, Math.ceil(Math.log10(Math.max(top1, 10))));
  const x =
    scale === 'log' ? (v: number) => labelW + (Math.log10(Math.max(1, v)) / decades) * plotW : (v: number) => labelW + (v / top1) * plotW;
  const grid =
    scale === 'log'
      ? Array.from({ length: decades + 1 }, (_, i) => {
          const gx = x(10 ** i);
          return `<line x1="${gx}" x2="${gx}" y1="${top - 4}" y2="${height - 20}" stroke="#e5e7eb"/><text x="${gx}" y="${height - 6}" text-anchor="middle" fill="#6b7280">${num(10 ** i, 0)}</text>`;
        }).join('')
      : '';
  const rows = bars.map((b, i) => {
    const y = top + i * rowH;
    const whisker =
      b.min !== undefined && b.max !== undefined
        ? `<line x1="${x(b.min)}" x2="${x(b.max)}" y1="${y + 10}" y2="${y + 10}" stroke="#111" stroke-width="1.5"/>` +
          `<line x1="${x(b.min)}" x2="${x(b.min)}" y1="${y + 5}" y2="${y + 15}" stroke="#111"/><line x1="${x(b.max)}" x2="${x(b.max)}" y1="${y + 5}" y2="${y + 15}" stroke="#111"/>`
        : '';
    const marker =
      b.marker !== undefined
        ? `<line x1="${x(b.marker)}" x2="${x(b.marker)}" y1="${y}" y2="${y + 20}" stroke="#dc2626" stroke-width="2" stroke-dasharray="3 2"/>`
        : '';
    return (
      `<text x="${labelW - 8}" y="${y + 14}" text-anchor="end">${escapeHtml(b.label)}</text>` +
      `<rect x="${labelW}" y="${y + 2}" width="${Math.max(1, x(b.value) - labelW)}" height="16" fill="${b.color ?? '#2563eb'}" rx="2"/>` +
      whisker +
      marker +
      `<text x="${Math.max(x(b.value), x(b.max ?? 0)) + 6}" y="${y + 14}">${num(b.value)} ${escapeHtml(unit)}${b.note ? ` · ${escapeHtml(b.note)}` : ''}</text>`
    );
  });
  return svg(title, labelW + plotW + 220, height, grid + rows.join(''));
}

type Segment = { label: string; value: number; color: string };

/** One stacked horizontal bar per row; the legend lists the segments of the first row. */
export function stackedChart(title: string, rows: { label: string; segments: Segment[] }[], unit: string): string {
  if (!rows.length) return '';
  const labelW = 250;
  const plotW = 560;
  const rowH = 30;
  const top = 30;
  const legendNames = [...new Map(rows.flatMap((r) => r.segments.map((s) => [s.label, s.color] as const))).entries()];
  const legendRows = Math.ceil(legendNames.length / 3);
  const height = top + rows.length * rowH + 16 + legendRows * 18;
  const max = Math.max(...rows.map((r) => r.segments.reduce((a, s) => a + Math.max(0, s.value), 0))) * 1.05 || 1;
  const parts: string[] = [];
  rows.forEach((row, i) => {
    const y = top + i * rowH;
    let at = labelW;
    parts.push(`<text x="${labelW - 8}" y="${y + 15}" text-anchor="end">${escapeHtml(row.label)}</text>`);
    let total = 0;
    for (const s of row.segments) {
      const w = (Math.max(0, s.value) / max) * plotW;
      total += Math.max(0, s.value);
      parts.push(
        `<rect x="${at}" y="${y + 3}" width="${w}" height="18" fill="${s.color}"><title>${escapeHtml(`${s.label}: ${num(s.value, 3)} ${unit}`)}</title></rect>`,
      );
      at += w;
    }
    parts.push(`<text x="${at + 6}" y="${y + 16}">${num(total, 2)} ${escapeHtml(unit)}</text>`);
  });
  legendNames.forEach(([name, color], i) => {
    const lx = labelW + (i % 3) * 190;
    const ly = top + rows.length * rowH + 10 + Math.floor(i / 3) * 18;
    parts.push(
      `<rect x="${lx}" y="${ly}" width="12" height="12" fill="${color}"/><text x="${lx + 16}" y="${ly + 11}">${escapeHtml(name)}</text>`,
    );
  });
  return svg(title, labelW + plotW + 140, height, parts.join(''));
}

/** Lines over x (seconds), each series its own color. */
export function lineChart(
  title: string,
  series: { label: string; color: string; points: [number, number][] }[],
  xUnit: string,
  yUnit: string,
): string {
  const all = series.flatMap((s) => s.points);
  if (!all.length) return '';
  const left = 60;
  const plotW = 700;
  const plotH = 200;
  const top = 30;
  const maxX = Math.max(...all.map(([px]) => px), 1);
  const maxY = Math.max(...all.map(([, py]) => py), 1) * 1.1;
  const x = (v: number) => left + (v / maxX) * plotW;
  const y = (v: number) => top + plotH - (v / maxY) * plotH;
  const parts: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const v = (maxY / 4) * i;
    parts.push(`<line x1="${left}" x2="${left + plotW}" y1="${y(v)}" y2="${y(v)}" stroke="#e5e7eb"/>`);
    parts.push(`<text x="${left - 6}" y="${y(v) + 4}" text-anchor="end">${num(v, 0)}</text>`);
  }
  const step = Math.max(1, Math.ceil(maxX / 10));
  for (let v = step; v <= maxX; v += step) {
    parts.push(`<text x="${x(v)}" y="${top + plotH + 14}" text-anchor="middle" fill="#6b7280">${v}</text>`);
  }
  parts.push(`<text x="${left + plotW / 2}" y="${top + plotH + 30}" text-anchor="middle">${escapeHtml(xUnit)}</text>`);
  parts.push(`<text x="12" y="${top - 10}">${escapeHtml(yUnit)}</text>`);
  series.forEach((s, i) => {
    parts.push(
      `<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${s.points.map(([px, py]) => `${x(px)},${y(py)}`).join(' ')}"/>`,
    );
    parts.push(`<rect x="${left + plotW + 12}" y="${top + i * 18}" width="12" height="12" fill="${s.color}"/>`);
    parts.push(`<text x="${left + plotW + 28}" y="${top + i * 18 + 11}">${escapeHtml(s.label)}</text>`);
  });
  return svg(title, left + plotW + 120, top + plotH + 42, parts.join(''));
}

function svg(title: string, width: number, height: number, body: string): string {
  return `<figure><figcaption>${escapeHtml(title)}</figcaption><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" font-family="system-ui, sans-serif" font-size="12">${body}</svg></figure>`;
}

export function renderHtml(r: BenchResults, textReport: string): string {
  const p = r.phases;
  const sections: string[] = [];

  const throughput: Bar[] = [];
  if (p.baseline)
    throughput.push({
      label: 'baseline: raw pg tx/s',
      value: p.baseline.tps.median,
      min: p.baseline.tps.min,
      max: p.baseline.tps.max,
      color: '#0d9488',
    });
  if (p.command)
    throughput.push({ label: 'command: accepted/s at max', value: p.command.rps.median, min: p.command.rps.min, max: p.command.rps.max });
  if (p.command?.fixedRate)
    throughput.push({ label: 'command: fixed rate offered', value: p.command.fixedRate.offeredRate, color: '#93c5fd' });
  if (p.e2e) throughput.push({ label: 'e2e: offered', value: p.e2e.offeredRate, color: '#a78bfa' });
  sections.push(barChart('Throughput (median of rounds, whiskers min–max)', throughput, '/s'));
  if (p.http) {
    sections.push(
      barChart(
        'HTTP ceiling: the same load against a bare fastify route',
        [
          { label: 'bare fastify route', value: p.http.rps, color: '#9ca3af' },
          ...(p.command ? [{ label: 'command API', value: p.command.rps.median, note: `ratio ${r.ratioCommandToHttp}` }] : []),
        ],
        'req/s',
      ),
    );
  }

  const latency: Bar[] = [];
  const addLatency = (label: string, l: { p50Ms: number | null; p99Ms: number | null; p999Ms: number | null }, target?: number) => {
    const entries: [string, number | null, string][] = [
      ['p50', l.p50Ms, '#93c5fd'],
      ['p99', l.p99Ms, '#2563eb'],
      ['p99.9', l.p999Ms, '#1e3a8a'],
    ];
    for (const [name, value, color] of entries) {
      if (value !== null)
        latency.push({
          label: `${label} ${name}`,
          value,
          color,
          ...(target !== undefined && name === 'p99' ? { marker: target, note: `target ≤ ${target}` } : {}),
        });
    }
  };
  const fixed = p.command?.fixedRate;
  if (fixed) addLatency(`command @${round(fixed.offeredRate)}/s → 202`, fixed.ack, 25);
  if (p.e2e) addLatency(`e2e @${p.e2e.offeredRate}/s → decided`, p.e2e.latency, 150);
  if (fixed) addLatency(`e2e @${round(fixed.offeredRate)}/s → decided`, fixed.latency);
  if (p.command) addLatency('command at max → 202', p.command.saturatedLatency);
  sections.push(
    barChart('Latency, log scale (fixed-rate passes are open loop, corrected for coordinated omission; red: target)', latency, 'ms', 'log'),
  );

  const stageRows: { label: string; segments: Segment[] }[] = [];
  const passes: [string, StagesResult | undefined][] = [
    [fixed ? `@${round(fixed.offeredRate)}/s` : '', fixed?.stages],
    [p.e2e ? `@${p.e2e.offeredRate}/s` : '', r.stages ?? undefined],
  ];
  for (const [name, st] of passes) {
    if (!st) continue;
    const chain = st.kafkaTimestamps ? st.hops : [st.requestToDecision, st.decisionToWebSocket];
    const color = (i: number) => (st.kafkaTimestamps ? HOP_COLORS[i] : HOP_COLORS[i + 1]) ?? '#999';
    const segments = chain.map((h, i) => ({ label: h.hop, value: h.p50Ms ?? 0, color: color(i) }));
    if (st.kafkaTimestamps) {
      stageRows.push({ label: `${name} p50, send → WebSocket`, segments });
      stageRows.push({ label: `${name} p50, after the API`, segments: segments.slice(1) });
    } else stageRows.push({ label: `${name} p50, request → WebSocket`, segments });
  }
  sections.push(stackedChart('Where the end-to-end time goes: p50 of each hop', stageRows, 'ms'));

  if (p.e2e?.timeline.length) {
    const points = (key: 'p50Ms' | 'p99Ms') =>
      p.e2e?.timeline.filter((t) => t[key] !== null).map((t) => [t.second + 1, t[key] as number] as [number, number]) ?? [];
    sections.push(
      lineChart(
        `End to end over the run at ${p.e2e.offeredRate}/s offered (by second sent)`,
        [
          { label: 'p50', color: '#93c5fd', points: points('p50Ms') },
          { label: 'p99', color: '#1e3a8a', points: points('p99Ms') },
        ],
        'second of the offered load',
        'ms',
      ),
    );
  }

  const cpuRows = Object.entries(r.cpuMsPerPayment).map(([phase, per]) => ({
    label: phase === 'baseline' ? 'baseline (per tx)' : phase,
    segments: Object.entries(per)
      .filter(([, v]) => v > 0)
      .map(([group, value]) => ({
        label: GROUP_LABELS[group] ?? group,
        value,
        color: COLORS[group] ?? '#999',
      })),
  }));
  sections.push(stackedChart('CPU milliseconds per payment, by process', cpuRows, 'ms'));
  if (p.replay)
    sections.push(
      barChart(
        'Replay: full projection rebuild',
        [{ label: `${p.replay.events} events`, value: p.replay.eventsPerSecond, color: '#7c3aed', marker: 20000 }],
        'events/s',
      ),
    );

  const targetRows = r.targets
    .map(
      (t) =>
        `<tr><td>${escapeHtml(t.name)}</td><td>${escapeHtml(t.target)}</td><td>${t.value ?? '–'}</td><td class="${t.met === null ? '' : t.met ? 'ok' : 'no'}">${t.met === null ? 'n/a' : t.met ? 'met' : 'not met'}</td><td>${escapeHtml(t.note)}</td></tr>`,
    )
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>payments bench ${escapeHtml(r.generatedAt)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:24px;color:#111;max-width:1100px}
h1{font-size:20px}figure{margin:18px 0}figcaption{font-weight:600;margin-bottom:4px}
table{border-collapse:collapse;font-size:13px}td,th{border-bottom:1px solid #e5e7eb;padding:4px 10px;text-align:left}
.ok{color:#15803d;font-weight:600}.no{color:#b91c1c;font-weight:600}pre{background:#f8fafc;padding:12px;font-size:12px;overflow-x:auto}
</style></head><body>
<h1>payments bench · ${escapeHtml(r.generatedAt)} · commit ${escapeHtml(r.settings.commit)}</h1>
<p>${r.machine.cpus} CPUs (${escapeHtml(r.machine.cpuModel)}), ${r.machine.memoryGb} GB, node ${escapeHtml(r.machine.node)}, kernel ${escapeHtml(r.machine.kernel)} ·
${escapeHtml(
  Object.entries(r.settings.durability)
    .map(([k, v]) => `${k}=${v}`)
    .join(', '),
)}</p>
<table><tr><th>target</th><th>wanted</th><th>measured</th><th></th><th></th></tr>${targetRows}</table>
${sections.join('\n')}
<details><summary>the terminal report</summary><pre>${escapeHtml(textReport)}</pre></details>
</body></html>
`;
}
