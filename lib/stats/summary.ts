/**
 * Summary statistics of a sample: mean, variance / standard deviation, numpy-style quantiles,
 * and argmax.
 */
import { requireInRange, requireInteger, requireNonEmpty } from './validate';

/** Arithmetic mean. */
export function mean(values: ArrayLike<number>): number {
  requireNonEmpty('mean', 'values', values);
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return sum / values.length;
}

/**
 * Variance Σ(x − x̄)² / (n − ddof), two-pass. ddof = 0 (the default, like numpy's `var`) is the
 * population variance; ddof = 1 is the unbiased sample variance.
 */
export function variance(values: ArrayLike<number>, ddof = 0): number {
  requireNonEmpty('variance', 'values', values);
  requireInteger('variance', 'ddof', ddof, 0);
  if (values.length <= ddof) {
    throw new Error(`variance: need more than ddof = ${ddof} values, got ${values.length}`);
  }
  const m = mean(values);
  let ss = 0;
  for (let i = 0; i < values.length; i++) ss += (values[i] - m) ** 2;
  return ss / (values.length - ddof);
}

/** Standard deviation sqrt(variance(values, ddof)); ddof = 0 by default, like numpy's `std`. */
export function standardDeviation(values: ArrayLike<number>, ddof = 0): number {
  return Math.sqrt(variance(values, ddof));
}

/** A sorted Float64Array copy of the values; throws on NaN, which has no place in an order. */
function sortedCopy(where: string, values: ArrayLike<number>): Float64Array {
  requireNonEmpty(where, 'values', values);
  const sorted = Float64Array.from(values);
  for (let i = 0; i < sorted.length; i++) {
    if (Number.isNaN(sorted[i])) {
      throw new Error(`${where}: values contains NaN at index ${i}; remove NaNs first`);
    }
  }
  return sorted.sort();
}

/** Linear-interpolation quantile of already sorted values (numpy's default 'linear' method). */
function quantileOfSorted(sorted: Float64Array, q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  if (lo >= sorted.length - 1) return sorted[sorted.length - 1];
  const frac = h - lo;
  return sorted[lo] + frac * (sorted[lo + 1] - sorted[lo]);
}

/** Quantiles at each q in [0, 1], with linear interpolation between order statistics as numpy's default. */
export function quantiles(values: ArrayLike<number>, qs: ArrayLike<number>): Float64Array {
  const sorted = sortedCopy('quantiles', values);
  const out = new Float64Array(qs.length);
  for (let i = 0; i < qs.length; i++) {
    requireInRange('quantiles', 'q', qs[i], 0, 1);
    out[i] = quantileOfSorted(sorted, qs[i]);
  }
  return out;
}

/** Quantile at q in [0, 1] (numpy's default linear interpolation). */
export function quantile(values: ArrayLike<number>, q: number): number {
  requireInRange('quantile', 'q', q, 0, 1);
  return quantileOfSorted(sortedCopy('quantile', values), q);
}

/** Median (the 0.5 quantile; the mean of the two middle values when n is even). */
export function median(values: ArrayLike<number>): number {
  return quantileOfSorted(sortedCopy('median', values), 0.5);
}

/** Index of the largest value (the first one on ties); NaNs are skipped. */
export function argmax(values: ArrayLike<number>): number {
  requireNonEmpty('argmax', 'values', values);
  let best = -1;
  for (let i = 0; i < values.length; i++) {
    if (!Number.isNaN(values[i]) && (best < 0 || values[i] > values[best])) best = i;
  }
  if (best < 0) throw new Error('argmax: every value is NaN; pass at least one number');
  return best;
}
