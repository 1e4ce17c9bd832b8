/** Input types shared by the chart builders. */

/** Numbers as a typed array (Float64Array, Float32Array) or a plain array. */
export type NumericArray = ArrayLike<number>;

/** Title and axis labels every chart takes. */
export interface ChartText {
  title: string;
  /** Second title line (smaller), e.g. a fitted statistic. */
  subtitle?: string;
  xLabel: string;
  yLabel: string;
}

/** Size of one plot panel in pixels, and whether marks carry tooltips. */
export interface ChartSize {
  /** Panel width (default 360). */
  width?: number;
  /** Panel height (default 240). */
  height?: number;
  /** Tooltips on points, rules, cells and bars (default true). */
  tooltips?: boolean;
  /** Colours of the measured series, in legend order (default the theme's palette). */
  colors?: readonly string[];
}

/** One curve or point set: y[i] at x[i], drawn in the panel `panel` when the chart is faceted. */
export interface Series {
  label: string;
  x: NumericArray;
  y: NumericArray;
  /** Facet panel name (e.g. "d = 27"); give it to every series or to none. */
  panel?: string;
  /** Text drawn above each point (e.g. the layer of each measurement), one per point. */
  labels?: readonly string[];
}

/** A horizontal or vertical reference line at `at`, e.g. the theory angle arccos √(2/π). */
export interface ReferenceRule {
  at: number;
  /** Text drawn beside the line. */
  label?: string;
  /** Only in this facet panel; in every panel when omitted. */
  panel?: string;
  /** Dashed (theory, the default) or solid (a marker such as a threshold). */
  dashed?: boolean;
}

/** Axis tick positions with optional labels (same length), e.g. multiples of π. */
export interface TickSpec {
  values: readonly number[];
  labels?: readonly string[];
}

export type ScaleType = 'linear' | 'log';
