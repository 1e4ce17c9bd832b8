/**
 * Random vectors for the high-dimensional experiments: standard Gaussian vectors, Gaussian vectors
 * with an exponentially decaying spectrum (the paper's "exponential covariance" example), and
 * random ±1 vectors. All randomness comes from a seeded Rng.
 */
import { gammaVariate, normalArray, type Rng } from '../stats/random';
import { requireInteger } from '../stats/validate';

/** u ~ N(0, I_d). */
export function gaussianVector(rng: Rng, d: number): Float64Array {
  requireInteger('gaussianVector', 'd', d, 1);
  return normalArray(rng, d);
}

/**
 * Standard deviations exp(k·(i − d/2)), i = 0 … d−1, of the exponential-covariance example: the
 * covariance is diag(exp(2k·(i − d/2))), so its eigenvalues span a factor exp(2k(d−1)) and the
 * coordinate axes are its eigenvectors (hd_figures.ipynb, `gen_ctns_vec(d, exp=True, k)`).
 */
export function exponentialScales(d: number, k: number): Float64Array {
  requireInteger('exponentialScales', 'd', d, 1);
  if (!Number.isFinite(k)) throw new Error(`exponentialScales: k must be a finite number, got ${k}`);
  const scales = new Float64Array(d);
  for (let i = 0; i < d; i++) scales[i] = Math.exp(k * (i - d / 2));
  return scales;
}

/** u ~ N(0, diag(s²)) with s = exponentialScales(d, k). */
export function exponentialCovarianceVector(rng: Rng, d: number, k: number): Float64Array {
  const u = exponentialScales(d, k);
  for (let i = 0; i < d; i++) u[i] *= rng.normal();
  return u;
}

/**
 * d i.i.d. draws from the generalised normal law with shape β and scale 1, density ∝ exp(−|w|^β):
 * |w|^β ~ Gamma(1/β, 1) and an independent fair sign (β = 1 Laplace, 2 Gaussian/√2, ∞ uniform).
 */
export function generalizedNormalVector(rng: Rng, d: number, beta: number): Float64Array {
  requireInteger('generalizedNormalVector', 'd', d, 1);
  if (!(beta > 0) || !Number.isFinite(beta)) throw new Error(`generalizedNormalVector: shape β = ${beta}; it must be a positive number.`);
  const u = new Float64Array(d);
  for (let i = 0; i < d; i++) u[i] = (rng.uniform() < 0.5 ? -1 : 1) * Math.pow(gammaVariate(rng, 1 / beta), 1 / beta);
  return u;
}

/** Bits taken from one uniform draw: its top 32 of 53 random bits, all of good quality. */
const BITS_PER_DRAW = 32;

/** n independent fair ±1 entries (as Float64Array), 32 signs per uniform draw. */
export function randomSignVector(rng: Rng, n: number): Float64Array {
  requireInteger('randomSignVector', 'n', n, 1);
  const out = new Float64Array(n);
  for (let start = 0; start < n; start += BITS_PER_DRAW) {
    const bits = Math.floor(rng.uniform() * 2 ** BITS_PER_DRAW) >>> 0;
    const stop = Math.min(n, start + BITS_PER_DRAW);
    for (let i = start; i < stop; i++) out[i] = (bits >>> (i - start)) & 1 ? 1 : -1;
  }
  return out;
}
