import { strict as assert } from 'node:assert';
import { randomRotation, rotate, rotatedBinarize, rotateTranspose, type Rotation } from '../lib/hd/rotation';
import {
  exponentialCovarianceVector,
  exponentialScales,
  gaussianVector,
  randomSignVector,
} from '../lib/hd/sampling';
import { angle, binarize, norm } from '../lib/hd/vectors';
import { createRng } from '../lib/stats/random';
import { assertClose } from './stats-reference';

/** max |RᵀR − I|. */
function orthogonalityError(r: Rotation): number {
  const d = r.dimension;
  const m = r.matrix;
  let worst = 0;
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += m[k * d + i] * m[k * d + j];
      worst = Math.max(worst, Math.abs(s - (i === j ? 1 : 0)));
    }
  }
  return worst;
}

/** Determinant by Gaussian elimination with partial pivoting. */
function determinant(r: Rotation): number {
  const d = r.dimension;
  const a = Float64Array.from(r.matrix);
  let det = 1;
  for (let c = 0; c < d; c++) {
    let p = c;
    for (let i = c + 1; i < d; i++) if (Math.abs(a[i * d + c]) > Math.abs(a[p * d + c])) p = i;
    if (p !== c) {
      for (let j = 0; j < d; j++) [a[c * d + j], a[p * d + j]] = [a[p * d + j], a[c * d + j]];
      det = -det;
    }
    det *= a[c * d + c];
    for (let i = c + 1; i < d; i++) {
      const f = a[i * d + c] / a[c * d + c];
      for (let j = c; j < d; j++) a[i * d + j] -= f * a[c * d + j];
    }
  }
  return det;
}

const trace = (r: Rotation): number => {
  let t = 0;
  for (let i = 0; i < r.dimension; i++) t += r.matrix[i * r.dimension + i];
  return t;
};

describe('hd: Haar-random rotations', () => {
  it('are orthogonal (RᵀR = I to 1e-10) with determinant +1 by default', () => {
    const rng = createRng(7);
    for (const d of [1, 2, 3, 7, 60, 200]) {
      const r = randomRotation(rng, d);
      assert.ok(orthogonalityError(r) < 1e-10, `d=${d}: ${orthogonalityError(r)}`);
      if (d <= 60) assertClose(determinant(r), 1, { atol: 1e-10 }, `det d=${d}`);
    }
  });

  it('with special: false give both determinants ±1 (Haar on O(d))', () => {
    const rng = createRng(8);
    const dets = Array.from({ length: 200 }, () => Math.round(determinant(randomRotation(rng, 4, { special: false }))));
    const negatives = dets.filter((x) => x === -1).length;
    assert.equal(negatives + dets.filter((x) => x === 1).length, 200);
    // Binomial(200, 1/2): within ±5 sd = ±35 of 100.
    assert.ok(Math.abs(negatives - 100) < 35, `negative determinants: ${negatives}`);
  });

  it('have the Haar moments E[tr R] = 0, E[tr² R] = 1, E[R₁₁] = 0 and E[R₁₁²] = 1/d (d = 5, 4000 draws)', () => {
    const rng = createRng(9);
    const n = 4000;
    const d = 5;
    let t1 = 0;
    let t2 = 0;
    let q11 = 0;
    let q11Mean = 0;
    for (let s = 0; s < n; s++) {
      const r = randomRotation(rng, d);
      const t = trace(r);
      t1 += t / n;
      t2 += (t * t) / n;
      q11 += r.matrix[0] ** 2 / n;
      q11Mean += r.matrix[0] / n;
    }
    // Standard errors: sd(tr) ≈ 1, sd(tr²) ≈ √2, sd(R₁₁²) ≈ 0.16, over √4000 ≈ 63; tolerances ≈ 5 SE.
    assertClose(t1, 0, { atol: 0.08 }, 'E[tr]');
    assertClose(t2, 1, { atol: 0.12 }, 'E[tr²]');
    assertClose(q11, 1 / d, { atol: 0.013 }, 'E[R11²]');
    // Without the sign correction R₁₁ = −|A₁₁|/||A₁|| would always be negative.
    assertClose(q11Mean, 0, { atol: 0.035 }, 'E[R11]');
  });

  it('are reproducible from the seed', () => {
    assert.deepEqual(randomRotation(createRng(1), 6).matrix, randomRotation(createRng(1), 6).matrix);
    assert.notDeepEqual(randomRotation(createRng(1), 6).matrix, randomRotation(createRng(2), 6).matrix);
  });

  it('rotate preserves norms and rotateTranspose inverts it', () => {
    const rng = createRng(10);
    const r = randomRotation(rng, 30);
    const x = gaussianVector(rng, 30);
    const y = rotate(r, x);
    assertClose(norm(y), norm(x), { rtol: 1e-13 }, 'norm');
    assertClose(rotateTranspose(r, y), x, { atol: 1e-13 }, 'inverse');
  });

  it('rotatedBinarize satisfies ∠(u, Rᵀ sign(Ru)) = ∠(Ru, sign(Ru))', () => {
    const rng = createRng(12);
    const r = randomRotation(rng, 40);
    const u = gaussianVector(rng, 40);
    const ru = rotate(r, u);
    assertClose(angle(u, rotatedBinarize(r, u)), angle(ru, binarize(ru)), { rtol: 1e-12 }, 'angle');
  });

  it('rejects d < 1 and vectors of the wrong length', () => {
    assert.throws(() => randomRotation(createRng(1), 0), { message: 'randomRotation: d must be an integer >= 1, got 0' });
    const r = randomRotation(createRng(1), 3);
    assert.throws(() => rotate(r, [1, 2]), {
      message: 'rotate: x has length 2 but the rotation is 3×3; pass a vector of length 3',
    });
  });
});

