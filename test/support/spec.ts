/** Reading chart specs back in tests: the curves, rules and rendering of lib/charts builders. */
import { strict as assert } from 'node:assert';
import type { TopLevelSpec } from 'vega-lite';
import { renderSvg } from '../../lib/display';

export interface SpecItem { item: number; kind: string; series?: string; label?: string; panel?: string }
export interface SpecRow { item: number; x?: number; y?: number; at?: number }

/** The item table (curves and rules) and the point rows of a lineChart-built spec. */
export function specData(spec: TopLevelSpec): { items: SpecItem[]; rows: SpecRow[] } {
  const s = spec as unknown as {
    data: { values: SpecRow[] };
    transform: { lookup: string; from: { data: { values: SpecItem[] } } }[];
  };
  return { items: s.transform[0].from.data.values, rows: s.data.values };
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
