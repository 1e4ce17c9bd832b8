/**
 * Angles between two independent random vectors: the baseline "random directions are nearly
 * orthogonal in high dimension" that the paper contrasts binarization against.
 */
import gammaDeltaRatio from '@stdlib/math-base-special-gamma-delta-ratio';
import { normalPdf } from '../stats/normal';
import { requireInteger, requirePositive } from '../stats/validate';

/**
 * Exact density of ∠(u, v) for independent u, v ~ N(0, I_d), d >= 2, at each grid point (0
 * outside [0, π]): p(θ) = sin^{d−2}(θ) · Γ(d/2) / (√π Γ((d−1)/2)). By rotation invariance the
 * angle is that between a uniform direction and a fixed axis, whose cosine has density
 * ∝ (1 − c²)^{(d−3)/2}. Mean π/2; the cosine has variance exactly 1/d.
 */
export function gaussianPairAngleDensity(grid: ArrayLike<number>, d: number): Float64Array {
  requireInteger('gaussianPairAngleDensity', 'd', d, 2);
  // Γ(d/2)/Γ((d−1)/2) = 1/gammaDeltaRatio((d−1)/2, 1/2).
  const normalizer = 1 / (Math.sqrt(Math.PI) * gammaDeltaRatio((d - 1) / 2, 0.5));
  const out = new Float64Array(grid.length);
  for (let i = 0; i < grid.length; i++) {
    const theta = grid[i];
    out[i] = theta >= 0 && theta <= Math.PI ? normalizer * Math.sin(theta) ** (d - 2) : 0;
  }
  return out;
}

export interface AnglePmf {
  /** Support points in increasing order (radians). */
  angles: Float64Array;
  /** Probability of each support point; sums to 1. */
  probabilities: Float64Array;
}

/**
 * Exact distribution of ∠(x, y) for independent uniform x, y ∈ {−1, +1}ⁿ. The products xᵢyᵢ are
 * independent fair ±1, so x·y = 2K − n with K ~ Binomial(n, 1/2), and the angle is
 * arccos((2K − n)/n), taking the value for K = k with probability C(n, k)/2ⁿ.
 */
export function binaryVectorAnglePmf(n: number): AnglePmf {
  requireInteger('binaryVectorAnglePmf', 'n', n, 1);
  const angles = new Float64Array(n + 1);
  const probabilities = new Float64Array(n + 1);
  // log C(n, k) − n log 2 by the recurrence C(n, k) = C(n, k−1)·(n − k + 1)/k.
  let logP = -n * Math.LN2;
  for (let k = 0; k <= n; k++) {
    if (k > 0) logP += Math.log((n - k + 1) / k);
    // Index n − k: larger K means a smaller angle.
    angles[n - k] = Math.acos((2 * k - n) / n);
    probabilities[n - k] = Math.exp(logP);
  }
  return { angles, probabilities };
}

/**
 * Large-n limit of binaryVectorAnglePmf: the cosine has mean 0 and variance exactly 1/n, and
 * arccos is ≈ π/2 − c near 0, so the angle is approximately N(π/2, 1/n).
 */
export function binaryVectorAngleLimit(n: number): { mean: number; sd: number } {
  requireInteger('binaryVectorAngleLimit', 'n', n, 1);
  return { mean: Math.PI / 2, sd: 1 / Math.sqrt(n) };
}

/**
 * The exact pmf smoothed with a Gaussian kernel of the given width: Σₖ pₖ φ((θ − aₖ)/h)/h. This is
 * the expected value of a KDE (width h) of sampled angles, the curve the figure's KDE estimates.
 */
export function binaryVectorAngleKernelDensity(grid: ArrayLike<number>, n: number, width: number): Float64Array {
  requirePositive('binaryVectorAngleKernelDensity', 'width', width);
  const { angles, probabilities } = binaryVectorAnglePmf(n);
  const out = new Float64Array(grid.length);
  for (let i = 0; i < grid.length; i++) {
    let s = 0;
    for (let k = 0; k < angles.length; k++) s += probabilities[k] * normalPdf(grid[i], angles[k], width);
    out[i] = s;
  }
  return out;
}
