/** Turning typed arrays into the small inline data tables of a spec, with input checks. */
import type { TopLevelSpec } from 'vega-lite';
import type { NumericArray, Series } from './types';

/** Digits kept for numbers written into a spec: far below what a figure can show, and it halves the size. */
const SIGNIFICANT_DIGITS = 5;

/** Largest spec a builder returns; more means the data were not aggregated first. */
export const SPEC_SIZE_LIMIT_BYTES = 200_000;

/** `value` rounded to SIGNIFICANT_DIGITS significant digits. */
export function compactNumber(value: number): number {
  return Number(value.toPrecision(SIGNIFICANT_DIGITS));
}

/** Throws unless every entry of `values` is a finite number. */
export function assertFinite(builder: string, name: string, values: NumericArray): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new Error(`${builder}: ${name}[${i}] is ${values[i]}; pass finite numbers only`);
    }
  }
}

/** Throws unless the series is non-empty, x and y have equal length and all values are finite. */
export function assertSeries(builder: string, series: Series): void {
  const name = `series "${series.label}"`;
  if (series.x.length !== series.y.length) {
    throw new Error(`${builder}: ${name} has ${series.x.length} x values but ${series.y.length} y values; they must match`);
  }
  if (series.labels !== undefined && series.labels.length !== series.x.length) {
    throw new Error(`${builder}: ${name} has ${series.x.length} points but ${series.labels.length} labels; they must match`);
  }
  if (series.x.length === 0) {
    throw new Error(`${builder}: ${name} is empty; give it at least one point`);
  }
  assertFinite(builder, `${name} x`, series.x);
  assertFinite(builder, `${name} y`, series.y);
}

/** Distinct strings in order of first appearance (used as scale domains so legends keep input order). */
export function uniqueInOrder(values: Iterable<string>): string[] {
  return [...new Set(values)];
}

/** Returns the spec after checking its JSON size against SPEC_SIZE_LIMIT_BYTES. */
export function checkedSize(builder: string, spec: TopLevelSpec): TopLevelSpec {
  const bytes = Buffer.byteLength(JSON.stringify(spec));
  if (bytes > SPEC_SIZE_LIMIT_BYTES) {
    throw new Error(
      `${builder}: the spec is ${Math.round(bytes / 1000)} kB, over the ${SPEC_SIZE_LIMIT_BYTES / 1000} kB limit; ` +
        'aggregate before charting (evaluate densities on a coarser grid, use fewer histogram bins, subsample points)',
    );
  }
  return spec;
}

/** One cell of a table given to csvData; undefined leaves the cell empty. */
export type CsvValue = number | string | undefined;

/** Inline data as CSV text, with the numeric columns parsed back to numbers. */
export interface CsvData {
  values: string;
  format: { type: 'csv'; parse: Record<string, 'number'> };
}

/**
 * Rows as inline CSV: a header and one short line per row, where JSON repeats every key on every
 * row (and a notebook file indents each on its own lines), so a spec is several times smaller.
 * Columns come in order of first appearance; strings with a comma, quote or line break are quoted.
 */
export function csvData(rows: readonly Readonly<Record<string, CsvValue>>[]): CsvData {
  const columns = uniqueInOrder(rows.flatMap((row) => Object.keys(row)));
  const cell = (value: CsvValue): string =>
    value === undefined ? '' : typeof value === 'number' || !/[",\r\n]/.test(value) ? String(value) : `"${value.replace(/"/g, '""')}"`;
  const lines = [columns.join(','), ...rows.map((row) => columns.map((c) => cell(row[c])).join(','))];
  const numeric = columns.filter((c) => rows.some((row) => typeof row[c] === 'number'));
  return { values: lines.join('\n'), format: { type: 'csv', parse: Object.fromEntries(numeric.map((c) => [c, 'number'])) } };
}
