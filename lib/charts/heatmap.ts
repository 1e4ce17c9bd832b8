/**
 * 2-D histogram of (x, y) pairs on a log colour scale, with the regression line and the regions where
 * x and y disagree in sign shaded: the paper's A·W^b vs A·W^c correlation figures.
 */
import type { TopLevelSpec } from 'vega-lite';
import { positionChannel } from './axes';
import { assertFinite, checkedSize, compactNumber, csvData } from './data';
import { HEATMAP_SCHEME, QUADRANT_FILL, QUADRANT_OPACITY, THEORY_COLOR, THEORY_DASH, withTheme } from './theme';
import type { ChartSize, ChartText, NumericArray } from './types';

/** Bin edges and counts; counts[i·ny + j] is the count in x-bin i (edges i, i+1) and y-bin j. */
export interface Histogram2d {
  xEdges: NumericArray;
  yEdges: NumericArray;
  counts: NumericArray;
}

/** The line y = slope·x + intercept, with Pearson r if known (lib/stats `LinearFit` fits this shape). */
export interface FitLine {
  slope: number;
  intercept: number;
  r?: number;
}

export interface Heatmap2dOptions extends ChartText, ChartSize {
  histogram: Histogram2d;
  /** Regression line, drawn dashed black; its slope (and r, if given) go in the subtitle. */
  fit?: FitLine;
  /** Pearson correlation r for the subtitle (default fit.r). */
  correlation?: number;
  /** Shade the quadrants where x·y < 0 (default true). */
  signQuadrants?: boolean;
  /** Dashed lines at x = 0 and y = 0 (the ternary figure's variant; default false). */
  zeroLines?: boolean;
  /** Colour legend title (default "count"); null hides the legend. */
  countTitle?: string | null;
}

const BUILDER = 'heatmap2d';
const DEFAULT_SIDE = 260;
/** Fewest pixels between x ticks: room for a label such as "−1,000". */
const X_TICK_SPACING = 50;

/** 2-D histogram heatmap (log colour; empty bins left blank) with optional fit line and sign quadrants. */
export function heatmap2d(options: Heatmap2dOptions): TopLevelSpec {
  const { xEdges, yEdges, counts } = options.histogram;
  assertEdges('xEdges', xEdges);
  assertEdges('yEdges', yEdges);
  const nx = xEdges.length - 1;
  const ny = yEdges.length - 1;
  if (counts.length !== nx * ny) {
    throw new Error(`${BUILDER}: counts has ${counts.length} entries but the edges define ${nx}×${ny} = ${nx * ny} bins`);
  }
  assertFinite(BUILDER, 'counts', counts);
  const xDomain: [number, number] = [xEdges[0], xEdges[nx]];
  const yDomain: [number, number] = [yEdges[0], yEdges[ny]];
  const width = options.width ?? DEFAULT_SIDE;
  const x = positionChannel('x', { title: options.xLabel, domain: xDomain });
  // A tick per X_TICK_SPACING pixels at most, and none whose label would touch its neighbour's (−200 beside −100).
  x.axis = { ...(x.axis as object), tickCount: Math.max(2, Math.floor(width / X_TICK_SPACING)), labelOverlap: 'greedy', labelSeparation: 4 };
  const y = positionChannel('y', { title: options.yLabel, domain: yDomain });
  const tooltips = options.tooltips ?? true;

  const layer = [
    ...(options.signQuadrants ?? true ? signQuadrantLayer(xDomain, yDomain, x, y) : []),
    cellLayer(options, x, y, tooltips),
    ...(options.fit === undefined ? [] : [fitLayer(options.fit, xDomain, x, y)]),
    ...(options.zeroLines === true ? zeroLineLayers(x, y) : []),
  ];
  const body = { width, height: options.height ?? DEFAULT_SIDE, layer };
  return checkedSize(BUILDER, withTheme(body, options.title, statsSubtitle(options)));
}

function assertEdges(name: string, edges: NumericArray): void {
  if (edges.length < 2) {
    throw new Error(`${BUILDER}: ${name} has ${edges.length} entries; a histogram needs at least 2 edges`);
  }
  assertFinite(BUILDER, name, edges);
  for (let i = 1; i < edges.length; i++) {
    if (!(edges[i] > edges[i - 1])) {
      throw new Error(`${BUILDER}: ${name} must increase strictly, but ${name}[${i}] = ${edges[i]} ≤ ${edges[i - 1]}`);
    }
  }
}