describe('hd: random vectors', () => {
  it('exponentialScales are exp(k(i − d/2))', () => {
    assertClose(exponentialScales(4, 0.1), [Math.exp(-0.2), Math.exp(-0.1), 1, Math.exp(0.1)], { rtol: 1e-15 }, 'scales');
  });

  it('exponentialCovarianceVector has coordinate variances exp(2k(i − d/2))', () => {
    const rng = createRng(4);
    const n = 20000;
    const sums = new Float64Array(3);
    for (let s = 0; s < n; s++) {
      const u = exponentialCovarianceVector(rng, 3, 1);
      for (let i = 0; i < 3; i++) sums[i] += (u[i] * u[i]) / n;
    }
    // Relative SE of a variance estimate: √(2/n) ≈ 0.01; tolerance 5%.
    assertClose(sums, [Math.exp(-3), Math.exp(-1), Math.exp(1)], { rtol: 0.05 }, 'variances');
  });

  it('randomSignVector gives fair ±1 entries across 32-bit word boundaries', () => {
    const v = randomSignVector(createRng(5), 100003);
    assert.ok(v.every((x) => x === 1 || x === -1));
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    assert.ok(Math.abs(mean) < 5 / Math.sqrt(v.length), `mean ${mean}`);
    // Neighbouring entries are uncorrelated (lag-1 and lag-32 products average to 0).
    for (const lag of [1, 32]) {
      let c = 0;
      for (let i = lag; i < v.length; i++) c += v[i] * v[i - lag];
      assert.ok(Math.abs(c / v.length) < 5 / Math.sqrt(v.length), `lag ${lag}: ${c / v.length}`);
    }
  });

  it('rejects d < 1', () => {
    assert.throws(() => gaussianVector(createRng(1), 0), { message: 'gaussianVector: d must be an integer >= 1, got 0' });
    assert.throws(() => exponentialScales(2.5, 0.1), { message: 'exponentialScales: d must be an integer >= 1, got 2.5' });
    assert.throws(() => exponentialScales(3, Infinity), { message: 'exponentialScales: k must be a finite number, got Infinity' });
  });
});
