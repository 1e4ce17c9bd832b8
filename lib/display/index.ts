/**
 * Display layer: charts and tables in tslab notebooks (interactive Vega-Lite + SVG fallback), figure
 * files (SVG + PNG), and live progress (a notebook output or a terminal bar) for long loops.
 */
export { setDisplayWriter, type DisplayBundle, type DisplayWriter } from './jupyter';
export { PNG_SIGNATURE, svgToPng, type PngOptions } from './png';
export {
  createProgress, PROGRESS_FILE_ENV, PROGRESS_INTERVAL_MS, PROGRESS_LOG_INTERVAL_MS,
  type Progress, type ProgressCallback, type ProgressFields, type ProgressOptions, type ProgressUpdate,
} from './progress';
export { renderSvg, svgSize, type RenderOptions } from './render';
export { saveFigure, type SavedFigure } from './save';
export {
  chartTitle, FIGURE_METADATA_KEY, FIGURES_DIR_ENV, PNG_MIME, show, staticFallback, SVG_MIME, TEXT_MIME,
  VEGA_LITE_MIME, type ShowOptions,
} from './show';
export { escapeHtml, HTML_MIME, htmlTable, markdownTable, showTable, type TableCell, type TableOptions, type TableRow } from './tables';
