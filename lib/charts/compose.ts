/** Several charts in one figure (e.g. one 2-D histogram per layer in a grid of three columns). */
import type { TopLevelSpec } from 'vega-lite';
import { withTheme } from './theme';

export interface ConcatOptions {
  title: string;
  subtitle?: string;
  /** Charts per row (default 3). */
  columns?: number;
  /** Share colour scales across charts (default: each chart keeps its own). */
  shareColor?: boolean;
}

const DEFAULT_COLUMNS = 3;

/**
 * Places built charts in a grid under one title. Each keeps its own title, data and scales; the
 * figure's size is the sum of its parts (each already within the builders' size limit).
 */
export function concatCharts(charts: readonly TopLevelSpec[], options: ConcatOptions): TopLevelSpec {
  if (charts.length === 0) {
    throw new Error('concatCharts: no charts; pass at least one built chart');
  }
  const columns = options.columns ?? DEFAULT_COLUMNS;
  if (!Number.isInteger(columns) || columns < 1) {
    throw new Error(`concatCharts: columns must be a positive integer, got ${columns}`);
  }
  // The theme and schema are hoisted to the top level, where vega-lite requires them.
  const parts = charts.map((chart) => {
    const part = { ...chart };
    delete part.$schema;
    delete part.config;
    return part;
  });
  const resolve = { scale: { color: options.shareColor === true ? 'shared' : 'independent', x: 'independent', y: 'independent' } };
  return withTheme({ concat: parts, columns, resolve }, options.title, options.subtitle);
}
