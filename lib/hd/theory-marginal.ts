/**
 * Binarization angles for weights of any shape. For any vector w, cos∠(w, sign w) =
 * ||w||₁ / (√d·||w||₂) exactly, so for coordinates drawn i.i.d. from a marginal law the cosine tends
 * to ρ = E|w| / √(E w²) and the angle to arccos ρ. The paper's √(2/π) (37.07°) is the Gaussian's ρ;
 * a uniform marginal (the Glorot-uniform initialisation) gives √3/2 (30°), a Laplace one 1/√2 (45°).
 *
 * Finite d, to first order in 1/d (delta method on A = mean|wᵢ|, B = mean wᵢ², cos = A/√B), from the
 * marginal's absolute moments μₚ = E|w|ᵖ, p = 1…4:
 *   d·Var(cos) → (μ₂ − μ₁²)/μ₂ − μ₁(μ₃ − μ₁μ₂)/μ₂² + μ₁²(μ₄ − μ₂²)/(4μ₂³),
 *   E cos − ρ ≈ (−Cov(A, B)/(2μ₂^{3/2}) + 3μ₁Var(B)/(8μ₂^{5/2})),
 * and the angle follows through arccos to second order. For the Gaussian this gives the spread
 * constant √((π − 3)/(π − 2)) of theory-binary.ts.
 *
 * The generalised normal family, density ∝ exp(−|w/α|^β), has μₚ = αᵖ·Γ((p+1)/β)/Γ(1/β):
 * β = 1 is Laplace, β = 2 Gaussian, β → ∞ uniform; ρ = Γ(2/β)/√(Γ(1/β)Γ(3/β)) rises with β.
 */
import gammaDeltaRatio from '@stdlib/math-base-special-gamma-delta-ratio';
import { requireInteger } from '../stats/validate';

/** Absolute moments E|w|ᵖ, p = 1…4, of a marginal law (scale-free: only their ratios matter). */
export interface MarginalMoments {
  m1: number;
  m2: number;
  m3: number;
  m4: number;
}

/** lim arccos ρ for a uniform marginal: arccos(√3/2) = 30°. */
export const UNIFORM_LIMIT_ANGLE = Math.acos(Math.sqrt(3) / 2);
/** lim arccos ρ for a Laplace marginal: arccos(1/√2) = 45°. */
export const LAPLACE_LIMIT_ANGLE = Math.PI / 4;

/** Smallest and largest shapes the fit and the figure consider (ρ spans 0.33…0.866 between them). */
export const SHAPE_RANGE: readonly [number, number] = [0.2, 200];

function requireShape(where: string, beta: number): void {
  if (!(beta > 0) || !Number.isFinite(beta)) throw new Error(`${where}: shape β = ${beta}; it must be a positive number.`);
}

/** E|w|ᵖ (p = 1…4) of the generalised normal law with shape β and scale 1: Γ((p+1)/β)/Γ(1/β). */
export function generalizedNormalMoments(beta: number): MarginalMoments {
  requireShape('generalizedNormalMoments', beta);
  // gammaDeltaRatio(z, δ) = Γ(z)/Γ(z + δ), stable where the Γ values themselves overflow.
  const moment = (p: number) => 1 / gammaDeltaRatio(1 / beta, p / beta);
  return { m1: moment(1), m2: moment(2), m3: moment(3), m4: moment(4) };
}

/**
 * Absolute moments of a sample (a layer's weights). Throws when they do not define an angle: fewer
 * than two values, or all zero.
 */
export function empiricalMoments(values: ArrayLike<number>): MarginalMoments {
  if (values.length < 2) throw new Error(`empiricalMoments: ${values.length} value(s); the spread of a marginal needs at least 2.`);
  let m1 = 0;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let i = 0; i < values.length; i++) {
    const a = Math.abs(values[i]);
    const a2 = a * a;
    m1 += a;
    m2 += a2;
    m3 += a2 * a;
    m4 += a2 * a2;
  }
  const n = values.length;
  if (!(m2 > 0) || !Number.isFinite(m4)) throw new Error('empiricalMoments: the values are all zero (or not finite); they define no angle.');
  return { m1: m1 / n, m2: m2 / n, m3: m3 / n, m4: m4 / n };
}

