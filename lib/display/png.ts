/** SVG → PNG with resvg (Rust, no browser), text drawn with the chart font; optionally a palette PNG (UPNG's quantizer). */
import { Resvg } from '@resvg/resvg-js';
import UPNG from 'upng-js';
import { chartFontFiles } from './fonts';

export interface PngOptions {
  /** Pixels per SVG unit (default 2, for sharp figures on high-density screens and in papers). */
  scale?: number;
  /** .ttf/.otf files to draw text with (default: DejaVu from fonts-dejavu-core). */
  fontFiles?: readonly string[];
  /** Quantize to a palette of at most this many colours (2–256): a chart's few colours and their antialiasing survive, at a third of the bytes. Default: full colour. */
  colors?: number;
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
  const image = resvg.render();
  if (options.colors === undefined) return image.asPng();
  if (!(Number.isInteger(options.colors) && options.colors >= 2 && options.colors <= 256)) {
    throw new Error(`svgToPng: colors must be an integer from 2 to 256, got ${options.colors}`);
  }
  const pixels = image.pixels;
  const rgba = pixels.buffer.slice(pixels.byteOffset, pixels.byteOffset + pixels.byteLength);
  return Buffer.from(UPNG.encode([rgba], image.width, image.height, options.colors));
}
