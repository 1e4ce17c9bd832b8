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
 * Mean-shift iterations from `start` (Comaniciu & Meer 2002: x ← Σ xᵢφ((x − xᵢ)/h) / Σ φ((x − xᵢ)/h),
 * which climbs the density to a stationary point), to within `tolerance`: the mode, and the density
 * there up to a factor common to every x (the last Σ φ((x − xᵢ)/h), for comparing modes); undefined
 * when no sample lies within reach of `start` (every kernel underflows there).
 */
function meanShift(samples: ArrayLike<number>, width: number, start: number, tolerance: number): { mode: number; density: number } | undefined {
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
    if (weights === 0) return undefined;
    const next = weighted / weights;
    if (Math.abs(next - x) <= tolerance) return { mode: next, density: weights };
    x = next;
  }
  throw new Error(`kdeMode: no convergence in ${maxIterations} iterations from ${start}; the density is flat there.`);
}

/**
 * The mode of the Gaussian KDE of `samples` with kernel width `width` that mean-shift iterations
 * reach from `start`, to within `tolerance`: a peak located without a grid.
 */
export function kdeMode(samples: ArrayLike<number>, width: number, start: number, tolerance = 1e-10): number {
  requireNonEmpty('kdeMode', 'samples', samples);
  requirePositive('kdeMode', 'width', width);
  const found = meanShift(samples, width, start, tolerance);
  if (found === undefined) throw new Error(`kdeMode: no sample lies within reach of ${start} at width ${width}; start at a sample.`);
  return found.mode;
}

/** Starts spread over the samples for finding every mode: their quantiles in steps of 1/MODE_STARTS. */
const MODE_STARTS = 20;

/** The distinct modes of the KDE of `samples` (mean shift from `peakAt` and from the samples' quantiles), `peakAt`'s first. */
function kdeModes(samples: ArrayLike<number>, width: number, peakAt: number): number[] {
  const sorted = Float64Array.from(samples).sort();
  const starts = [peakAt, ...Array.from({ length: MODE_STARTS + 1 }, (_, i) => sorted[Math.round((i / MODE_STARTS) * (sorted.length - 1))])];
  const modes: number[] = [];
  for (const start of starts) {
    const mode = kdeMode(samples, width, start);
    if (!modes.some((m) => Math.abs(m - mode) <= width * 1e-3)) modes.push(mode);
  }
  return modes;
}

/**
 * Standard error of the grid peak of a Gaussian KDE: the bootstrap error of its highest mode,
 * combined with the grid's rounding error, step/√12. Each resample climbs from every mode of the
 * samples' KDE and keeps the highest it reaches, so a density with two bumps of similar height,
 * whose peak may jump from one to the other, gets the large error it has.
 */
export function kdePeakStandardError(samples: ArrayLike<number>, width: number, peakAt: number, gridStep: number): number {
  const modes = kdeModes(samples, width, peakAt);
  const highestMode = (resample: Float64Array): number => {
    let best = NaN;
    let bestDensity = -1;
    for (const start of modes) {
      const found = meanShift(resample, width, start, 1e-10);
      if (found !== undefined && found.density > bestDensity) [best, bestDensity] = [found.mode, found.density];
    }
    return best;
  };
  return Math.hypot(bootstrapStandardError(samples, highestMode), gridStep / Math.sqrt(12));
}