/** The caller's subtitle, then "r = 0.93, slope = 1.02" from whichever statistics were given, on its own line. */
function statsSubtitle(options: Heatmap2dOptions): string[] {
  const r = options.correlation ?? options.fit?.r;
  const stats = [
    r === undefined ? undefined : `r = ${r.toFixed(2)}`,
    options.fit === undefined ? undefined : `slope = ${options.fit.slope.toFixed(2)}`,
  ].filter((p): p is string => p !== undefined).join(', ');
  return [options.subtitle ?? '', stats];
}

/** Grey rectangles over {x > 0, y < 0} and {x < 0, y > 0}, clipped to the plotted domain. */
function signQuadrantLayer(xDomain: [number, number], yDomain: [number, number], x: object, y: object): object[] {
  const [x0, x1] = xDomain;
  const [y0, y1] = yDomain;
  const boxes = [
    { x: Math.max(x0, 0), x2: x1, y: y0, y2: Math.min(y1, 0) },
    { x: x0, x2: Math.min(x1, 0), y: Math.max(y0, 0), y2: y1 },
  ].filter((b) => b.x < b.x2 && b.y < b.y2);
  if (boxes.length === 0) {
    return [];
  }
  return [{
    data: { values: boxes },
    mark: { type: 'rect', fill: QUADRANT_FILL, opacity: QUADRANT_OPACITY },
    encoding: { x, x2: { field: 'x2' }, y, y2: { field: 'y2' } },
  }];
}

/** Non-empty bins as {i, j, n} rows; their edges are looked up from two small edge tables. */
function cellLayer(options: Heatmap2dOptions, x: object, y: object, tooltips: boolean): object {
  const { xEdges, yEdges, counts } = options.histogram;
  const ny = yEdges.length - 1;
  const cells: { i: number; j: number; n: number }[] = [];
  for (let k = 0; k < counts.length; k++) {
    if (counts[k] > 0) {
      cells.push({ i: Math.floor(k / ny), j: k % ny, n: compactNumber(counts[k]) });
    }
  }
  const edgeTable = (edges: NumericArray, index: string, lo: string, hi: string) =>
    csvData(Array.from({ length: edges.length - 1 }, (_, k) => ({ [index]: k, [lo]: compactNumber(edges[k]), [hi]: compactNumber(edges[k + 1]) })));
  const countTitle = options.countTitle === undefined ? 'count' : options.countTitle;
  // Tooltip titles must differ: vega keys the tooltip by title, so a repeated one hides a field.
  const edge = (field: string, title: string) => ({ field, type: 'quantitative', title, format: '.3~g' });
  const tooltip = [
    edge('x', `${options.xLabel} from`), edge('x2', `${options.xLabel} to`),
    edge('y', `${options.yLabel} from`), edge('y2', `${options.yLabel} to`),
    { field: 'n', type: 'quantitative', title: countTitle ?? 'count', format: '.4~g' },
  ];
  return {
    data: csvData(cells),
    transform: [
      { lookup: 'i', from: { data: edgeTable(xEdges, 'i', 'x', 'x2'), key: 'i', fields: ['x', 'x2'] } },
      { lookup: 'j', from: { data: edgeTable(yEdges, 'j', 'y', 'y2'), key: 'j', fields: ['y', 'y2'] } },
    ],
    mark: { type: 'rect' },
    encoding: {
      x, x2: { field: 'x2' }, y, y2: { field: 'y2' },
      color: {
        field: 'n', type: 'quantitative', title: countTitle,
        scale: { type: 'log', scheme: HEATMAP_SCHEME },
        // Below the panel, so panels side by side fit a notebook's width.
        legend: countTitle === null ? null : { orient: 'bottom', direction: 'horizontal', gradientLength: 120 },
      },
      ...(tooltips ? { tooltip } : {}),
    },
  };
}

function fitLayer(fit: FitLine, xDomain: [number, number], x: object, y: object): object {
  assertFinite(BUILDER, 'fit (slope, intercept)', [fit.slope, fit.intercept]);
  return {
    data: { values: xDomain.map((xv) => ({ x: xv, y: fit.slope * xv + fit.intercept })) },
    mark: { type: 'line', clip: true, color: THEORY_COLOR, strokeWidth: 1.5, strokeDash: THEORY_DASH },
    encoding: { x, y },
  };
}

function zeroLineLayers(x: object, y: object): object[] {
  const rule = { type: 'rule', color: THEORY_COLOR, strokeDash: THEORY_DASH, clip: true };
  return [
    { data: { values: [{ x: 0 }] }, mark: rule, encoding: { x } },
    { data: { values: [{ y: 0 }] }, mark: rule, encoding: { y } },
  ];
}
