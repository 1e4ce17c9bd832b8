/**
 * The layered x–y chart behind lineChart, densityChart, logLogChart and functionPlot: measured series
 * in colour, theory curves dashed black, reference guides dotted grey, labelled reference rules, and
 * facet panels when the series name one.
 */
import type { TopLevelSpec } from 'vega-lite';
import { positionChannel } from './axes';
import { assertFinite, assertSeries, checkedSize, compactNumber, csvData, uniqueInOrder } from './data';
import {
  DEFAULT_HEIGHT, DEFAULT_WIDTH, panelWidth, REFERENCE_COLOR, REFERENCE_DASH, SOLID, THEORY_COLOR, THEORY_DASH, withTheme,
} from './theme';
import type { ChartSize, ChartText, ReferenceRule, ScaleType, Series, TickSpec } from './types';

export interface LineChartOptions extends ChartText, ChartSize {
  /** Measured or Monte-Carlo series: solid, one colour each. */
  series: readonly Series[];
  /** Theory curves: dashed black. */
  theory?: readonly Series[];
  /** Guide lines such as "slope −1/2": dotted grey, each labelled in the legend. */
  references?: readonly Series[];
  verticalRules?: readonly ReferenceRule[];
  horizontalRules?: readonly ReferenceRule[];
  xScale?: ScaleType;
  yScale?: ScaleType;
  xDomain?: readonly [number, number];
  yDomain?: readonly [number, number];
  xTicks?: TickSpec;
  yTicks?: TickSpec;
  /** Include 0 in a fitted linear y domain (default false). */
  yZero?: boolean;
  hideYAxis?: boolean;
  /** How measured series are drawn (default 'line'). */
  marks?: 'line' | 'points' | 'line+points';
  /** Title of the colour legend, e.g. "layer" or "d" (default none). */
  legendTitle?: string;
  /** Legend entries for the solid and dashed line styles (default "Monte Carlo", "theory"). */
  dataLabel?: string;
  theoryLabel?: string;
  /** Panels per row when faceting (default: all in one row, up to MAX_FACET_COLUMNS). */
  facetColumns?: number;
  /** Each facet panel fits its own x range and draws its own x axis (default: one shared x scale). */
  independentX?: boolean;
}

/** Legends go below the plot, so a figure is no wider than its panels. */
const LEGEND_BELOW = { orient: 'bottom', direction: 'horizontal' };
/** Most facet panels in a row by default: more would be too narrow within FIGURE_WIDTH. */
const MAX_FACET_COLUMNS = 3;

type Kind = 'data' | 'theory' | 'reference' | 'vrule' | 'hrule';

/** What one curve or rule is; its points refer to it by `item` (so point rows stay short). */
interface Item {
  item: number; kind: Kind; series?: string; line?: string; label?: string; dashed?: boolean; panel?: string;
  /** Rule labels: pixels from the plot's edge, and 'right' for a label drawn left of its rule (near the axis end). */
  labelOffset?: number; labelAlign?: 'left' | 'right';
}
type PointRow = { item: number; x: number; y: number; text?: string };
type RuleRow = { item: number; at: number };

/** Curves and rules as an item table plus point rows. */
interface ChartData {
  items: Item[];
  rows: (PointRow | RuleRow)[];
}

/** Appends an item and returns its index. */
function addItem(data: ChartData, fields: Omit<Item, 'item'>): number {
  data.items.push({ item: data.items.length, ...fields });
  return data.items.length - 1;
}

const BUILDER = 'lineChart';

/** Legend symbol area for line styles: long enough to show a dash pattern. */
const LEGEND_STROKE_SYMBOL_SIZE = 600;

/** Layered line/point chart of `series` with optional theory curves, guides, rules, log axes and facets. */
export function lineChart(options: LineChartOptions): TopLevelSpec {
  return buildLineChart(BUILDER, options);
}

