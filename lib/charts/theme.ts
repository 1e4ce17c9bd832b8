/**
 * The look shared by every chart: one font (DejaVu Sans, which has π, θ, ∠ and the minus sign and
 * is what the PNG renderer loads), measured data in solid colour, theory in dashed black.
 */
import type { Config, TopLevelSpec } from 'vega-lite';

const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';

/** CSS font list: DejaVu Sans first so the browser view matches the saved PNG/SVG. */
const CHART_FONT = 'DejaVu Sans, Verdana, Helvetica, Arial, sans-serif';

export const DEFAULT_WIDTH = 360;
export const DEFAULT_HEIGHT = 240;

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
 * Longest subtitle line in characters. Headless vega (no canvas) sizes text at 0.8 em per
 * character, so 90 characters at 11 px stay under 800 px there, and shorter in a browser.
 */
const SUBTITLE_LINE_CHARS = 90;

/** The text in lines of at most SUBTITLE_LINE_CHARS characters, broken after a ";" where a clause fits, else at spaces. */
function wrapLine(text: string): string[] {
  const lines: string[] = [];
  for (const clause of text.split(/(?<=;) /)) {
    for (const piece of clause.length <= SUBTITLE_LINE_CHARS ? [clause] : clause.split(' ')) {
      const last = lines.length - 1;
      if (last >= 0 && lines[last].length + 1 + piece.length <= SUBTITLE_LINE_CHARS) lines[last] += ` ${piece}`;
      else lines.push(piece);
    }
  }
  return lines;
}

/** Adds the schema, the theme and the title to a spec body; long subtitle lines are wrapped. */
export function withTheme(body: object, title: string, subtitle?: string | readonly string[]): TopLevelSpec {
  const lines = [subtitle ?? []].flat().filter((line) => line !== '').flatMap(wrapLine);
  const spec = {
    $schema: VEGA_LITE_SCHEMA,
    title: lines.length === 0 ? title : { text: title, subtitle: lines.length === 1 ? lines[0] : lines },
    config: CHART_CONFIG,
    ...body,
  };
  return spec as TopLevelSpec;
}
