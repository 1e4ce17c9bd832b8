/**
 * Closed forms for ternarization of a Gaussian vector, u ~ N(0, I_d), with threshold t (in units
 * of the standard deviation σ = 1): τ_t(u) = sign(u)·1{|u| > t}. Then
 *
 *   cos∠(u, τ_t(u)) = Σ|uᵢ|1{|uᵢ|>t} / (||u||₂ · √(#{|uᵢ| > t})).
 *
 * Per coordinate (φ, Φ the standard normal pdf and cdf, Q = 1 − Φ), from ∫ₜ^∞ xᵏφ(x)dx:
 *   E[|u|1{|u|>t}] = 2φ(t),            P(|u| > t) = 2Q(t),
 *   E[u²1{|u|>t}] = 2(tφ(t) + Q(t)),   E[|u|³1{|u|>t}] = 2(t² + 2)φ(t).
 * By the law of large numbers the cosine tends to 2φ(t)/√(2Q(t)) = √2·φ(t)/√Q(t), which is √(2/π)
 * at t = 0 (binarization). Its logarithm has derivative −t + φ(t)/(2Q(t)), so the best threshold
 * solves φ(t) = 2tQ(t) (unique on (0, 1)), where cos² = 4tφ(t).
 */
import { normalPdf, normalSurvival } from '../stats/normal';
import { requireInteger, requireNonNegative } from '../stats/validate';

/** lim cos∠(u, τ_t(u)) = √2·φ(t)/√Q(t) (see the module comment). */
export function ternaryLimitCosine(threshold: number): number {
  requireNonNegative('ternaryLimitCosine', 'threshold', threshold);
  return (Math.SQRT2 * normalPdf(threshold)) / Math.sqrt(normalSurvival(threshold));
}

/** lim ∠(u, τ_t(u)) = arccos of ternaryLimitCosine(t), in radians. */
export function ternaryLimitAngle(threshold: number): number {
  return Math.acos(Math.min(1, ternaryLimitCosine(threshold)));
}

/** Expected fraction of zeros P(|u| <= t) = Φ(t) − Φ(−t) = 1 − 2Q(t) for u ~ N(0, 1). */
export function ternaryZeroFraction(threshold: number): number {
  requireNonNegative('ternaryZeroFraction', 'threshold', threshold);
  return 1 - 2 * normalSurvival(threshold);
}

/**
 * sd(∠(u, τ_t(u))) ≈ C(t)/√d for large d; returns C(t), equal to √((π−3)/(π−2)) at t = 0.
 *
 * Derivation (delta method): cos = A/√(B·C) with the coordinate means A of X = |u|1{|u|>t},
 * B of Y = u², C of I = 1{|u|>t}; means a = 2φ, b = 1, c = 2Q. Relative first-order error
 * δcos/cos = δA/a − δB/2 − δC/(2c), so
 *   d·Var(cos)/cos² → Var X/a² + Var Y/4 + Var I/(4c²) − Cov(X,Y)/a − Cov(X,I)/(ac) + Cov(Y,I)/(2c)
 * with Var X = 2(tφ + Q) − a², Var Y = 2, Var I = c(1 − c), Cov(X,Y) = 2(t² + 1)φ,
 * Cov(X,I) = a(1 − c), Cov(Y,I) = 2tφ. Dividing by 1 − cos² converts to the angle.
 */
export function ternaryAngleSpreadConstant(threshold: number): number {
  requireNonNegative('ternaryAngleSpreadConstant', 'threshold', threshold);
  const t = threshold;
  const phi = normalPdf(t);
  const q = normalSurvival(t);
  const a = 2 * phi;
  const c = 2 * q;
  const varX = 2 * (t * phi + q) - a * a;
  const varY = 2;
  const varI = c * (1 - c);
  const covXY = 2 * (t * t + 1) * phi;
  const covXI = a * (1 - c);
  const covYI = 2 * t * phi;
  const relativeVariance =
    varX / (a * a) + varY / 4 + varI / (4 * c * c) - covXY / a - covXI / (a * c) + covYI / (2 * c);
  const cos = a / Math.sqrt(c);
  return (cos * Math.sqrt(relativeVariance)) / Math.sqrt(1 - cos * cos);
}

/** Large-d approximation C(t)/√d of the standard deviation of ∠(u, τ_t(u)). */
export function ternaryAngleSd(threshold: number, d: number): number {
  requireInteger('ternaryAngleSd', 'd', d, 1);
  return ternaryAngleSpreadConstant(threshold) / Math.sqrt(d);
}

export interface TernaryOptimum {
  /** The threshold t* (in σ units) that maximises the limiting cosine: ≈ 0.6120031809624809. */
  threshold: number;
  /** The limiting cosine there, √(4t*φ(t*)) ≈ 0.8999033. */
  cosine: number;
  /** The limiting angle there, ≈ 0.4512486 rad ≈ 25.85°. */
  angle: number;
  /** The fraction of zeros there, ≈ 0.4595. */
  zeroFraction: number;
}

/** Bisection stops when the bracket is this narrow (far below the 1e-10 needed). */
const OPTIMUM_TOLERANCE = 1e-14;

/**
 * The threshold maximising the limiting cosine: the root of φ(t) − 2tQ(t), which is positive at
 * t = 0 and negative at t = 1 and decreasing between, found by bisection to 1e-14.
 */
export function optimalTernaryThreshold(): TernaryOptimum {
  const stationarity = (t: number): number => normalPdf(t) - 2 * t * normalSurvival(t);
  let lo = 0;
  let hi = 1;
  while (hi - lo > OPTIMUM_TOLERANCE) {
    const mid = 0.5 * (lo + hi);
    if (stationarity(mid) > 0) lo = mid;
    else hi = mid;
  }
  const threshold = 0.5 * (lo + hi);
  return {
    threshold,
    cosine: ternaryLimitCosine(threshold),
    angle: ternaryLimitAngle(threshold),
    zeroFraction: ternaryZeroFraction(threshold),
  };
}