/** lineChart under another builder's name (for its error messages). */
export function buildLineChart(builder: string, options: LineChartOptions): TopLevelSpec {
  const theory = options.theory ?? [];
  const references = options.references ?? [];
  if (options.series.length === 0 && theory.length === 0) {
    throw new Error(`${builder}: no series to draw; pass at least one series or theory curve`);
  }
  [...options.series, ...theory, ...references].forEach((s) => assertSeries(builder, s));
  const panels = facetPanels(builder, options.series);
  const xLog = options.xScale === 'log';
  const yLog = options.yScale === 'log';
  const dataLabel = options.dataLabel ?? 'Monte Carlo';
  const theoryLabel = options.theoryLabel ?? 'theory';

  const data: ChartData = { items: [], rows: [] };
  addCurves(data, 'data', options.series, () => dataLabel, panels, xLog, yLog);
  addCurves(data, 'theory', theory, () => theoryLabel, panels, xLog, yLog);
  addCurves(data, 'reference', references, (s) => s.label, panels, xLog, yLog);
  const columns = panels === undefined ? 1 : (options.facetColumns ?? Math.min(panels.length, MAX_FACET_COLUMNS));
  const size = { width: options.width ?? (panels === undefined ? DEFAULT_WIDTH : panelWidth(columns)), height: options.height ?? DEFAULT_HEIGHT };
  const axis = options.xDomain === undefined || xLog ? undefined : { domain: options.xDomain, width: size.width };
  addRules(builder, data, 'vrule', options.verticalRules ?? [], panels, xLog, axis);
  addRules(builder, data, 'hrule', options.horizontalRules ?? [], panels, yLog);

  const x = positionChannel('x', {
    title: options.xLabel, scale: options.xScale, domain: options.xDomain, ticks: options.xTicks,
  });
  const y = positionChannel('y', {
    title: options.yLabel, scale: options.yScale, domain: options.yDomain, ticks: options.yTicks,
    zero: options.yZero, hidden: options.hideYAxis,
  });
  // One strokeDash scale shared by all curve layers gives one legend of line styles.
  const styles = lineStyles(options, dataLabel, theoryLabel, references);
  const legend = LEGEND_BELOW;
  // The legend lists the dashed and dotted styles only: the colour legend already names the solid series.
  const strokeDash = styles.some((s) => s.dash !== SOLID)
    ? {
        field: 'line', type: 'nominal', title: null,
        scale: { domain: styles.map((s) => s.label), range: styles.map((s) => s.dash) },
        legend: {
          symbolType: 'stroke', symbolSize: LEGEND_STROKE_SYMBOL_SIZE, symbolStrokeColor: THEORY_COLOR, ...legend,
          values: styles.filter((s) => s.dash !== SOLID).map((s) => s.label),
        },
      }
    : undefined;
  const tooltips = options.tooltips ?? true;
  const marks = options.marks ?? 'line';
  const has = (kind: Kind): boolean => data.items.some((i) => i.kind === kind);
  const layer = [
    ...(has('data') ? [dataLayer(options, x, y, marks, strokeDash, legend, tooltips)] : []),
    ...(has('theory') ? [styledCurveLayer('theory', THEORY_COLOR, x, y, strokeDash, tooltips)] : []),
    ...(has('reference') ? [styledCurveLayer('reference', REFERENCE_COLOR, x, y, strokeDash, tooltips)] : []),
    ...ruleLayers('vrule', options.verticalRules ?? [], options.xLabel, x, tooltips, labelAligns(data, 'vrule')),
    ...ruleLayers('hrule', options.horizontalRules ?? [], options.yLabel, y, tooltips, labelAligns(data, 'hrule')),
    // Last, so that no curve is drawn over the labels.
    ...(options.series.some((s) => s.labels !== undefined) ? pointLabelLayers(x, y) : []),
  ];
  const inline = {
    data: csvData(data.rows),
    transform: [{
      lookup: 'item',
      from: { data: { values: data.items }, key: 'item', fields: ['kind', 'series', 'line', 'label', 'dashed', 'panel', 'labelOffset', 'labelAlign'] },
    }],
  };
  const body = panels === undefined
    ? { ...inline, ...size, layer }
    : {
        ...inline,
        facet: { field: 'panel', type: 'nominal', title: null, sort: panels },
        columns,
        ...(options.independentX === true ? { resolve: { scale: { x: 'independent' } } } : {}),
        spec: { ...size, layer },
      };
  return checkedSize(builder, withTheme(body, options.title, options.subtitle));
}

/** Panel names in order, or undefined when the chart is not faceted. */
function facetPanels(builder: string, series: readonly Series[]): string[] | undefined {
  const withPanel = series.filter((s) => s.panel !== undefined).length;
  if (withPanel === 0) {
    return undefined;
  }
  if (withPanel !== series.length) {
    throw new Error(`${builder}: ${withPanel} of ${series.length} series name a panel; give a panel to every series or to none`);
  }
  return uniqueInOrder(series.map((s) => s.panel as string));
}

/** The panels an item appears in: its own, or all of them when it names none. */
function panelsOf(panel: string | undefined, panels: string[] | undefined): (string | undefined)[] {
  return panel !== undefined || panels === undefined ? [panel] : panels;
}

/** One item per curve per panel, one row per point; non-positive values are dropped on log axes (log 0 is undefined). */
function addCurves(
  data: ChartData, kind: Kind, series: readonly Series[], line: (s: Series) => string, panels: string[] | undefined,
  xLog: boolean, yLog: boolean,
): void {
  for (const s of series) {
    for (const panel of panelsOf(s.panel, panels)) {
      const item = addItem(data, { kind, series: s.label, line: line(s), panel });
      for (let i = 0; i < s.x.length; i++) {
        if ((xLog && s.x[i] <= 0) || (yLog && s.y[i] <= 0)) {
          continue;
        }
        data.rows.push({ item, x: compactNumber(s.x[i]), y: compactNumber(s.y[i]), ...(s.labels ? { text: s.labels[i] } : {}) });
      }
    }
  }
}

