/** Scalar functions side by side on square, equal-aspect panels: the forward/backward quantizer figure. */
import type { TopLevelSpec } from 'vega-lite';
import { buildLineChart } from './lineChart';
import type { Series } from './types';

export interface FunctionCurve {
  label: string;
  fn: (x: number) => number;
}

export interface FunctionPanel {
  /** Panel header, e.g. "forward: sign(x)". */
  title: string;
  curves: readonly FunctionCurve[];
  /** This panel's own x range (e.g. a zoom on a detail); its x axis is then its own, and y keeps the shared range. */
  domain?: readonly [number, number];
}

export interface FunctionPlotOptions {
  title: string;
  subtitle?: string;
  xLabel?: string;
  yLabel?: string;
  panels: readonly FunctionPanel[];
  /** x range; also the y range, so both axes have the same scale (default [−2.3, 2.3] as in the paper's figure). */
  domain?: readonly [number, number];
  /** Grid points per curve (default 461: step 0.01 on the default domain, so jumps look vertical). */
  samples?: number;
  /** Side of each square panel in pixels (default 200). */
  size?: number;
  tooltips?: boolean;
}

const BUILDER = 'functionPlot';
const DEFAULT_DOMAIN: readonly [number, number] = [-2.3, 2.3];
const DEFAULT_SAMPLES = 461;
const DEFAULT_PANEL_SIZE = 200;

/** Evaluates each curve on a uniform grid over `domain` and draws one square panel per entry of `panels`. */
export function functionPlot(options: FunctionPlotOptions): TopLevelSpec {
  const domain = options.domain ?? DEFAULT_DOMAIN;
  const samples = options.samples ?? DEFAULT_SAMPLES;
  if (!Number.isInteger(samples) || samples < 2) {
    throw new Error(`${BUILDER}: samples must be an integer ≥ 2, got ${samples}`);
  }
  if (options.panels.length === 0) {
    throw new Error(`${BUILDER}: no panels; pass at least one panel with one curve`);
  }
  for (const panel of options.panels) {
    if (panel.curves.length === 0) {
      throw new Error(`${BUILDER}: panel "${panel.title}" has no curves; give it at least one`);
    }
  }
  const gridOver = ([lo, hi]: readonly [number, number]) => Float64Array.from({ length: samples }, (_, i) => lo + ((hi - lo) * i) / (samples - 1));
  const series: Series[] = options.panels.flatMap((panel) => {
    const grid = gridOver(panel.domain ?? domain);
    return panel.curves.map((curve) => ({ label: curve.label, panel: panel.title, x: grid, y: grid.map((x) => curve.fn(x)) }));
  });
  const ownRanges = options.panels.some((panel) => panel.domain !== undefined);
  const size = options.size ?? DEFAULT_PANEL_SIZE;
  return buildLineChart(BUILDER, {
    title: options.title,
    subtitle: options.subtitle,
    xLabel: options.xLabel ?? 'x',
    yLabel: options.yLabel ?? 'f(x)',
    series,
    ...(ownRanges ? { independentX: true } : { xDomain: domain }),
    yDomain: domain,
    width: size,
    height: size,
    tooltips: options.tooltips,
  });
}
