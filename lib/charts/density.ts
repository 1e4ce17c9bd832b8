/** Density curves (already evaluated on a grid) with theory rules and curves, optionally one panel per d. */
import type { TopLevelSpec } from 'vega-lite';
import { buildLineChart, type LineChartOptions } from './lineChart';

export type DensityChartOptions = Omit<LineChartOptions, 'marks' | 'yLabel' | 'dataLabel'> & {
  /** Default "density". */
  yLabel?: string;
  /** Legend entry of the solid curves (default "Monte Carlo"). */
  dataLabel?: string;
};

/** Room above the highest curve, as a fraction of its height, where the rules' labels sit clear of the curves. */
const LABEL_HEADROOM = 0.25;

/** The smallest 1, 2, 2.5 or 5 × 10ᵏ at or above x > 0: where a linear axis ends on a round tick. */
function roundUp(x: number): number {
  const power = 10 ** Math.floor(Math.log10(x));
  return [1, 2, 2.5, 5, 10].map((m) => m * power).find((v) => v >= x * (1 - 1e-12)) ?? 10 * power;
}

/**
 * Densities p(x) given as grid x and values y per series (e.g. a KDE of sampled angles per layer or
 * per d), coloured by series; theory densities dashed black; rules such as arccos √(2/π) labelled.
 * The y axis starts at 0; with labelled rules it ends LABEL_HEADROOM above the highest curve.
 */
export function densityChart(options: DensityChartOptions): TopLevelSpec {
  const linear = options.yScale !== 'log';
  const labelled = (options.verticalRules ?? []).some((r) => (r.label ?? '') !== '');
  const highest = Math.max(0, ...[...options.series, ...(options.theory ?? [])].flatMap((s) => Array.from(s.y).filter(Number.isFinite)));
  const yDomain = options.yDomain ?? (linear && labelled && highest > 0 ? ([0, roundUp((1 + LABEL_HEADROOM) * highest)] as const) : undefined);
  return buildLineChart('densityChart', {
    ...options,
    ...(yDomain === undefined ? {} : { yDomain }),
    yLabel: options.yLabel ?? 'density',
    yZero: options.yZero ?? linear,
    marks: 'line',
  });
}
