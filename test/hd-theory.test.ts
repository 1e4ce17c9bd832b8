import { strict as assert } from 'node:assert';
import { gaussianVector } from '../lib/hd/sampling';
import {
  BINARY_ANGLE_SPREAD_CONSTANT,
  BINARY_LIMIT_ANGLE,
  BINARY_LIMIT_COSINE,
  binaryAngleSd,
  binaryCosineMean,
  binaryCosineSd,
  expectedL1Norm,
  expectedL2Norm,
} from '../lib/hd/theory-binary';
import {
  binaryVectorAngleKernelDensity,
  binaryVectorAngleLimit,
  binaryVectorAnglePmf,
  gaussianPairAngleDensity,
} from '../lib/hd/theory-random-pairs';
import {
  optimalTernaryThreshold,
  ternaryAngleSd,
  ternaryAngleSpreadConstant,
  ternaryLimitAngle,
  ternaryLimitCosine,
  ternaryZeroFraction,
} from '../lib/hd/theory-ternary';
import { binarize, cosine, ternarize } from '../lib/hd/vectors';
import { createRng } from '../lib/stats/random';
import { normalPdf } from '../lib/stats/normal';
import { mean, standardDeviation } from '../lib/stats/summary';
import { assertClose, reference } from './stats-reference';

const ref = reference.theory;
const DEGREE = Math.PI / 180;

/** Trapezoid rule on an even grid. */
function integrate(values: ArrayLike<number>, step: number): number {
  let s = 0;
  for (let i = 1; i < values.length; i++) s += 0.5 * (values[i] + values[i - 1]) * step;
  return s;
}

/** Cosines of n sampled angles ∠(u, q(u)), u ~ N(0, I_d). */
function sampledCosines(seed: number, d: number, n: number, q: (u: Float64Array) => Float64Array): Float64Array {
  const rng = createRng(seed);
  return Float64Array.from({ length: n }, () => {
    const u = gaussianVector(rng, d);
    return cosine(u, q(u));
  });
}

describe('hd theory: binarization', () => {
  it('the limit angle is arccos √(2/π) = 0.6470185995563307 rad ≈ 37.07°', () => {
    // mpmath at 30 digits: acos(sqrt(2/pi)) = 0.647018599556330786106591855582.
    assertClose(BINARY_LIMIT_ANGLE, 0.6470185995563308, { rtol: 2e-16 }, 'radians');
    assert.equal(BINARY_LIMIT_COSINE, Math.sqrt(2 / Math.PI));
    assertClose(BINARY_LIMIT_ANGLE / DEGREE, 37.0714, { atol: 1e-4 }, 'degrees');
  });

  it('exact norms: E||u||₁ = d√(2/π), E||u||₂ = √2 Γ((d+1)/2)/Γ(d/2) (40-digit reference)', () => {
    ref.dims.forEach((d, i) => {
      assertClose(expectedL2Norm(d), ref.chiMean[i], { rtol: 1e-14 }, `E||u||₂ d=${d}`);
      assertClose(expectedL1Norm(d), d * Math.sqrt(2 / Math.PI), { rtol: 1e-15 }, `E||u||₁ d=${d}`);
    });
  });

  it('exact E[cos] is 1 at d = 1, 2√2/π at d = 2, and √(2/π)(1 + 1/(4d)) for large d', () => {
    assertClose(binaryCosineMean(1), 1, { rtol: 1e-14 }, 'd=1');
    assertClose(binaryCosineMean(2), (2 * Math.SQRT2) / Math.PI, { rtol: 1e-14 }, 'd=2');
    assertClose(binaryCosineMean(100000), BINARY_LIMIT_COSINE * (1 + 1 / 400000), { rtol: 1e-10 }, 'large d');
    // At d = 1 the cosine is always 1; the variance is a difference of O(1) numbers, exact to ~1e-16.
    assert.ok(binaryCosineSd(1) < 2e-8, `sd at d=1: ${binaryCosineSd(1)}`);
  });

  it('exact mean and sd of the cosine agree with sampling at d = 3 and 27 (20000 draws)', () => {
    for (const d of [3, 27]) {
      const c = sampledCosines(d, d, 20000, binarize);
      const sd = binaryCosineSd(d);
      // 5 standard errors of the mean; the sample sd to 5%.
      assertClose(mean(c), binaryCosineMean(d), { atol: (5 * sd) / Math.sqrt(20000) }, `mean d=${d}`);
      assertClose(standardDeviation(c, 1), sd, { rtol: 0.05 }, `sd d=${d}`);
    }
  });

  it('the angle spread constant is √((π−3)/(π−2)) and the ternary formula at t = 0', () => {
    // mpmath at 30 digits: sqrt((pi - 3)/(pi - 2)) = 0.352180071920524301261044609239.
    assertClose(BINARY_ANGLE_SPREAD_CONSTANT, 0.3521800719205243, { rtol: 1e-14 }, 'C');
    assertClose(ternaryAngleSpreadConstant(0), BINARY_ANGLE_SPREAD_CONSTANT, { rtol: 1e-14 }, 'C(0)');
    assertClose(binaryAngleSd(400), BINARY_ANGLE_SPREAD_CONSTANT / 20, { rtol: 1e-15 }, 'sd(400)');
  });

  it('the exact cosine sd times √d tends to √(1 − 3/π), the delta-method value', () => {
    assertClose(binaryCosineSd(100000) * Math.sqrt(100000), Math.sqrt(1 - 3 / Math.PI), { rtol: 1e-3 }, 'sd√d');
  });
});

