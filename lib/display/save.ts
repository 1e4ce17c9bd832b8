/** Saving a chart as SVG and PNG files. */
import { dirname, extname } from 'path';
import type { TopLevelSpec } from 'vega-lite';
import { writeFileAtomic } from '../util/atomic-write';
import { ensureDir } from '../util/ensure-dir';
import { svgToPng, type PngOptions } from './png';
import { renderSvg, type RenderOptions } from './render';

export interface SavedFigure {
  svgPath: string;
  pngPath: string;
}

/** Renders the chart and writes `${pathWithoutExt}.svg` and `.png` atomically, creating the directory. */
export async function saveFigure(
  spec: TopLevelSpec, pathWithoutExt: string, options: PngOptions & RenderOptions = {},
): Promise<SavedFigure> {
  const ext = extname(pathWithoutExt).toLowerCase();
  if (ext === '.svg' || ext === '.png') {
    throw new Error(`saveFigure: pass the path without extension (got "${pathWithoutExt}"); both .svg and .png are written`);
  }
  const svg = await renderSvg(spec, options);
  const png = svgToPng(svg, options);
  ensureDir(dirname(pathWithoutExt));
  const saved = { svgPath: `${pathWithoutExt}.svg`, pngPath: `${pathWithoutExt}.png` };
  writeFileAtomic(saved.svgPath, svg);
  writeFileAtomic(saved.pngPath, png);
  return saved;
}
