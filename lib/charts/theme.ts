/**
 * The look shared by every chart: one font (DejaVu Sans, which has π, θ, ∠ and the minus sign and
 * is what the PNG renderer loads), measured data in solid colour, theory in dashed black.
 */
import type { Config, TopLevelSpec } from 'vega-lite';

const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';

/** CSS font list: DejaVu Sans first so the browser view matches the saved PNG/SVG. */
const CHART_FONT = 'DejaVu Sans, Verdana, Helvetica, Arial, sans-serif';

/**
 * The widest a figure may be drawn, axes, legends and titles included: a notebook's output column is
 * 584 px in JupyterLab at 1024 px with the file browser open, less the 38 px vega-embed keeps for its
 * actions button. Builders size their panels to fit it (legends go below the plot).
 */
export const FIGURE_WIDTH = 540;
/** Room left of a panel for the y axis's labels and title. */
const Y_AXIS_ROOM = 65;
/** Gap between facet panels or concatenated charts (vega-lite's default spacing). */
const PANEL_SPACING = 20;

export const DEFAULT_WIDTH = 360;
export const DEFAULT_HEIGHT = 240;

/** Width of each of `columns` panels in a row so the row fits FIGURE_WIDTH; `axisEach`: every panel draws its own y axis. */
export function panelWidth(columns: number, axisEach = false): number {
  const axes = axisEach ? columns : 1;
  return Math.floor((FIGURE_WIDTH - axes * Y_AXIS_ROOM - (columns - 1) * PANEL_SPACING) / columns);
}

/** Colours of measured (Monte-Carlo) series, in order of appearance (Tableau 10). */
const SERIES_COLORS: readonly string[] = [
  '#4c78a8', '#e45756', '#f58518', '#54a24b', '#b279a2',
  '#72b7b2', '#eeca3b', '#9d755d', '#ff9da6', '#bab0ac',
];

export const THEORY_COLOR = 'black';
export const REFERENCE_COLOR = '#666666';
export const SOLID: number[] = [1, 0];
export const THEORY_DASH: number[] = [6, 4];
export const REFERENCE_DASH: number[] = [2, 3];

/** Shading of the regions where x·y < 0 in the 2-D histograms. */
export const QUADRANT_FILL = '#bbbbbb';
export const QUADRANT_OPACITY = 0.45;

export const HEATMAP_SCHEME = 'greens';

const CHART_CONFIG: Config = {
  font: CHART_FONT,
  background: 'white',
  title: { fontSize: 14, subtitleFontSize: 11, anchor: 'start', subtitleColor: '#444444' },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', gridColor: '#eeeeee' },
  legend: { labelFontSize: 11, titleFontSize: 11, titleFontWeight: 'normal', symbolStrokeWidth: 2 },
  header: { labelFontSize: 12, titleFontSize: 12, titleFontWeight: 'normal' },
  line: { strokeWidth: 2 },
  range: { category: [...SERIES_COLORS] },
};

/**
 * Longest title and subtitle lines in characters: DejaVu Sans averages about 0.6 em, so 52 bold
 * characters at 14 px and 78 at 11 px stay within FIGURE_WIDTH.
 */
const TITLE_LINE_CHARS = 52;
const SUBTITLE_LINE_CHARS = 78;

/** The text in lines of at most `width` characters, broken after a ";" where a clause fits, else at spaces. */
function wrapLine(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const clause of text.split(/(?<=;) /)) {
    for (const piece of clause.length <= width ? [clause] : clause.split(' ')) {
      const last = lines.length - 1;
      if (last >= 0 && lines[last].length + 1 + piece.length <= width) lines[last] += ` ${piece}`;
      else lines.push(piece);
    }
  }
  return lines;
}

/** One line as a string, several as an array (vega-lite's forms of a title). */
const oneOrMany = (lines: string[]): string | string[] => (lines.length === 1 ? lines[0] : lines);

/** Adds the schema, the theme and the title to a spec body; long title and subtitle lines are wrapped. */
export function withTheme(body: object, title: string, subtitle?: string | readonly string[]): TopLevelSpec {
  const lines = [subtitle ?? []].flat().filter((line) => line !== '').flatMap((line) => wrapLine(line, SUBTITLE_LINE_CHARS));
  const text = oneOrMany(wrapLine(title, TITLE_LINE_CHARS));
  const spec = {
    $schema: VEGA_LITE_SCHEMA,
    title: lines.length === 0 ? text : { text, subtitle: oneOrMany(lines) },
    config: CHART_CONFIG,
    ...body,
  };
  return spec as TopLevelSpec;
}
