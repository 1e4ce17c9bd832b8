/**
 * report.html: one self-contained page (vega, vega-lite and vega-embed inlined, so it works offline
 * from disk) with every figure interactive and the reproduced numbers beside the paper's claims
 * and the closed-form theory.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { escapeHtml } from '../display/tables';
import type { NotebookFigure } from './collect';

export interface ReportRow {
  quantity: string;
  measured: string;
  /** Standard error of the measurement. */
  se: string;
  theory: string;
  /** Within 3 standard errors of the closed form, or why not. */
  agrees: string;
  paper: string;
}

export interface ReportInput {
  title: string;
  subtitle: string;
  /** Run facts shown at the top: backend, profile, timings… */
  facts: [string, string][];
  figures: NotebookFigure[];
  rows: ReportRow[];
}

/** Browser builds to inline: [package, file beside its main entry] (vega-embed exports no subpaths). */
const SCRIPTS: [string, string][] = [['vega', 'vega.min.js'], ['vega-lite', 'vega-lite.min.js'], ['vega-embed', 'vega-embed.min.js']];

/** A script's text made safe to inline: no "</script" can end the element early. */
function inlineScript(code: string): string {
  return `<script>${code.replace(/<\/script/gi, '<\\/script')}</script>`;
}

function libraryScripts(): string {
  return SCRIPTS.map(([pkg, file]) => {
    const buildDir = path.dirname(require.resolve(pkg));
    return inlineScript(fs.readFileSync(path.join(buildDir, file), 'utf8'));
  }).join('\n');
}

const STYLE = `
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; color: #222; }
h1 { margin-bottom: 0.2rem; } .subtitle { color: #555; margin-top: 0; }
table { border-collapse: collapse; margin: 1rem 0; font-size: 0.9rem; }
th, td { border-bottom: 1px solid #ddd; padding: 0.3rem 0.6rem; text-align: left; vertical-align: top; }
th { background: #f4f4f4; } .num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 2rem 0; } figcaption { color: #555; font-size: 0.85rem; }
.notebook { font-size: 0.75rem; color: #888; }
`;

/** The whole page as a string. */
export function buildReportHtml(r: ReportInput): string {
  const facts = r.facts.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('');
  const rows = r.rows
    .map((row) => `<tr><td>${escapeHtml(row.quantity)}</td><td class="num">${escapeHtml(row.measured)}</td><td class="num">${escapeHtml(row.se)}</td>` +
      `<td class="num">${escapeHtml(row.theory)}</td><td>${escapeHtml(row.agrees)}</td><td>${escapeHtml(row.paper)}</td></tr>`)
    .join('\n');
  const figures = r.figures
    .map((f, i) => `<figure id="${escapeHtml(f.name)}"><div class="chart" id="chart-${i}"></div><figcaption>${escapeHtml(f.title)} <span class="notebook">(${escapeHtml(f.notebook)}: ${escapeHtml(f.name)})</span></figcaption></figure>`)
    .join('\n');
  const specs = JSON.stringify(r.figures.map((f) => f.spec)).replace(/</g, '\\u003c');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(r.title)}</title>
<style>${STYLE}</style>
${libraryScripts()}
</head>
<body>
<h1>${escapeHtml(r.title)}</h1>
<p class="subtitle">${escapeHtml(r.subtitle)}</p>
<table>${facts}</table>
<h2>Reproduced numbers</h2>
<table>
<tr><th>quantity</th><th class="num">measured</th><th class="num">± standard error</th><th class="num">closed-form theory</th><th>agrees (within 3 SE)</th><th>the paper</th></tr>
${rows}
</table>
<h2>Figures</h2>
${figures}
<script type="application/json" id="specs">${specs}</script>
<script>
const specs = JSON.parse(document.getElementById('specs').textContent);
window.chartsRendered = Promise.all(specs.map((spec, i) =>
  vegaEmbed('#chart-' + i, spec, { renderer: 'svg', actions: false })));
</script>
</body>
</html>
`;
}