describe('hd theory: ternarization', () => {
  it('limit cosine and zero fraction match SciPy at several thresholds', () => {
    assertClose(ref.thresholds.map(ternaryLimitCosine), ref.ternaryCosine, { rtol: 1e-13 }, 'cos');
    assertClose(ref.thresholds.map(ternaryZeroFraction), ref.zeroFraction, { rtol: 1e-13, atol: 1e-16 }, 'zeros');
    assert.equal(ternaryLimitCosine(0), BINARY_LIMIT_COSINE);
    assertClose(ternaryZeroFraction(0.02 / 0.18), 0.08847, { atol: 1e-5 }, 'zeros at 0.02/0.18');
  });

  it('the optimal threshold is 0.6120031809624809σ: derivative zero, larger than its neighbours', () => {
    const opt = optimalTernaryThreshold();
    assertClose(opt.threshold, ref.optimalThreshold, { atol: 1e-10 }, 't*');
    const h = 1e-5;
    const slope = (ternaryLimitCosine(opt.threshold + h) - ternaryLimitCosine(opt.threshold - h)) / (2 * h);
    assert.ok(Math.abs(slope) < 1e-9, `derivative ${slope}`);
    for (const dt of [-0.05, -1e-3, 1e-3, 0.05]) {
      assert.ok(ternaryLimitCosine(opt.threshold + dt) < opt.cosine, `t* ${dt >= 0 ? '+' : ''}${dt}`);
    }
    // At the optimum cos² = 4t·φ(t).
    assertClose(opt.cosine ** 2, 4 * opt.threshold * normalPdf(opt.threshold), { rtol: 1e-12 }, 'cos² = 4tφ');
    assertClose(opt.angle / DEGREE, 25.8546, { atol: 1e-4 }, 'angle in degrees');
    assertClose(opt.zeroFraction, 0.45946, { atol: 1e-5 }, 'zero fraction');
  });

  it('the delta-method spread C(t)/√d matches sampling at d = 1000 (t = 0.3 and 1; 3000 draws)', () => {
    for (const t of [0.3, 1]) {
      const angles = sampledCosines(7, 1000, 3000, (u) => ternarize(u, t)).map(Math.acos);
      // SE of a sample sd is sd/√(2n) ≈ 1.3%; tolerance 7%.
      assertClose(standardDeviation(angles, 1), ternaryAngleSd(t, 1000), { rtol: 0.07 }, `sd t=${t}`);
      assertClose(mean(angles), ternaryLimitAngle(t), { atol: 2e-3 }, `mean t=${t}`);
    }
  });

  it('rejects negative thresholds and d < 1', () => {
    assert.throws(() => ternaryLimitCosine(-0.5), {
      message: 'ternaryLimitCosine: threshold must be a finite number >= 0, got -0.5',
    });
    assert.throws(() => ternaryZeroFraction(-1), { message: 'ternaryZeroFraction: threshold must be a finite number >= 0, got -1' });
    assert.throws(() => ternaryAngleSd(0.5, 0), { message: 'ternaryAngleSd: d must be an integer >= 1, got 0' });
    assert.throws(() => binaryCosineMean(0), { message: 'binaryCosineMean: d must be an integer >= 1, got 0' });
  });
});

