/** Tables of results as Markdown and HTML text, and shown in the notebook. */
import { formatNumber } from './format';
import { notebookWriter } from './jupyter';
import { TEXT_MIME } from './show';

export type TableCell = string | number | boolean | null | undefined;
export type TableRow = Readonly<Record<string, TableCell>>;

export interface TableOptions {
  /** Columns in order (default: every key, in order of first appearance). */
  columns?: readonly string[];
  /** Significant digits of non-integer numbers (default 4). */
  digits?: number;
}

export const HTML_MIME = 'text/html';

interface Table {
  columns: string[];
  cells: string[][];
  /** Columns whose non-empty cells are all numbers: right-aligned. */
  numeric: boolean[];
}

function tabulate(builder: string, rows: readonly TableRow[], options: TableOptions): Table {
  const columns = [...(options.columns ?? new Set(rows.flatMap((r) => Object.keys(r))))];
  if (columns.length === 0) {
    throw new Error(`${builder}: no columns; pass rows with at least one key, or options.columns`);
  }
  const digits = options.digits ?? 4;
  const cells = rows.map((row) => columns.map((c) => formatCell(row[c], digits)));
  const numeric = columns.map((c) => {
    const values = rows.map((r) => r[c]).filter((v) => v !== null && v !== undefined);
    return values.length > 0 && values.every((v) => typeof v === 'number');
  });
  return { columns, cells, numeric };
}

function formatCell(value: TableCell, digits: number): string {
  if (value === null || value === undefined) {
    return '';
  }
  return typeof value === 'number' ? formatNumber(value, digits) : String(value);
}

/** GitHub-flavoured Markdown table; `|` and backslashes are escaped, line breaks become spaces. */
export function markdownTable(rows: readonly TableRow[], options: TableOptions = {}): string {
  const table = tabulate('markdownTable', rows, options);
  const line = (cells: string[]): string => `| ${cells.map(escapeMarkdown).join(' | ')} |`;
  const rule = `|${table.numeric.map((n) => (n ? ' ---: ' : ' --- ')).join('|')}|`;
  return [line(table.columns), rule, ...table.cells.map(line)].join('\n');
}

/**
 * HTML table with every cell escaped (&, <, >, ", '); numeric columns right-aligned, the others
 * left-aligned (said explicitly: JupyterLab right-aligns every cell of an output's table).
 */
export function htmlTable(rows: readonly TableRow[], options: TableOptions = {}): string {
  const table = tabulate('htmlTable', rows, options);
  const align = (i: number): string => ` style="text-align:${table.numeric[i] ? 'right' : 'left'}"`;
  const head = table.columns.map((c, i) => `<th${align(i)}>${escapeHtml(c)}</th>`).join('');
  const body = table.cells
    .map((cells) => `<tr>${cells.map((c, i) => `<td${align(i)}>${escapeHtml(c)}</td>`).join('')}</tr>`)
    .join('\n');
  return `<table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

/** In a notebook, one output with the HTML table and its Markdown as text; elsewhere prints the Markdown. */
export function showTable(rows: readonly TableRow[], options: TableOptions = {}): void {
  const markdown = markdownTable(rows, options);
  const write = notebookWriter();
  if (write === undefined) {
    console.log(markdown);
    return;
  }
  write({ data: { [HTML_MIME]: htmlTable(rows, options), [TEXT_MIME]: markdown }, metadata: {}, transient: {} }, false);
}

function escapeMarkdown(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** Text safe inside HTML elements and attribute values. */
export function escapeHtml(text: string): string {
  const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
  return text.replace(/[&<>"']/g, (ch) => entities[ch]);
}
