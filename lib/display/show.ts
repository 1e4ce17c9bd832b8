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
export const TEXT_MIME = 'text/plain';
/** When set (by `npm run figures`), every named chart is also written there as SVG and PNG. */
export const FIGURES_DIR_ENV = 'BNN_FIGURES_DIR';
/** Output metadata key that carries a chart's figure name. */
export const FIGURE_METADATA_KEY = 'bnn-geometry';
/**
 * Pixels per SVG unit of the PNG fallback, shown at the SVG's size: sharper than 1 on high-density
 * screens, while an executed notebook with a picture per chart stays under 0.8 MB.
 */
const FALLBACK_PNG_SCALE = 1.25;
/** Palette of the PNG fallback: a chart's colours and their antialiasing fit, at a third of a full-colour PNG's bytes. */
const FALLBACK_PNG_COLORS = 256;

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
 * The static image for viewers without Vega (GitHub, nbconvert): a palette PNG, shown at the SVG's
 * size. A PNG because JupyterLab's Vega renderer adds a PNG of its own to every chart output that has
 * none when the notebook is saved, so an SVG fallback would be saved beside a second picture. Without
 * the chart fonts (the PNG would have no text) the SVG goes instead.
 */
export function staticFallback(svg: string): Pick<DisplayBundle, 'data' | 'metadata'> {
  let fontFiles: string[];
  try {
    fontFiles = chartFontFiles();
  } catch {
    return { data: { [SVG_MIME]: svg }, metadata: {} };
  }
  const png = svgToPng(svg, { scale: FALLBACK_PNG_SCALE, fontFiles, colors: FALLBACK_PNG_COLORS });
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