/** ρ = E|w| / √(E w²): the limit of cos∠(w, sign w) as d → ∞. */
export function marginalLimitCosine(m: MarginalMoments): number {
  return m.m1 / Math.sqrt(m.m2);
}

/** arccos ρ: the limit of ∠(w, sign w) as d → ∞ (radians). */
export function marginalLimitAngle(m: MarginalMoments): number {
  return Math.acos(marginalLimitCosine(m));
}

/** Kurtosis about zero, E w⁴ / (E w²)²: 3 for a Gaussian, 1.8 uniform, 6 Laplace. */
export function marginalKurtosis(m: MarginalMoments): number {
  return m.m4 / (m.m2 * m.m2);
}

/** Variances and covariance of one coordinate's |w| and w², which the delta method propagates. */
function coordinateCovariance(m: MarginalMoments) {
  return { varA: m.m2 - m.m1 * m.m1, varB: m.m4 - m.m2 * m.m2, covAB: m.m3 - m.m1 * m.m2 };
}

/** Mean and sd of cos∠(w, sign w) at dimension d, to first order in 1/d (see the module comment). */
export function marginalCosine(m: MarginalMoments, d: number): { mean: number; sd: number } {
  requireInteger('marginalCosine', 'd', d, 1);
  const { varA, varB, covAB } = coordinateCovariance(m);
  const rho = marginalLimitCosine(m);
  const variance = (varA / m.m2 - (m.m1 * covAB) / (m.m2 * m.m2) + (m.m1 * m.m1 * varB) / (4 * m.m2 ** 3)) / d;
  const bias = (-covAB / (2 * m.m2 ** 1.5) + (3 * m.m1 * varB) / (8 * m.m2 ** 2.5)) / d;
  return { mean: rho + bias, sd: Math.sqrt(Math.max(0, variance)) };
}

/**
 * Mean and sd of ∠(w, sign w) (radians) at dimension d for i.i.d. coordinates with moments m: the
 * cosine's mean and variance carried through arccos to second order.
 */
export function marginalAngle(m: MarginalMoments, d: number): { mean: number; sd: number } {
  const cosine = marginalCosine(m, d);
  const rho = marginalLimitCosine(m);
  const slope = -1 / Math.sqrt(1 - rho * rho);
  const curvature = -rho / (1 - rho * rho) ** 1.5;
  const mean = Math.acos(rho) + slope * (cosine.mean - rho) + 0.5 * curvature * cosine.sd * cosine.sd;
  return { mean, sd: Math.abs(slope) * cosine.sd };
}

/**
 * The generalised-normal shape β whose limit cosine equals ρ (bisection on log β; ρ rises with β).
 * ρ at or past the uniform's √3/2 gives Infinity (flatter than uniform); below the range's lower
 * end, SHAPE_RANGE[0].
 */
export function fitGeneralizedNormalShape(rho: number): number {
  if (!(rho > 0 && rho <= 1)) throw new Error(`fitGeneralizedNormalShape: ρ = ${rho}; it must lie in (0, 1].`);
  const cosineAt = (beta: number) => marginalLimitCosine(generalizedNormalMoments(beta));
  let [lo, hi] = SHAPE_RANGE.map(Math.log);
  if (rho >= Math.sqrt(3) / 2) return Infinity;
  if (rho <= cosineAt(SHAPE_RANGE[0])) return SHAPE_RANGE[0];
  if (rho >= cosineAt(SHAPE_RANGE[1])) return SHAPE_RANGE[1];
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (cosineAt(Math.exp(mid)) < rho) lo = mid;
    else hi = mid;
  }
  return Math.exp((lo + hi) / 2);
}
