/**
 * Haar-random rotations and their action on vectors.
 *
 * A Haar (uniformly distributed) orthogonal matrix is the Q factor of a d×d standard Gaussian
 * matrix A = QR once each column of Q is multiplied by the sign of the matching diagonal entry of
 * R, which makes the factorization unique (R with positive diagonal) and Q's law invariant under
 * left multiplication by any orthogonal matrix (Mezzadri 2007, "How to generate random matrices
 * from the classical compact groups", Notices AMS 54(5)). The QR is a Householder QR on flat
 * column-major Float64Arrays: about (8/3)d³ flops, ~0.1–0.3 s at d = 500 (ml-matrix's QR took
 * ~1 s there). With `special` (the default) the last column is negated when det Q = −1, which
 * gives the Haar law on SO(d), like the original notebook's `random_rot`.
 */
import type { Rng } from '../stats/random';
import { requireInteger } from '../stats/validate';
import { binarize } from './vectors';

export interface Rotation {
  readonly dimension: number;
  /** Row-major d×d orthogonal matrix: entry (i, j) at matrix[i·d + j]. */
  readonly matrix: Float64Array;
}

export interface RandomRotationOptions {
  /** Force det = +1 (Haar on SO(d)); false gives Haar on O(d), det ±1. Default true. */
  special?: boolean;
}

/** Householder vector (unit length) sending x to ±||x||e₁, written into v; returns alpha = R_kk. */
function householder(x: Float64Array, v: Float64Array): number {
  let ss = 0;
  for (let i = 0; i < x.length; i++) ss += x[i] * x[i];
  const normX = Math.sqrt(ss);
  if (normX === 0) return 0;
  // alpha = −sign(x₀)·||x|| avoids cancellation in v₀ = x₀ − alpha.
  const alpha = x[0] >= 0 ? -normX : normX;
  v.set(x);
  v[0] -= alpha;
  let vv = 0;
  for (let i = 0; i < v.length; i++) vv += v[i] * v[i];
  const scale = 1 / Math.sqrt(vv);
  for (let i = 0; i < v.length; i++) v[i] *= scale;
  return alpha;
}

/** Applies H = I − 2vvᵀ to rows k… of column `col` of a column-major d×d matrix. */
function reflectColumn(m: Float64Array, d: number, k: number, col: number, v: Float64Array): void {
  const base = col * d + k;
  let w = 0;
  for (let i = 0; i < v.length; i++) w += v[i] * m[base + i];
  w *= 2;
  for (let i = 0; i < v.length; i++) m[base + i] -= w * v[i];
}

/** A Haar-random d×d rotation (see the module comment for the construction). */
export function randomRotation(rng: Rng, d: number, options: RandomRotationOptions = {}): Rotation {
  requireInteger('randomRotation', 'd', d, 1);
  const a = new Float64Array(d * d); // column-major Gaussian matrix, overwritten by R
  for (let i = 0; i < a.length; i++) a[i] = rng.normal();
  const reflectors: (Float64Array | null)[] = [];
  const diagonalSign = new Float64Array(d);
  for (let k = 0; k < d - 1; k++) {
    const v = new Float64Array(d - k);
    const alpha = householder(a.subarray(k * d + k, (k + 1) * d), v);
    reflectors.push(alpha === 0 ? null : v); // a zero column (probability 0) needs no reflection
    for (let j = k + 1; j < d && alpha !== 0; j++) reflectColumn(a, d, k, j, v);
    diagonalSign[k] = alpha < 0 ? -1 : 1;
  }
  diagonalSign[d - 1] = a[d * d - 1] < 0 ? -1 : 1;

  // Q = H₀H₁…H_{d−2}, accumulated from the right onto the identity.
  const q = new Float64Array(d * d);
  for (let i = 0; i < d; i++) q[i * d + i] = 1;
  for (let k = d - 2; k >= 0; k--) {
    const v = reflectors[k];
    if (v !== null) for (let j = k; j < d; j++) reflectColumn(q, d, k, j, v);
  }
  // Each reflection has determinant −1; the sign flips multiply in.
  let det = reflectors.filter((v) => v !== null).length % 2 === 0 ? 1 : -1;
  for (let j = 0; j < d; j++) det *= diagonalSign[j];
  const columnSign = Float64Array.from(diagonalSign);
  if ((options.special ?? true) && det < 0) columnSign[d - 1] = -columnSign[d - 1];

  const matrix = new Float64Array(d * d); // row-major, with the column signs applied
  for (let j = 0; j < d; j++) {
    for (let i = 0; i < d; i++) matrix[i * d + j] = q[j * d + i] * columnSign[j];
  }
  return { dimension: d, matrix };
}

function checkVector(where: string, rotation: Rotation, x: ArrayLike<number>): void {
  const d = rotation.dimension;
  if (x.length !== d) {
    throw new Error(`${where}: x has length ${x.length} but the rotation is ${d}×${d}; pass a vector of length ${d}`);
  }
}

/** R x. */
export function rotate(rotation: Rotation, x: ArrayLike<number>): Float64Array {
  checkVector('rotate', rotation, x);
  const d = rotation.dimension;
  const m = rotation.matrix;
  const out = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let s = 0;
    const row = i * d;
    for (let j = 0; j < d; j++) s += m[row + j] * x[j];
    out[i] = s;
  }
  return out;
}

/** Rᵀ x (= R⁻¹ x). */
export function rotateTranspose(rotation: Rotation, x: ArrayLike<number>): Float64Array {
  checkVector('rotateTranspose', rotation, x);
  const d = rotation.dimension;
  const m = rotation.matrix;
  const out = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    const xi = x[i];
    const row = i * d;
    for (let j = 0; j < d; j++) out[j] += m[row + j] * xi;
  }
  return out;
}

/**
 * Binarization in a rotated basis, θ_R(u) = Rᵀ sign(R u). Since R is orthogonal,
 * ∠(u, θ_R(u)) = ∠(Ru, sign(Ru)); hd_figures.ipynb computes the latter with Rᵀ in place of R,
 * which has the same law when R is Haar.
 */
export function rotatedBinarize(rotation: Rotation, u: ArrayLike<number>): Float64Array {
  return rotateTranspose(rotation, binarize(rotate(rotation, u)));
}
