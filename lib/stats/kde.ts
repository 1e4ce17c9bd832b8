/**
 * One-dimensional Gaussian kernel density estimate with the semantics of SciPy's
 * `scipy.stats.gaussian_kde`: kernel width = factor × sample standard deviation (ddof = 1),
 * density(x) = (1/n) Σ φ((x − xᵢ)/h) / h.
 *
 * Evaluation is the direct sum over samples, restricted to those within KERNEL_CUTOFF widths of
 * each grid point (samples are sorted once, windows found by binary search). Cost is
 * O(n log n + grid · (log n + samples in window)); at worst O(n · grid), e.g. 1e5 samples × 512
 * points. The truncation changes each density value by less than φ(KERNEL_CUTOFF)/h ≈ 5e-32/h.
 */
import { bootstrapStandardError } from './standard-error';
import { argmax, standardDeviation } from './summary';
import { requireNonEmpty, requirePositive, requireSameLength } from './validate';

/** Kernels further than this many widths away contribute below φ(12) ≈ 5.3e-32 and are skipped. */
const KERNEL_CUTOFF = 12;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/**
 * How the kernel width h is chosen:
 * - 'scott': factor n^(−1/5) (SciPy's default in 1-D), h = factor × sd;
 * - 'silverman': factor (3n/4)^(−1/5), h = factor × sd;
 * - a number: that factor (SciPy's scalar `bw_method`), h = factor × sd;
 * - `{ width }`: h given directly in data units (the original notebooks' `kde_scipy(x, grid,
 *   bandwidth)`, which passes bw_method = bandwidth / sd so that h = bandwidth).
 * Here sd is the sample standard deviation with ddof = 1.
 */
export type KdeBandwidth = 'scott' | 'silverman' | number | { width: number };

export interface GaussianKde {
  /** Kernel standard deviation h in data units. */
  readonly width: number;
  /** h divided by the sample standard deviation (SciPy's `kde.factor`); NaN when n = 1. */
  readonly factor: number;
  /** Number of samples. */
  readonly n: number;
  /** Density estimate at each point of `grid`. */
  evaluate(grid: ArrayLike<number>): Float64Array;
}

function bandwidthFactor(bandwidth: Exclude<KdeBandwidth, { width: number }>, n: number): number {
  if (bandwidth === 'scott') return n ** -0.2;
  if (bandwidth === 'silverman') return ((n * 3) / 4) ** -0.2;
  requirePositive('gaussianKde', 'bandwidth factor', bandwidth);
  return bandwidth;
}

/** First index i with sorted[i] >= value (sorted.length if none). */
function lowerBound(sorted: Float64Array, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Builds a Gaussian KDE of 1-D samples (see the module comment for the exact definition). */
export function gaussianKde(samples: ArrayLike<number>, bandwidth: KdeBandwidth = 'scott'): GaussianKde {
  requireNonEmpty('gaussianKde', 'samples', samples);
  const sorted = Float64Array.from(samples).sort();
  if (!sorted.every(Number.isFinite)) {
    throw new Error('gaussianKde: samples contain NaN or infinite values; pass finite numbers only');
  }
  const n = sorted.length;
  const sd = n > 1 ? standardDeviation(sorted, 1) : NaN;
  let width: number;
  if (typeof bandwidth === 'object') {
    requirePositive('gaussianKde', 'width', bandwidth.width);
    width = bandwidth.width;
  } else {
    if (!(sd > 0)) {
      throw new Error(
        `gaussianKde: the samples have zero spread (n = ${n}), so a factor × sd bandwidth is 0; ` +
          'pass { width } in data units instead',
      );
    }
    width = bandwidthFactor(bandwidth, n) * sd;
  }
  const norm = INV_SQRT_2PI / (n * width);
  return {
    width,
    factor: width / sd,
    n,
    evaluate(grid: ArrayLike<number>): Float64Array {
      const out = new Float64Array(grid.length);
      for (let g = 0; g < grid.length; g++) {
        const x = grid[g];
        const end = lowerBound(sorted, x + KERNEL_CUTOFF * width);
        let sum = 0;
        for (let i = lowerBound(sorted, x - KERNEL_CUTOFF * width); i < end; i++) {
          const z = (x - sorted[i]) / width;
          sum += Math.exp(-0.5 * z * z);
        }
        out[g] = sum * norm;
      }
      return out;
    },
  };
}

/** The grid point where a density (or any curve) sampled on `grid` is largest. */
export function peak(grid: ArrayLike<number>, density: ArrayLike<number>): { index: number; x: number; value: number } {
  requireSameLength('peak', ['grid', 'density'], grid, density);
  const index = argmax(density);
  return { index, x: grid[index], value: density[index] };
}

/**
 * The mode of the Gaussian KDE of `samples` with kernel width `width` that mean-shift iterations
 * reach from `start` (Comaniciu & Meer 2002: x ← Σ xᵢφ((x − xᵢ)/h) / Σ φ((x − xᵢ)/h), which climbs
 * the density to a stationary point), to within `tolerance`: a peak located without a grid.
 */
export function kdeMode(samples: ArrayLike<number>, width: number, start: number, tolerance = 1e-10): number {
  requireNonEmpty('kdeMode', 'samples', samples);
  requirePositive('kdeMode', 'width', width);
  const maxIterations = 100_000;
  let x = start;
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    let weights = 0;
    let weighted = 0;
    for (let i = 0; i < samples.length; i++) {
      const z = (x - samples[i]) / width;
      const w = Math.exp(-0.5 * z * z);
      weights += w;
      weighted += w * samples[i];
    }
    if (weights === 0) throw new Error(`kdeMode: no sample lies within reach of ${start} at width ${width}; start at a sample.`);
    const next = weighted / weights;
    if (Math.abs(next - x) <= tolerance) return next;
    x = next;
  }
  throw new Error(`kdeMode: no convergence in ${maxIterations} iterations from ${start}; the density is flat there.`);
}

/**
 * Standard error of the grid peak of a Gaussian KDE: the bootstrap error of the mode (kdeMode from
 * `peakAt`) combined with the grid's rounding error, step/√12.
 */
export function kdePeakStandardError(samples: ArrayLike<number>, width: number, peakAt: number, gridStep: number): number {
  return Math.hypot(bootstrapStandardError(samples, (resample) => kdeMode(resample, width, peakAt)), gridStep / Math.sqrt(12));
}