/** Width of a rule label at 11 px: DejaVu Sans averages about 0.6 em a character, plus the gap to its rule. */
const ruleLabelWidth = (label: string): number => 6.6 * label.length + 4;

function addRules(
  builder: string, data: ChartData, kind: Kind, rules: readonly ReferenceRule[], panels: string[] | undefined, log: boolean,
  axis?: { domain: readonly [number, number]; width: number },
): void {
  assertFinite(builder, `${kind === 'vrule' ? 'vertical' : 'horizontal'} rule positions`, rules.map((r) => r.at));
  for (const rule of rules) {
    if (log && rule.at <= 0) {
      throw new Error(`${builder}: rule at ${rule.at} cannot be drawn on a log axis; use a positive position`);
    }
    for (const panel of panelsOf(rule.panel, panels)) {
      // A label that would run past the plot's right edge goes to the rule's left (on a known linear axis).
      const room = axis === undefined ? Infinity : ((axis.domain[1] - rule.at) / (axis.domain[1] - axis.domain[0])) * axis.width;
      const nearEnd = room < ruleLabelWidth(rule.label ?? '');
      const item = addItem(data, { kind, label: rule.label ?? '', dashed: rule.dashed ?? true, panel, labelAlign: nearEnd ? 'right' : 'left' });
      data.rows.push({ item, at: compactNumber(rule.at) });
    }
  }
  staggerRuleLabels(data, kind);
}

/** Pixels between stacked rule labels (one line of 11 px text). */
const RULE_LABEL_LINE = 14;
/** Distance of the first rule label from the plot's edge. */
const RULE_LABEL_INSET = 4;

/**
 * Labelled vertical rules in one panel, in order of position, get their labels one line further
 * down from the plot's top each, so labels of neighbouring rules never print on top of each other;
 * a horizontal rule's label sits above its own line.
 */
function staggerRuleLabels(data: ChartData, kind: Kind): void {
  const labelled = data.items.filter((i) => i.kind === kind && i.label !== '');
  if (kind === 'hrule') {
    for (const item of labelled) item.labelOffset = RULE_LABEL_INSET;
    return;
  }
  const position = (i: Item): number => (data.rows.find((r) => r.item === i.item) as RuleRow).at;
  for (const panel of uniqueInOrder(labelled.map((i) => String(i.panel)))) {
    labelled
      .filter((i) => String(i.panel) === panel)
      .sort((a, b) => position(a) - position(b))
      .forEach((item, row) => (item.labelOffset = RULE_LABEL_INSET + row * RULE_LABEL_LINE));
  }
}

function lineStyles(
  options: LineChartOptions, dataLabel: string, theoryLabel: string, references: readonly Series[],
): { label: string; dash: number[] }[] {
  const styles: { label: string; dash: number[] }[] = [];
  if (options.series.length > 0 && options.marks !== 'points') {
    styles.push({ label: dataLabel, dash: SOLID });
  }
  if ((options.theory ?? []).length > 0) {
    styles.push({ label: theoryLabel, dash: THEORY_DASH });
  }
  for (const label of uniqueInOrder(references.map((r) => r.label))) {
    styles.push({ label, dash: REFERENCE_DASH });
  }
  return styles;
}

function kindFilter(...kinds: Kind[]): { filter: string } {
  return { filter: kinds.map((k) => `datum.kind === '${k}'`).join(' || ') };
}

function numberTooltip(field: string, title: string): Record<string, unknown> {
  return { field, type: 'quantitative', title, format: '.4~g' };
}

function dataLayer(
  options: LineChartOptions, x: object, y: object, marks: LineChartOptions['marks'],
  strokeDash: object | undefined, legend: object, tooltips: boolean,
): Record<string, unknown> {
  const seriesLabels = uniqueInOrder(options.series.map((s) => s.label));
  // Line swatches as long as the line-style legend's, so legends side by side have rows of one height.
  const swatch = marks === 'line' ? { symbolType: 'stroke', symbolSize: LEGEND_STROKE_SYMBOL_SIZE } : {};
  const color = { field: 'series', type: 'nominal', title: options.legendTitle ?? null, scale: { domain: seriesLabels, ...(options.colors ? { range: [...options.colors] } : {}) }, legend: { ...swatch, ...legend } };
  const pointsDrawn = marks !== 'line';
  // A line alone would show its first point's tooltip wherever it is hovered: transparent points carry each point's own.
  const mark = marks === 'points'
    ? { type: 'point', filled: true, size: 45, clip: true }
    : { type: 'line', clip: true, point: pointsDrawn ? { filled: true, size: 45 } : tooltips ? 'transparent' : false };
  const seriesTip = { field: 'series', type: 'nominal', title: options.legendTitle ?? 'series' };
  const panelTip = options.series.some((s) => s.panel !== undefined) ? [{ field: 'panel', type: 'nominal', title: 'panel' }] : [];
  const tooltip = [seriesTip, ...panelTip, numberTooltip('x', options.xLabel), numberTooltip('y', options.yLabel)];
  return {
    transform: [kindFilter('data')],
    mark,
    encoding: {
      x, y, color,
      ...(strokeDash !== undefined && marks !== 'points' ? { strokeDash } : {}),
      ...(tooltips ? { tooltip } : {}),
    },
  };
}

