/** Rendering a Vega-Lite spec to SVG in Node (no browser): vega-lite compiles, vega draws headless. */
import * as vega from 'vega';
import { compile } from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';
import { measureTextWithChartFont } from './text-metrics';

export interface RenderOptions {
  /** Receives each compiler/runtime warning (default: console.warn). */
  onWarning?: (message: string) => void;
}

/** A vega logger that hands warnings and errors to `onWarning`. */
function warningLogger(onWarning: (message: string) => void): vega.LoggerInterface {
  return vega.logger(vega.Warn, undefined, (_method, level, input) => {
    onWarning(`${level}: ${Array.from(input, String).join(' ')}`);
  });
}

/** The SVG text of the chart, as vega 5's headless renderer draws it. */
export async function renderSvg(spec: TopLevelSpec, options: RenderOptions = {}): Promise<string> {
  measureTextWithChartFont();
  const logger = warningLogger(options.onWarning ?? ((message) => console.warn(message)));
  const runtime = vega.parse(compile(spec, { logger }).spec);
  const view = new vega.View(runtime, { renderer: 'none', logger, logLevel: vega.Warn });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** The width and height on the root element of an SVG that vega drew. */
export function svgSize(svg: string): { width: number; height: number } {
  const match = /^<svg [^>]*?\bwidth="([\d.]+)" height="([\d.]+)"/.exec(svg);
  if (match === null) {
    throw new Error(`svgSize: no width and height on the root element of "${svg.slice(0, 80)}…"; pass an SVG from renderSvg`);
  }
  return { width: Number(match[1]), height: Number(match[2]) };
}
