/** Density curves (already evaluated on a grid) with theory rules and curves, optionally one panel per d. */
import type { TopLevelSpec } from 'vega-lite';
import { buildLineChart, type LineChartOptions } from './lineChart';

export type DensityChartOptions = Omit<LineChartOptions, 'marks' | 'yLabel' | 'dataLabel'> & {
  /** Default "density". */
  yLabel?: string;
  /** Legend entry of the solid curves (default "Monte Carlo"). */
  dataLabel?: string;
};

/**
 * Densities p(x) given as grid x and values y per series (e.g. a KDE of sampled angles per layer or
 * per d), coloured by series; theory densities dashed black; rules such as arccos √(2/π) labelled.
 * The y axis starts at 0.
 */
export function densityChart(options: DensityChartOptions): TopLevelSpec {
  return buildLineChart('densityChart', {
    ...options,
    yLabel: options.yLabel ?? 'density',
    yZero: options.yZero ?? options.yScale !== 'log',
    marks: 'line',
  });
}
