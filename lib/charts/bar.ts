/** Bars of a value per group and category, e.g. the proportion of weights at −1, 0, +1 in each layer. */
import type { TopLevelSpec } from 'vega-lite';
import { assertFinite, checkedSize, compactNumber, uniqueInOrder } from './data';
import { DEFAULT_HEIGHT, DEFAULT_WIDTH, withTheme } from './theme';
import type { ChartSize, ChartText } from './types';

export interface Bar {
  /** Position on the x axis, e.g. "layer 1". */
  group: string;
  /** Colour, e.g. "−1", "0", "+1". */
  category: string;
  value: number;
  /** Half-width of an interval drawn as a line through the bar's end, value ± error (e.g. 1.96 standard errors). */
  error?: number;
}

export interface BarChartOptions extends ChartText, ChartSize {
  bars: readonly Bar[];
  /** Side by side (default) or stacked within each group. */
  layout?: 'grouped' | 'stacked';
  /** Show values as percentages (for proportions in [0, 1]; default false). */
  percent?: boolean;
  /** Colour legend title (default none); there is no legend for a single category. */
  categoryTitle?: string;
  /** Tooltip title of the bars' errors (default "±"). */
  errorTitle?: string;
}

const BUILDER = 'barChart';
/** Ticks on the value axis. */
const VALUE_TICKS = 5;

/** Grouped or stacked bars; groups and categories keep their order of first appearance. */
export function barChart(options: BarChartOptions): TopLevelSpec {
  if (options.bars.length === 0) {
    throw new Error(`${BUILDER}: no bars; pass at least one {group, category, value}`);
  }
  assertFinite(BUILDER, 'bar values', options.bars.map((b) => b.value));
  const errors = options.bars.flatMap((b) => (b.error === undefined ? [] : [b.error]));
  assertFinite(BUILDER, 'bar errors', errors);
  const groups = uniqueInOrder(options.bars.map((b) => b.group));
  const categories = uniqueInOrder(options.bars.map((b) => b.category));
  const format = options.percent === true ? '.1%' : '.4~g';
  const stacked = options.layout === 'stacked';
  const category = { field: 'category', type: 'nominal', sort: categories };
  const encoding = {
    x: { field: 'group', type: 'nominal', title: options.xLabel, sort: groups, axis: { labelAngle: 0 } },
    // The scale ends on a tick (the same count for both), so the tallest bar never touches the frame's top.
    y: {
      field: 'value', type: 'quantitative', title: options.yLabel, stack: stacked ? 'zero' : null,
      scale: { nice: VALUE_TICKS },
      axis: { tickCount: VALUE_TICKS, ...(options.percent === true ? { format: '.0%' } : {}) },
    },
    color: { ...category, title: options.categoryTitle ?? null, scale: { domain: categories }, ...(categories.length === 1 ? { legend: null } : {}) },
    // Stack order follows the category order of the legend; one category needs no offset (it would push the bars off-centre).
    ...(stacked ? { order: { field: 'rank', type: 'ordinal' } } : categories.length > 1 ? { xOffset: category } : {}),
    ...(options.tooltips ?? true
      ? {
          tooltip: [
            { field: 'group', type: 'nominal', title: options.xLabel },
            { field: 'category', type: 'nominal', title: options.categoryTitle ?? 'category' },
            { field: 'value', type: 'quantitative', title: options.yLabel, format },
            ...(errors.length > 0 ? [{ field: 'error', type: 'quantitative', title: options.errorTitle ?? '±', format }] : []),
          ],
        }
      : {}),
  };
  const interval = (b: Bar) => (b.error === undefined ? {} : { error: compactNumber(b.error), low: compactNumber(b.value - b.error), high: compactNumber(b.value + b.error) });
  const body = {
    data: {
      values: options.bars.map((b) => ({
        group: b.group, category: b.category, value: compactNumber(b.value), rank: categories.indexOf(b.category), ...interval(b),
      })),
    },
    width: options.width ?? DEFAULT_WIDTH,
    height: options.height ?? DEFAULT_HEIGHT,
    layer: [
      { mark: { type: 'bar' }, encoding },
      ...(errors.length > 0 ? [errorLayer(encoding)] : []),
    ],
  };
  return checkedSize(BUILDER, withTheme(body, options.title, options.subtitle));
}

/** value ± error as a black line over each bar that has an error. */
function errorLayer(encoding: { x: object; y: object; xOffset?: object }): object {
  return {
    transform: [{ filter: 'isValid(datum.error)' }],
    mark: { type: 'rule', color: 'black', strokeWidth: 1.5 },
    encoding: {
      x: encoding.x, ...(encoding.xOffset === undefined ? {} : { xOffset: encoding.xOffset }),
      y: { ...encoding.y, field: 'low' }, y2: { field: 'high' },
    },
  };
}
