// .data/bench/<run>.html: the run as one self-contained page, its charts drawn by uPlot (inlined from
// node_modules, so the page opens offline), the targets as a table and the terminal report below them.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { BenchResults } from './results.ts';

const require = createRequire(import.meta.url);
const asset = (file: string) => readFileSync(require.resolve(`uplot/dist/${file}`), 'utf8');

export const escapeHtml = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

/** JSON that cannot end the <script> element it is written into. */
export const scriptJson = (value: unknown) => JSON.stringify(value).replaceAll('<', '\\u003c');

export type Chart = {
  title: string;
  x: number[];
  xLabel: string;
  yLabel: string;
  log?: boolean;
  series: { label: string; values: (number | null)[] }[];
};

/** The charts a person looks at: the capacity search, CPU per payment as the rate rises, each pass over time. */
export function charts(r: BenchResults): Chart[] {
  const out: Chart[] = [];
  const steps = [...(r.phases.capacity?.steps ?? [])].sort((a, b) => a.rate - b.rate);
  if (steps.length) {
    const x = steps.map((s) => s.rate);
    out.push({
      title: `End-to-end capacity: ${r.e2eCapacityPerSec === null ? 'no step held' : `${r.e2eCapacityPerSec}/s`} (p99 ≤ 150 ms, drain ≤ 2 s)`,
      x,
      xLabel: 'offered payments/s',
      yLabel: 'ms (log)',
      log: true,
      series: [
        { label: 'e2e p50', values: steps.map((s) => s.p50Ms) },
        { label: 'e2e p99', values: steps.map((s) => s.p99Ms) },
        { label: '202 p99', values: steps.map((s) => s.ackP99Ms) },
        { label: 'limit 150 ms', values: steps.map(() => 150) },
      ],
    });
    const groups = [...new Set(steps.flatMap((s) => Object.keys(s.cpuMsPerPayment.perItem)))];
    out.push({
      title: 'CPU ms per payment by process, per capacity step',
      x,
      xLabel: 'offered payments/s',
      yLabel: 'CPU ms',
      series: groups.map((g) => ({ label: g, values: steps.map((s) => s.cpuMsPerPayment.perItem[g] ?? 0) })),
    });
  }
  for (const [name, pass] of [
    ['fixed-rate command pass', r.phases.command?.fixedRate],
    ['e2e pass', r.phases.e2e],
  ] as const) {
    if (!pass?.timeline.length) continue;
    out.push({
      title: `${name} at ${Math.round(pass.offeredRate)}/s, by second sent`,
      x: pass.timeline.map((t) => t.second + 1),
      xLabel: 'second of the offered load',
      yLabel: 'ms',
      series: [
        { label: 'e2e p50', values: pass.timeline.map((t) => t.p50Ms) },
        { label: 'e2e p99', values: pass.timeline.map((t) => t.p99Ms) },
        { label: '202 p99', values: pass.timeline.map((t) => t.ackP99Ms) },
      ],
    });
  }
  return out;
}

// runs in the page: one uPlot per chart, a color per series
const DRAW = `const colors = ['#2563eb', '#1e3a8a', '#d97706', '#dc2626', '#0d9488', '#7c3aed', '#db2777', '#65a30d', '#9ca3af', '#a16207'];
for (const c of CHARTS) {
  const el = document.createElement('figure');
  document.getElementById('charts').append(el);
  new uPlot({
    title: c.title, width: 900, height: 320,
    scales: { x: { time: false }, y: c.log ? { distr: 3 } : {} },
    axes: [{ label: c.xLabel }, { label: c.yLabel }],
    series: [{ label: c.xLabel }, ...c.series.map((s, i) => ({ label: s.label, stroke: colors[i % colors.length], width: 2, points: { show: true } }))],
  }, [c.x, ...c.series.map((s) => s.values)], el);
}`;

export function renderHtml(r: BenchResults, textReport: string): string {
  const rows = r.targets
    .map(
      (t) =>
        `<tr><td>${escapeHtml(t.name)}</td><td>${escapeHtml(t.target)}</td><td>${t.value ?? '–'}</td><td class="${t.met === null ? '' : t.met ? 'ok' : 'no'}">${t.met === null ? 'n/a' : t.met ? 'met' : 'not met'}</td><td>${escapeHtml(t.note)}</td></tr>`,
    )
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>payments bench ${escapeHtml(r.generatedAt)}</title>
<style>${asset('uPlot.min.css')}
body{font-family:system-ui,sans-serif;margin:24px;color:#111;max-width:1100px}h1{font-size:20px}figure{margin:18px 0}
table{border-collapse:collapse;font-size:13px}td,th{border-bottom:1px solid #e5e7eb;padding:4px 10px;text-align:left}
.ok{color:#15803d;font-weight:600}.no{color:#b91c1c;font-weight:600}pre{background:#f8fafc;padding:12px;font-size:12px;overflow-x:auto}</style>
<script>${asset('uPlot.iife.min.js')}</script></head><body>
<h1>payments bench · ${escapeHtml(r.generatedAt)} · commit ${escapeHtml(r.settings.commit)}</h1>
<table><tr><th>target</th><th>wanted</th><th>measured</th><th></th><th></th></tr>${rows}</table>
<div id="charts"></div>
<pre>${escapeHtml(textReport)}</pre>
<script>const CHARTS = ${scriptJson(charts(r))};
${DRAW}</script>
</body></html>
`;
}
