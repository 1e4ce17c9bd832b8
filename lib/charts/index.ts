/**
 * Chart builders: typed arrays in, small Vega-Lite v5 specs out (data aggregated beforehand: densities
 * on a grid, histograms as bins). Show them with lib/display `show`, save with `saveFigure`.
 */
export type { TopLevelSpec } from 'vega-lite';
export { piTicks } from './axes';
export { barChart, type Bar, type BarChartOptions } from './bar';
export { concatCharts, type ConcatOptions } from './compose';
export { SPEC_SIZE_LIMIT_BYTES } from './data';
export { densityChart, type DensityChartOptions } from './density';
export { functionPlot, type FunctionCurve, type FunctionPanel, type FunctionPlotOptions } from './functionPlot';
export { heatmap2d, type Heatmap2dOptions, type FitLine, type Histogram2d } from './heatmap';
export { lineChart, type LineChartOptions } from './lineChart';
export { logLogChart, type LogLogChartOptions, type PowerLawGuide } from './logLog';
export type { ChartSize, ChartText, NumericArray, ReferenceRule, ScaleType, Series, TickSpec } from './types';
export { FIGURE_WIDTH, panelWidth } from './theme';
