/**
 * Closed forms for binarization of a Gaussian vector, u ~ N(0, I_d), θ(u) = sign(u):
 *
 *   cos∠(u, θ(u)) = u·sign(u) / (||u||₂ ||sign u||₂) = ||u||₁ / (√d ||u||₂).
 *
 * Limit (d → ∞): by the law of large numbers ||u||₁/d → E|u₁| = √(2/π) and ||u||₂²/d → 1, so the
 * cosine tends to √(2/π) and the angle to arccos √(2/π) ≈ 37.07° (Anderson & Berg 2018, §3).
 *
 * Exact at every d: write u = ||u||₂·s with s uniform on the sphere and independent of ||u||₂.
 * Then ||u||₁ = ||u||₂·||s||₁ and the cosine is ||s||₁/√d, so E||u||₁ = E||u||₂·E||s||₁ gives
 * E[cos] exactly, and E||u||₁² = E||u||₂²·E||s||₁² gives E[cos²] exactly (see each function).
 * The angle's own mean and spread have no closed form; its spread is given to first order
 * (delta method) by BINARY_ANGLE_SPREAD_CONSTANT / √d.
 */
import gammaDeltaRatio from '@stdlib/math-base-special-gamma-delta-ratio';
import { exponentialScales } from './sampling';
import { requireInteger } from '../stats/validate';

/** lim cos∠(u, sign u) = E|u₁| / √(E u₁²) = √(2/π) (Anderson & Berg 2018, eq. for binarization). */
export const BINARY_LIMIT_COSINE = Math.sqrt(2 / Math.PI);

/** lim ∠(u, sign u) = arccos √(2/π) = 0.6470185995563307 rad ≈ 37.07° (the paper's "≈ 37°"). */
export const BINARY_LIMIT_ANGLE = Math.acos(BINARY_LIMIT_COSINE);

/**
 * sd(∠(u, sign u)) ≈ BINARY_ANGLE_SPREAD_CONSTANT / √d for large d, with the constant
 * √((π − 3)/(π − 2)) ≈ 0.35218.
 *
 * Derivation (delta method): cos = A/√B with A = mean|uᵢ|, B = mean uᵢ². Per coordinate
 * Var|u| = 1 − 2/π, Var u² = 2, Cov(|u|, u²) = E|u|³ − E|u| = √(2/π). The gradient of a/√b at
 * (√(2/π), 1) is (1, −√(2/π)/2), so d·Var(cos) → (1 − 2/π) + (2/π)/4·2 − √(2/π)·√(2/π)
 * = 1 − 3/π. The angle is arccos(cos), whose slope is −1/√(1 − 2/π) there, so
 * d·Var(angle) → (1 − 3/π)/(1 − 2/π) = (π − 3)/(π − 2).
 */
export const BINARY_ANGLE_SPREAD_CONSTANT = Math.sqrt((Math.PI - 3) / (Math.PI - 2));

/** Large-d approximation BINARY_ANGLE_SPREAD_CONSTANT/√d of the standard deviation of ∠(u, sign u). */
export function binaryAngleSd(d: number): number {
  requireInteger('binaryAngleSd', 'd', d, 1);
  return BINARY_ANGLE_SPREAD_CONSTANT / Math.sqrt(d);
}

/** Exact E||u||₁ = d·√(2/π) for u ~ N(0, I_d). */
export function expectedL1Norm(d: number): number {
  requireInteger('expectedL1Norm', 'd', d, 1);
  return d * BINARY_LIMIT_COSINE;
}

/** Exact E||u||₂ = √2·Γ((d+1)/2)/Γ(d/2), the mean of the chi distribution with d degrees of freedom. */
export function expectedL2Norm(d: number): number {
  requireInteger('expectedL2Norm', 'd', d, 1);
  // gammaDeltaRatio(z, δ) = Γ(z)/Γ(z + δ).
  return Math.SQRT2 / gammaDeltaRatio(d / 2, 0.5);
}

/**
 * Exact E[cos∠(u, sign u)] = E||u||₁ / (√d·E||u||₂) = √(d/π)·Γ(d/2)/Γ((d+1)/2) (see the module
 * comment); 1 at d = 1, 2√2/π at d = 2, and √(2/π)·(1 + 1/(4d) + O(d⁻²)) for large d.
 */
export function binaryCosineMean(d: number): number {
  requireInteger('binaryCosineMean', 'd', d, 1);
  return expectedL1Norm(d) / (Math.sqrt(d) * expectedL2Norm(d));
}

/**
 * Exact sd of cos∠(u, sign u): E[cos²] = E||u||₁² / (d·E||u||₂²) with E||u||₁² = d + d(d−1)·2/π
 * and E||u||₂² = d, so E[cos²] = 2/π + (1 − 2/π)/d; the variance is that minus binaryCosineMean².
 * The subtraction costs absolute accuracy: the variance is exact to ~1e-16, the sd to ~1e-8.
 */
export function binaryCosineSd(d: number): number {
  const m = binaryCosineMean(d);
  const secondMoment = 2 / Math.PI + (1 - 2 / Math.PI) / d;
  return Math.sqrt(Math.max(0, secondMoment - m * m));
}

/**
 * First-order (ratio of means) angle between u ~ N(0, diag(σ²)), σᵢ = exp(k(i − d/2)), and
 * sign(u): cos ≈ E||u||₁ / (√d·√(E||u||₂²)) = √(2/π)·Σσᵢ / √(d·Σσᵢ²). With k·d ≫ 1 only about
 * 1/k coordinates carry the norm, so the cosine falls like 1/√d and the angle tends to π/2; good
 * to a few hundredths of a radian once d ≳ 100 at k = 0.1, cruder at d = 10, where it ignores the
 * Jensen gap that lib/hd's exact isotropic formula (binaryCosineMean) includes.
 */
export function unrotatedBinarizationAngle(d: number, k: number): number {
  const scales = exponentialScales(d, k);
  let sum = 0;
  let squares = 0;
  for (const s of scales) {
    sum += s;
    squares += s * s;
  }
  return Math.acos(Math.min(1, (BINARY_LIMIT_COSINE * sum) / Math.sqrt(d * squares)));
}
