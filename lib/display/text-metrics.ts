/**
 * Text widths for headless vega from the chart font's own advance widths. Without a canvas, vega
 * reserves 0.8 em per character, about a third more than DejaVu Sans needs, so static figures came
 * out wider than the same chart in a browser; measured with the font the PNG renderer draws with
 * (and the browser view asks for first), they are laid out as JupyterLab lays them out.
 */
import * as path from 'node:path';
import { parse, type Font } from 'opentype.js';
import * as fs from 'node:fs';
import * as vega from 'vega';
import { chartFontFiles } from './fonts';

/** What vega passes to its text measure: a text mark item, or the font settings of a title or label. */
interface TextItem {
  fontSize?: number;
  fontWeight?: string | number;
}

/** vega's default font size, used when an item sets none. */
const DEFAULT_FONT_SIZE = 11;

/** vega-scenegraph's text measure, which vega re-exports but its typings omit (vl-convert replaces it the same way). */
const { textMetrics } = vega as unknown as { textMetrics: { width: (item: TextItem, text: unknown) => number } };

let measuring = false;

/** DejaVu Sans regular and bold, or undefined without the fonts (vega then keeps its estimate). */
function chartFonts(): { regular: Font; bold: Font } | undefined {
  let files: string[];
  try {
    files = chartFontFiles();
  } catch {
    return undefined;
  }
  const file = (name: string) => files.find((f) => path.basename(f) === name);
  const regular = file('DejaVuSans.ttf');
  const bold = file('DejaVuSans-Bold.ttf') ?? regular;
  if (regular === undefined || bold === undefined) return undefined;
  const load = (f: string): Font => {
    const bytes = fs.readFileSync(f);
    return parse(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  };
  return { regular: load(regular), bold: load(bold) };
}

/**
 * The sum of the characters' advance widths at `size` px: no kerning and no shaping (opentype.js
 * cannot shape DejaVu's composed-character lookups), which kerning can only make narrower.
 */
function advanceWidth(font: Font, text: string, size: number): number {
  let units = 0;
  for (const character of text) units += font.charToGlyph(character).advanceWidth ?? 0;
  return (units * size) / font.unitsPerEm;
}

/** Makes headless vega measure text with DejaVu Sans (once per process; a no-op without the fonts). */
export function measureTextWithChartFont(): void {
  if (measuring) return;
  measuring = true;
  const fonts = chartFonts();
  if (fonts === undefined) return;
  const widths = new Map<string, number>();
  textMetrics.width = (item: TextItem, text: unknown): number => {
    const bold = item.fontWeight === 'bold' || Number(item.fontWeight) >= 600;
    const size = item.fontSize ?? DEFAULT_FONT_SIZE;
    const value = typeof text === 'string' || typeof text === 'number' ? String(text) : '';
    const key = `${bold ? 'b' : 'r'}${size}:${value}`;
    let width = widths.get(key);
    if (width === undefined) {
      width = advanceWidth(bold ? fonts.bold : fonts.regular, value, size);
      widths.set(key, width);
    }
    return width;
  };
}