describe('hd theory: random pairs', () => {
  it('the Gaussian pair-angle density matches the SciPy-evaluated formula and integrates to 1', () => {
    ref.pairAngle.d.forEach((d, i) => {
      const density = gaussianPairAngleDensity(ref.pairAngle.theta, d);
      assertClose(density, ref.pairAngle.density[i], { rtol: 1e-12, atol: 1e-300 }, `d=${d}`);
      const step = Math.PI / 4000;
      const fine = gaussianPairAngleDensity(Float64Array.from({ length: 4001 }, (_, k) => k * step), d);
      assertClose(integrate(fine, step), 1, { atol: 1e-6 }, `∫ d=${d}`);
    });
    assert.deepEqual(Array.from(gaussianPairAngleDensity([-0.1, 4], 5)), [0, 0]);
  });

  it('binary-vector angle pmf: binomial weights on arccos((2k − n)/n), summing to 1', () => {
    for (const n of [10, 100, 1000]) {
      const { angles, probabilities } = binaryVectorAnglePmf(n);
      assertClose(probabilities, ref.binomial[String(n)], { rtol: 1e-11, atol: 1e-300 }, `pmf n=${n}`);
      assertClose(probabilities.reduce((a, b) => a + b, 0), 1, { atol: 1e-12 }, `sum n=${n}`);
      assert.ok(angles.every((a, i) => i === 0 || a > angles[i - 1]), 'increasing angles');
      // The cosine has variance exactly 1/n.
      const variance = angles.reduce((s, a, i) => s + probabilities[i] * Math.cos(a) ** 2, 0);
      assertClose(variance, 1 / n, { rtol: 1e-10 }, `Var cos n=${n}`);
    }
    const { angles } = binaryVectorAnglePmf(10);
    assert.equal(angles[0], 0);
    assert.equal(angles[10], Math.PI);
    assertClose(angles[1], Math.acos(0.8), { rtol: 1e-15 }, 'second atom');
  });

  it('the Gaussian limit has mean π/2 and sd 1/√n, close to the pmf at n = 1000', () => {
    const { mean: m, sd } = binaryVectorAngleLimit(1000);
    assert.equal(m, Math.PI / 2);
    const { angles, probabilities } = binaryVectorAnglePmf(1000);
    const pmfMean = angles.reduce((s, a, i) => s + probabilities[i] * a, 0);
    const pmfSd = Math.sqrt(angles.reduce((s, a, i) => s + probabilities[i] * (a - pmfMean) ** 2, 0));
    assertClose(pmfMean, m, { atol: 1e-12 }, 'mean');
    assertClose(pmfSd, sd, { rtol: 1e-3 }, 'sd');
  });

  it('the smoothed pmf integrates to 1', () => {
    const step = 0.001;
    const grid = Float64Array.from({ length: 3142 }, (_, k) => k * step);
    assertClose(integrate(binaryVectorAngleKernelDensity(grid, 100, 0.02), step), 1, { atol: 1e-6 }, '∫');
  });

  it('rejects bad sizes and widths', () => {
    assert.throws(() => gaussianPairAngleDensity([1], 1), { message: 'gaussianPairAngleDensity: d must be an integer >= 2, got 1' });
    assert.throws(() => binaryVectorAnglePmf(0), { message: 'binaryVectorAnglePmf: n must be an integer >= 1, got 0' });
    assert.throws(() => binaryVectorAngleKernelDensity([1], 10, 0), {
      message: 'binaryVectorAngleKernelDensity: width must be a finite number > 0, got 0',
    });
  });
});
