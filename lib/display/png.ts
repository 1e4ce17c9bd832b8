/** SVG → PNG with resvg (Rust, no browser), text drawn with the chart font. */
import { Resvg } from '@resvg/resvg-js';
import { chartFontFiles } from './fonts';

export interface PngOptions {
  /** Pixels per SVG unit (default 2, for sharp figures on high-density screens and in papers). */
  scale?: number;
  /** .ttf/.otf files to draw text with (default: DejaVu from fonts-dejavu-core). */
  fontFiles?: readonly string[];
}

const DEFAULT_SCALE = 2;

/** The first 8 bytes of every PNG file. */
export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** PNG bytes of the SVG on a white background. */
export function svgToPng(svg: string, options: PngOptions = {}): Buffer {
  const scale = options.scale ?? DEFAULT_SCALE;
  if (!(scale > 0 && Number.isFinite(scale))) {
    throw new Error(`svgToPng: scale must be a positive number, got ${scale}`);
  }
  const resvg = new Resvg(svg, {
    background: 'white',
    fitTo: { mode: 'zoom', value: scale },
    font: {
      loadSystemFonts: false,
      fontFiles: [...(options.fontFiles ?? chartFontFiles())],
      defaultFontFamily: 'DejaVu Sans',
      sansSerifFamily: 'DejaVu Sans',
    },
  });
  return resvg.render().asPng();
}
