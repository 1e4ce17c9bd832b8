/**
 * Vectors as Float64Array: inner products, angles, and the quantizers studied by Anderson & Berg
 * (2018): binarization θ(x) = sign(x), ternarization with a threshold, and the straight-through
 * clip used for the backward pass.
 */
import { requireNonNegative, requireSameLength } from '../stats/validate';

/** Inner product a·b. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  requireSameLength('dot', ['a', 'b'], a, b);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Euclidean norm ||a||₂. */
export function norm(a: ArrayLike<number>): number {
  return Math.sqrt(dot(a, a));
}

function cosineChecked(where: string, a: ArrayLike<number>, b: ArrayLike<number>): number {
  requireSameLength(where, ['a', 'b'], a, b);
  const denominator = Math.sqrt(dot(a, a) * dot(b, b));
  if (denominator === 0) return 1;
  // Rounding can push |cos| a hair past 1 for (anti)parallel vectors.
  return Math.max(-1, Math.min(1, dot(a, b) / denominator));
}

/** Cosine of the angle between a and b; 1 when either is the zero vector (angle 0, as the original). */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return cosineChecked('cosine', a, b);
}

/** Angle ∠(a, b) in radians, in [0, π]; 0 when either vector is zero (hd_figures' convention). */
export function angle(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return Math.acos(cosineChecked('angle', a, b));
}

/** Elementwise sign with sign(0) = +1 (the original maps 0 to 0; the difference has probability 0 for continuous data). */
export function binarize(x: ArrayLike<number>): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i] < 0 ? -1 : 1;
  return out;
}

/** Ternarization sign(x)·[|x| > threshold]: entries with |x| <= threshold become 0. */
export function ternarize(x: ArrayLike<number>, threshold: number): Float64Array {
  requireNonNegative('ternarize', 'threshold', threshold);
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    out[i] = x[i] > threshold ? 1 : x[i] < -threshold ? -1 : 0;
  }
  return out;
}

/**
 * The straight-through estimator's clip, min(max(x, −1), 1): the function whose derivative
 * 1{|x| <= 1} replaces sign's (zero) derivative in the backward pass.
 */
export function clipSte(x: ArrayLike<number>): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = Math.max(-1, Math.min(1, x[i]));
  return out;
}

/**
 * ∠(u, ternarize(u, t)) for several thresholds at once, plus the number of zeros of each
 * ternarization, in one pass over u without building the ternarized vectors: with
 * τ = ternarize(u, t), u·τ = Σ|uᵢ|·1{|uᵢ| > t} and ||τ||² = #{i : |uᵢ| > t}. Angles are 0 when
 * u or τ is the zero vector, as in `angle`.
 */
export function ternarizationAngles(
  u: ArrayLike<number>,
  thresholds: ArrayLike<number>,
): { angles: Float64Array; zeroCounts: Float64Array } {
  const m = thresholds.length;
  for (let j = 0; j < m; j++) requireNonNegative('ternarizationAngles', 'threshold', thresholds[j]);
  const t = Float64Array.from(thresholds);
  const inner = new Float64Array(m);
  const kept = new Float64Array(m);
  let squares = 0;
  for (let i = 0; i < u.length; i++) {
    const a = Math.abs(u[i]);
    squares += a * a;
    for (let j = 0; j < m; j++) {
      if (a > t[j]) {
        inner[j] += a;
        kept[j]++;
      }
    }
  }
  const angles = new Float64Array(m);
  const zeroCounts = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    const denominator = Math.sqrt(squares * kept[j]);
    angles[j] = denominator === 0 ? 0 : Math.acos(Math.min(1, inner[j] / denominator));
    zeroCounts[j] = u.length - kept[j];
  }
  return { angles, zeroCounts };
}
