/** Showing a chart in the notebook: interactive Vega-Lite, a static SVG fallback, and its title as text. */
import type { TopLevelSpec } from 'vega-lite';
import { notebookWriter } from './jupyter';
import { renderSvg, type RenderOptions } from './render';

/** The MIME type JupyterLab renders with its built-in Vega-Lite 5 extension. */
export const VEGA_LITE_MIME = 'application/vnd.vegalite.v5+json';
export const SVG_MIME = 'image/svg+xml';
export const TEXT_MIME = 'text/plain';

/**
 * Shows the chart. In a notebook: one output with the spec (interactive in JupyterLab), its SVG
 * rendered here (for viewers without Vega, e.g. GitHub, nbconvert) and the title as text. Outside a
 * notebook: prints the title (renderSvg or saveFigure give the drawing). Resolves to nothing, so a
 * notebook cell ending in `await show(spec)` prints nothing else.
 */
export async function show(spec: TopLevelSpec, options: RenderOptions = {}): Promise<void> {
  const title = chartTitle(spec);
  const write = notebookWriter();
  if (write === undefined) {
    console.log(`[chart] ${title} (not in a notebook: renderSvg(spec) or saveFigure(spec, path) draw it)`);
    return;
  }
  const svg = await renderSvg(spec, options);
  write({ data: { [VEGA_LITE_MIME]: spec, [SVG_MIME]: svg, [TEXT_MIME]: title }, metadata: {}, transient: {} }, false);
}

/** The spec's title text (with its subtitle), "chart" when it has none. */
export function chartTitle(spec: TopLevelSpec): string {
  const title = spec.title;
  const isParams = typeof title === 'object' && !Array.isArray(title);
  const text = isParams ? title.text : title;
  const joined = typeof text === 'string' || Array.isArray(text) ? [text].flat().join(' ') : 'chart';
  return isParams && typeof title.subtitle === 'string' ? `${joined} — ${title.subtitle}` : joined;
}