function styledCurveLayer(kind: Kind, color: string, x: object, y: object, strokeDash: object | undefined, tooltips: boolean): Record<string, unknown> {
  return {
    transform: [kindFilter(kind)],
    mark: { type: 'line', clip: true, color, strokeWidth: 1.5, ...(strokeDash === undefined ? { strokeDash: kind === 'theory' ? THEORY_DASH : REFERENCE_DASH } : {}) },
    encoding: {
      x, y, detail: { field: 'series', type: 'nominal' },
      ...(strokeDash !== undefined ? { strokeDash } : {}),
      ...(tooltips ? { tooltip: [{ field: 'series', type: 'nominal', title: kind }] } : {}),
    },
  };
}

/** Each labelled point's text just above it, over a white halo that keeps it legible where a curve crosses. */
function pointLabelLayers(x: object, y: object): Record<string, unknown>[] {
  const label = (style: object): Record<string, unknown> => ({
    transform: [{ filter: "datum.kind === 'data' && datum.text" }],
    mark: { type: 'text', align: 'center', baseline: 'bottom', dy: -7, fontSize: 11, ...style },
    encoding: { x, y, text: { field: 'text', type: 'nominal' } },
  });
  return [label(LABEL_HALO), label({})];
}

/** Rules along one axis (a layer per dash style in use), and their labels. */
function ruleLayers(
  kind: 'vrule' | 'hrule', rules: readonly ReferenceRule[], axisTitle: string, position: Record<string, unknown>,
  tooltips: boolean, aligns: readonly ('left' | 'right')[],
): Record<string, unknown>[] {
  const channel = kind === 'vrule' ? 'x' : 'y';
  const at = { ...position, field: 'at' };
  const tooltip = tooltips ? { tooltip: [{ field: 'label', type: 'nominal', title: 'rule' }, numberTooltip('at', axisTitle)] } : {};
  const dashStyles = uniqueInOrder(rules.map((r) => String(r.dashed ?? true)));
  const lines = dashStyles.map((dashed) => ({
    transform: [{ filter: `datum.kind === '${kind}' && datum.dashed === ${dashed}` }],
    mark: { type: 'rule', clip: true, color: THEORY_COLOR, strokeWidth: 1.5, strokeDash: dashed === 'true' ? THEORY_DASH : SOLID },
    encoding: { [channel]: at, ...tooltip },
  }));
  if (!rules.some((r) => (r.label ?? '') !== '')) {
    return lines;
  }
  // Each label sits labelOffset pixels from the plot's top (vertical rules) or left edge (horizontal
  // rules), over a white halo that keeps it legible where it crosses a curve or another rule.
  const offset = { field: 'labelOffset', type: 'quantitative', scale: null };
  const label = (align: 'left' | 'right', style: object): Record<string, unknown> => ({
    transform: [{ filter: `datum.kind === '${kind}' && datum.label !== '' && datum.labelAlign === '${align}'` }],
    mark: kind === 'vrule'
      ? { type: 'text', align, baseline: 'top', dx: align === 'left' ? 4 : -4, fontSize: 11, ...style }
      : { type: 'text', align: 'left', baseline: 'bottom', dy: -3, fontSize: 11, ...style },
    encoding: kind === 'vrule'
      ? { x: at, y: offset, text: { field: 'label', type: 'nominal' } }
      : { y: at, x: offset, text: { field: 'label', type: 'nominal' } },
  });
  return [...lines, ...aligns.flatMap((align) => [label(align, LABEL_HALO), label(align, {})])];
}

/** The alignments the labelled rules of one kind use (a label layer for an alignment no rule uses would have no data). */
function labelAligns(data: ChartData, kind: Kind): ('left' | 'right')[] {
  return uniqueInOrder(data.items.filter((i) => i.kind === kind && i.label !== '').map((i) => i.labelAlign ?? 'left')) as ('left' | 'right')[];
}

/** A white outline drawn under a label. */
const LABEL_HALO = { color: 'white', stroke: 'white', strokeWidth: 3, strokeJoin: 'round' };
