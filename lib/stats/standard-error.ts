/**
 * Standard errors of the sampled numbers the notebooks reproduce: analytic where the sampling law
 * of the statistic is known (a mean, a variance, a standard deviation, a proportion), a seeded
 * bootstrap otherwise (a median, a KDE peak), and the error of a least-squares slope whose points
 * carry known errors.
 */
import { createRng } from './random';
import { mean, variance } from './summary';
import { requireInteger, requireNonEmpty, requireSameLength } from './validate';

/** Bootstrap resamples behind every bootstrap standard error (its own relative error is ≈ 1/√(2·200) = 5%). */
export const BOOTSTRAP_RESAMPLES = 200;

function requireSamples(where: string, values: ArrayLike<number>, least: number): void {
  requireNonEmpty(where, 'values', values);
  if (values.length < least) throw new Error(`${where}: need at least ${least} values for a standard error, got ${values.length}`);
}

/** Fourth central moment Σ(x − x̄)⁴/n. */
function fourthCentralMoment(values: ArrayLike<number>): number {
  const m = mean(values);
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += (values[i] - m) ** 4;
  return sum / values.length;
}

/** Standard error of the sample mean: s/√n (s with ddof = 1). */
export function meanStandardError(values: ArrayLike<number>): number {
  requireSamples('meanStandardError', values, 2);
  return Math.sqrt(variance(values, 1) / values.length);
}

/**
 * Standard error of the unbiased sample variance s², from the sample's own fourth moment:
 * Var s² = (μ₄ − σ⁴(n − 3)/(n − 1))/n, with μ₄ and σ⁴ estimated from the sample.
 */
export function varianceStandardError(values: ArrayLike<number>): number {
  requireSamples('varianceStandardError', values, 4);
  const n = values.length;
  const s2 = variance(values, 1);
  return Math.sqrt(Math.max(0, fourthCentralMoment(values) - (s2 * s2 * (n - 3)) / (n - 1)) / n);
}

/** Standard error of the sample standard deviation s, by the delta method: SE(s²)/(2s). */
export function standardDeviationStandardError(values: ArrayLike<number>): number {
  const s = Math.sqrt(variance(values, 1));
  if (!(s > 0)) throw new Error('standardDeviationStandardError: the values have no spread, so the error of their sd is undefined; pass varied values');
  return varianceStandardError(values) / (2 * s);
}

/** Standard error of a proportion p estimated from n independent trials: √(p(1 − p)/n). */
export function proportionStandardError(p: number, n: number): number {
  requireInteger('proportionStandardError', 'n', n, 1);
  if (!(p >= 0 && p <= 1)) throw new Error(`proportionStandardError: p = ${p}; pass a proportion in [0, 1]`);
  return Math.sqrt((p * (1 - p)) / n);
}

/**
 * Standard error of `statistic` by the bootstrap: the sd (ddof = 1) of the statistic over
 * `resamples` resamples of the values drawn with replacement from a generator seeded with `seed`.
 */
export function bootstrapStandardError(
  values: ArrayLike<number>, statistic: (resample: Float64Array) => number, options: { resamples?: number; seed?: number } = {},
): number {
  const { resamples = BOOTSTRAP_RESAMPLES, seed = 0 } = options;
  requireSamples('bootstrapStandardError', values, 2);
  requireInteger('bootstrapStandardError', 'resamples', resamples, 2);
  const rng = createRng(seed);
  const n = values.length;
  const resample = new Float64Array(n);
  const estimates = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    for (let i = 0; i < n; i++) resample[i] = values[rng.int(n)];
    estimates[b] = statistic(resample);
  }
  return Math.sqrt(variance(estimates, 1));
}

/**
 * Standard error of the least-squares slope of y on x when each yᵢ carries an independent error
 * σᵢ (x exact): Var b = Σ(xᵢ − x̄)²σᵢ² / (Σ(xᵢ − x̄)²)².
 */
export function slopeStandardError(xs: ArrayLike<number>, yErrors: ArrayLike<number>): number {
  requireSameLength('slopeStandardError', ['xs', 'yErrors'], xs, yErrors);
  requireSamples('slopeStandardError', xs, 2);
  const xMean = mean(xs);
  let sxx = 0;
  let weighted = 0;
  for (let i = 0; i < xs.length; i++) {
    const dx = xs[i] - xMean;
    sxx += dx * dx;
    weighted += dx * dx * yErrors[i] * yErrors[i];
  }
  if (sxx === 0) throw new Error('slopeStandardError: all x values are identical, so the slope is undefined; vary x');
  return Math.sqrt(weighted) / sxx;
}

