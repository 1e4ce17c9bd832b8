/**
 * The normal distribution, via @stdlib (accurate to about 1e-15 relative): thin wrappers so the
 * rest of the project names one module and gets defaults for the standard normal.
 */
import stdlibCdf from '@stdlib/stats-base-dists-normal-cdf';
import stdlibPdf from '@stdlib/stats-base-dists-normal-pdf';
import stdlibQuantile from '@stdlib/stats-base-dists-normal-quantile';
import { requireInRange } from './validate';

/** Density φ of N(mean, sd²) at x. */
export function normalPdf(x: number, mean = 0, sd = 1): number {
  return stdlibPdf(x, mean, sd);
}

/** Cumulative distribution Φ of N(mean, sd²) at x. */
export function normalCdf(x: number, mean = 0, sd = 1): number {
  return stdlibCdf(x, mean, sd);
}

/**
 * Upper tail P(X > x) of N(mean, sd²), computed as Φ at the mirrored point so that it keeps full
 * relative precision far in the tail (1 − Φ(x) would cancel).
 */
export function normalSurvival(x: number, mean = 0, sd = 1): number {
  return stdlibCdf(2 * mean - x, mean, sd);
}

/** Halley steps stop when the correction is below this relative size (or after MAX_HALLEY_STEPS). */
const HALLEY_TOLERANCE = 1e-16;
const MAX_HALLEY_STEPS = 5;

/**
 * Standard normal quantile for p in (0, 1/2]. @stdlib's quantile goes through erfinv(2p − 1),
 * which loses relative accuracy as p → 0 (p = 1e-12 comes back with Φ(x) off by 2e-5
 * relative, and p < 1e-17 gives −∞). So its answer (or, below that, the rational approximation
 * of Abramowitz & Stegun 26.2.23, error < 4.5e-4) is polished with Halley steps on the
 * accurate cdf: u = (Φ(x) − p)/φ(x), x ← x − u/(1 + x·u/2), cubically convergent.
 */
function lowerStandardQuantile(p: number): number {
  let x = stdlibQuantile(p, 0, 1);
  if (!Number.isFinite(x)) {
    const t = Math.sqrt(-2 * Math.log(p));
    x = -(t - (2.515517 + 0.802853 * t + 0.010328 * t * t) / (1 + t * (1.432788 + t * (0.189269 + 0.001308 * t))));
  }
  for (let step = 0; step < MAX_HALLEY_STEPS; step++) {
    const u = (stdlibCdf(x, 0, 1) - p) / stdlibPdf(x, 0, 1);
    if (!Number.isFinite(u)) break;
    const correction = u / (1 + (x * u) / 2);
    x -= correction;
    if (Math.abs(correction) <= HALLEY_TOLERANCE * Math.abs(x)) break;
  }
  return x;
}

/**
 * Quantile Φ⁻¹(p) of N(mean, sd²); p must lie in [0, 1]. Accurate to about 1e-15 relative
 * down to p ≈ 1e-300 (upper-tail p uses the symmetry Φ⁻¹(p) = −Φ⁻¹(1 − p), 1 − p being exact there).
 */
export function normalQuantile(p: number, mean = 0, sd = 1): number {
  requireInRange('normalQuantile', 'p', p, 0, 1);
  let z: number;
  if (p === 0) z = -Infinity;
  else if (p === 1) z = Infinity;
  else z = p <= 0.5 ? lowerStandardQuantile(p) : -lowerStandardQuantile(1 - p);
  return mean + sd * z;
}
