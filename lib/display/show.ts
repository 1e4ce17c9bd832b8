/** Showing a chart in the notebook: interactive Vega-Lite, a static SVG or PNG fallback, and its title as text. */
import type { TopLevelSpec } from 'vega-lite';
import * as path from 'node:path';
import { chartFontFiles } from './fonts';
import { notebookWriter, type DisplayBundle } from './jupyter';
import { svgToPng } from './png';
import { renderSvg, svgSize, type RenderOptions } from './render';
import { saveFigure } from './save';

/** The MIME type JupyterLab renders with its built-in Vega-Lite 5 extension. */
export const VEGA_LITE_MIME = 'application/vnd.vegalite.v5+json';
export const SVG_MIME = 'image/svg+xml';
export const PNG_MIME = 'image/png';
/**
 * Largest SVG sent as the static fallback. Denser drawings (a heatmap draws a <rect> per bin,
 * 0.5–1.7 MB) go as a PNG, which stays near 100–200 kB however many marks there are.
 */
export const SVG_FALLBACK_LIMIT_BYTES = 100_000;
export const TEXT_MIME = 'text/plain';
/** When set (by `npm run figures`), every named chart is also written there as SVG and PNG. */
export const FIGURES_DIR_ENV = 'BNN_FIGURES_DIR';
/** Output metadata key that carries a chart's figure name. */
export const FIGURE_METADATA_KEY = 'bnn-geometry';
/** Pixels per SVG unit of a PNG fallback: sharp on high-density screens; shown at the SVG's size. */
const FALLBACK_PNG_SCALE = 2;

export interface ShowOptions extends RenderOptions {
  /** File-friendly figure name (e.g. 'hd-binarization-angles'): recorded in the output's metadata and used for saved files. */
  name?: string;
}

/**
 * Shows the chart (and, with a name and BNN_FIGURES_DIR set, saves it there). In a notebook: one output with the spec (interactive in JupyterLab), its SVG
 * rendered here (for viewers without Vega, e.g. GitHub, nbconvert) and the title as text. Outside a
 * notebook: prints the title (renderSvg or saveFigure give the drawing). Resolves to nothing, so a
 * notebook cell ending in `await show(spec)` prints nothing else.
 */
export async function show(spec: TopLevelSpec, options: ShowOptions = {}): Promise<void> {
  const title = chartTitle(spec);
  const figuresDir = process.env[FIGURES_DIR_ENV];
  if (options.name && figuresDir) await saveFigure(spec, path.join(figuresDir, options.name), options);
  const write = notebookWriter();
  if (write === undefined) {
    console.log(`[chart] ${title} (not in a notebook: renderSvg(spec) or saveFigure(spec, path) draw it)`);
    return;
  }
  const fallback = staticFallback(await renderSvg(spec, options));
  const metadata = { ...fallback.metadata, ...(options.name ? { [FIGURE_METADATA_KEY]: { figure: options.name } } : {}) };
  write({ data: { [VEGA_LITE_MIME]: spec, ...fallback.data, [TEXT_MIME]: title }, metadata, transient: {} }, false);
}

/**
 * The static image for viewers without Vega (GitHub, nbconvert): the SVG up to
 * SVG_FALLBACK_LIMIT_BYTES, else a PNG of it.
 */
export function staticFallback(svg: string): Pick<DisplayBundle, 'data' | 'metadata'> {
  return (Buffer.byteLength(svg) > SVG_FALLBACK_LIMIT_BYTES ? pngFallback(svg) : undefined) ?? { data: { [SVG_MIME]: svg }, metadata: {} };
}

/**
 * The SVG as a base64 PNG, with the SVG's size in the metadata so it is shown at that size;
 * undefined without the chart fonts (the PNG would have no text).
 */
function pngFallback(svg: string): Pick<DisplayBundle, 'data' | 'metadata'> | undefined {
  let fontFiles: string[];
  try {
    fontFiles = chartFontFiles();
  } catch {
    return undefined;
  }
  const png = svgToPng(svg, { scale: FALLBACK_PNG_SCALE, fontFiles });
  return { data: { [PNG_MIME]: png.toString('base64') }, metadata: { [PNG_MIME]: svgSize(svg) } };
}

/** The spec's title text (with its subtitle), "chart" when it has none. */
export function chartTitle(spec: TopLevelSpec): string {
  const title = spec.title;
  const isParams = typeof title === 'object' && !Array.isArray(title);
  const text = isParams ? title.text : title;
  const joined = typeof text === 'string' || Array.isArray(text) ? [text].flat().join(' ') : 'chart';
  const subtitle = isParams && title.subtitle !== undefined ? [title.subtitle].flat().join(' ') : '';
  return subtitle === '' ? joined : `${joined} — ${subtitle}`;
}
