/** Turning typed arrays into the small inline data tables of a spec, with input checks. */
import type { TopLevelSpec } from 'vega-lite';
import type { NumericArray, Series } from './types';

/** Digits kept for numbers written into a spec: far below what a figure can show, and it halves the size. */
export const SIGNIFICANT_DIGITS = 5;

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
