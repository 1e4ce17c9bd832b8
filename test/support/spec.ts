/** Reading chart specs back in tests: the curves, rules and rendering of lib/charts builders. */
import { strict as assert } from 'node:assert';
import * as vega from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import type { CsvData } from '../../lib/charts/data';
import { FIGURE_WIDTH } from '../../lib/charts/theme';
import { renderSvg, svgSize } from '../../lib/display';

export interface SpecItem { item: number; kind: string; series?: string; label?: string; panel?: string }
export interface SpecRow { item: number; x?: number; y?: number; at?: number; text?: string }

/** The item table (curves and rules) and the point rows of a lineChart-built spec. */
export function specData(spec: TopLevelSpec): { items: SpecItem[]; rows: SpecRow[] } {
  const s = spec as unknown as {
    data: CsvData;
    transform: { lookup: string; from: { data: { values: SpecItem[] } } }[];
  };
  return { items: s.transform[0].from.data.values, rows: csvRows(s.data) as unknown as SpecRow[] };
}

/** The rows of inline CSV data, read as vega reads them (empty numeric cells become null). */
function csvRows(data: CsvData): Record<string, unknown>[] {
  return vega.read(data.values, data.format) as Record<string, unknown>[];
}

/** Points (x, y) of every curve of the given kind whose series label matches. */
export function curve(spec: TopLevelSpec, kind: string, label: string | RegExp, panel?: string): { x: number; y: number }[] {
  const { items, rows } = specData(spec);
  const wanted = new Set(items
    .filter((i) => i.kind === kind && (typeof label === 'string' ? i.series === label : label.test(i.series ?? '')))
    .filter((i) => panel === undefined || i.panel === panel)
    .map((i) => i.item));
  assert.ok(wanted.size > 0, `no ${kind} curve "${label}"${panel ? ` in ${panel}` : ''}`);
  return rows.filter((r) => wanted.has(r.item)).map((r) => ({ x: r.x as number, y: r.y as number }));
}

/** Positions (and labels) of the vertical rules, per panel. */
export function verticalRules(spec: TopLevelSpec): { at: number; label: string; panel?: string }[] {
  const { items, rows } = specData(spec);
  return items.filter((i) => i.kind === 'vrule').map((i) => ({
    at: rows.find((r) => r.item === i.item)?.at as number, label: i.label ?? '', panel: i.panel,
  }));
}

/** Renders the spec headless; any vega-lite / vega warning fails the test. */
export async function render(spec: TopLevelSpec): Promise<string> {
  const svg = await renderSvg(spec, { onWarning: (m) => assert.fail(`render warning: ${m}`) });
  assert.match(svg, /^<svg /);
  return svg;
}

/** The widest a figure may be: JupyterLab's output column at 1024 px with the file browser open, less vega-embed's actions button. */
const NOTEBOOK_WIDTH_PX = FIGURE_WIDTH;

/** Renders every figure and fails naming each one wider than NOTEBOOK_WIDTH_PX; resolves to the widths. */
export async function assertFitNotebook(figures: Readonly<Record<string, TopLevelSpec>>): Promise<Record<string, number>> {
  const widths: Record<string, number> = {};
  for (const [name, spec] of Object.entries(figures)) widths[name] = svgSize(await render(spec)).width;
  const tooWide = Object.entries(widths).filter(([, width]) => width > NOTEBOOK_WIDTH_PX).map(([name, width]) => `${name}: ${width} px`);
  assert.deepEqual(tooWide, [], `figures wider than ${NOTEBOOK_WIDTH_PX} px`);
  return widths;
}
