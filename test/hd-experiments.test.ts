import { strict as assert } from 'node:assert';
import {
  angleSpreadExperiment,
  binarizationExperiment,
  exponentialCovarianceExperiment,
  randomBinaryVectorExperiment,
  ternaryExperiment,
  zeroFractionExperiment,
} from '../lib/hd/experiments';
import { EMPIRICAL_TERNARY_THRESHOLD } from '../lib/paper-constants';
import { BINARY_ANGLE_SPREAD_CONSTANT, BINARY_LIMIT_ANGLE } from '../lib/hd/theory-binary';
import { binaryVectorAnglePmf } from '../lib/hd/theory-random-pairs';
import { ternaryAngleSpreadConstant, ternaryZeroFraction } from '../lib/hd/theory-ternary';
import { mean, median } from '../lib/stats/summary';
import { assertClose } from './stats-reference';

/** Large-sample standard error of a median of n draws with sd σ from a near-normal law: 1.2533σ/√n. */
const medianSe = (sd: number, n: number): number => (1.2533 * sd) / Math.sqrt(n);

describe('hd: figure experiments (seeded Monte Carlo)', () => {
  it('binarization: d = 1000 medians within 5 SE (+ finite-d bias 5e-4) of arccos √(2/π) and π/2', () => {
    const n = 2000;
    const { byDimension } = binarizationExperiment({ dims: [1000], samples: n, seed: 3 });
    const { selfAngles, pairAngles } = byDimension[0];
    const tolerance = 5 * medianSe(BINARY_ANGLE_SPREAD_CONSTANT / Math.sqrt(1000), n) + 5e-4;
    assertClose(median(selfAngles), BINARY_LIMIT_ANGLE, { atol: tolerance }, 'median ∠(u, sign u)');
    assertClose(median(pairAngles), Math.PI / 2, { atol: 5 * medianSe(1 / Math.sqrt(1000), n) }, 'median ∠(u, v)');
  });

  it('binarization defaults follow the original (d = 3, 10, 27; 10000 samples) and are reproducible', () => {
    const a = binarizationExperiment({ seed: 1 });
    assert.deepEqual(a.byDimension.map((b) => b.d), [3, 10, 27]);
    assert.equal(a.byDimension[2].selfAngles.length, 10000);
    assert.deepEqual(binarizationExperiment({ dims: [5], samples: 50, seed: 1 }), binarizationExperiment({ dims: [5], samples: 50, seed: 1 }));
    assert.notDeepEqual(
      binarizationExperiment({ dims: [5], samples: 50, seed: 1 }).byDimension[0].selfAngles,
      binarizationExperiment({ dims: [5], samples: 50, seed: 2 }).byDimension[0].selfAngles,
    );
  });

  it('random pair at d = 3: the cosine is uniform on [−1, 1] (Archimedes), so E[cos²] = 1/3', () => {
    const { pairAngles } = binarizationExperiment({ dims: [3], samples: 10000, seed: 4 }).byDimension[0];
    // sd(cos²) = √(1/5 − 1/9) ≈ 0.30; 5 SE ≈ 0.015.
    assertClose(mean(pairAngles.map((a) => Math.cos(a) ** 2)), 1 / 3, { atol: 0.015 }, 'E[cos²]');
    assertClose(median(pairAngles.map((a) => Math.abs(Math.cos(a)))), 0.5, { atol: 0.02 }, 'median |cos|');
  });

  it('exponential covariance: a random rotation restores the ≈ 37° angle that the eigenbasis loses', () => {
    const { byDimension, k } = exponentialCovarianceExperiment({ dims: [100, 500], samples: 100, seed: 5 });
    assert.equal(k, 0.1);
    for (const { d, direct, rotated } of byDimension) {
      assert.ok(median(direct) > 1.1, `d=${d}: median direct angle ${median(direct)}`);
      assertClose(median(rotated), BINARY_LIMIT_ANGLE, { atol: 0.05 }, `d=${d} rotated`);
    }
  });

  it('ternary: medians at d = 1000 within 5 SE (+5e-4) of the limit angle; zero fractions match Φ(t) − Φ(−t)', () => {
    const d = 1000;
    const n = 2000;
    const result = ternaryExperiment({ d, samples: n, seed: 6 });
    assert.deepEqual(result.byThreshold.map((b) => b.threshold), [0.01, EMPIRICAL_TERNARY_THRESHOLD, 0.2, 0.3, 0.5]);
    for (const b of result.byThreshold) {
      const tolerance = 5 * medianSe(ternaryAngleSpreadConstant(b.threshold) / Math.sqrt(d), n) + 5e-4;
      assertClose(b.medianAngle, b.limitAngle, { atol: tolerance }, `t=${b.threshold}`);
      assert.equal(b.medianAngle, median(b.angles));
      const z = ternaryZeroFraction(b.threshold);
      assertClose(mean(b.zeroFractions), z, { atol: 5 * Math.sqrt((z * (1 - z)) / (d * n)) }, `zeros t=${b.threshold}`);
    }
    assertClose(median(result.pairAngles), Math.PI / 2, { atol: 5 * medianSe(1 / Math.sqrt(d), n) }, 'pair');
  });

  it('zero fraction against threshold follows Φ(t) − Φ(−t)', () => {
    const d = 1000;
    const n = 200;
    const { thresholds, zeroFractions } = zeroFractionExperiment({ seed: 7 });
    assert.equal(thresholds.length, 31);
    thresholds.forEach((t, i) => {
      const z = ternaryZeroFraction(t);
      assertClose(zeroFractions[i], z, { atol: 5 * Math.sqrt((z * (1 - z)) / (d * n)) }, `t=${t}`);
    });
  });

  it('random binary vectors: angles lie on the pmf support with the pmf frequencies (n = 10)', () => {
    const n = 5000;
    const { angles } = randomBinaryVectorExperiment({ lengths: [10], samples: n, seed: 8 }).byLength[0];
    const pmf = binaryVectorAnglePmf(10);
    const counts = new Float64Array(11);
    for (const a of angles) {
      const k = pmf.angles.findIndex((x) => Math.abs(x - a) < 1e-12);
      assert.ok(k >= 0, `angle ${a} is not arccos((2k − n)/n)`);
      counts[k]++;
    }
    pmf.probabilities.forEach((p, k) => {
      assertClose(counts[k] / n, p, { atol: 5 * Math.sqrt((p * (1 - p)) / n) + 1e-9 }, `atom ${k}`);
    });
  });

  it('random binary vectors at n = 1000 have sd ≈ 1/√n', () => {
    const { angles } = randomBinaryVectorExperiment({ lengths: [1000], samples: 5000, seed: 9 }).byLength[0];
    const m = mean(angles);
    const sd = Math.sqrt(mean(angles.map((a) => (a - m) ** 2)));
    assertClose(sd, 1 / Math.sqrt(1000), { rtol: 0.05 }, 'sd');
  });

  it('angle spread falls as C/√d: log-log slope ≈ −1/2 and sd within 10% of the law for d >= 100', () => {
    for (const threshold of [undefined, 0.5]) {
      const r = angleSpreadExperiment({ dims: [100, 300, 1000, 3000], samples: 800, threshold, seed: 10 });
      assertClose(r.logLogFit.slope, -0.5, { atol: 0.05 }, `slope t=${threshold}`);
      assertClose(r.sd, r.theorySd, { rtol: 0.1 }, `sd t=${threshold}`);
      assert.equal(r.spreadConstant, threshold === undefined ? BINARY_ANGLE_SPREAD_CONSTANT : ternaryAngleSpreadConstant(0.5));
    }
  });

  it('rejects bad dimensions, sample counts and thresholds', () => {
    assert.throws(() => binarizationExperiment({ dims: [0] }), {
      message: 'binarizationExperiment: dims must be an integer >= 1, got 0',
    });
    assert.throws(() => binarizationExperiment({ dims: [] }), {
      message: 'binarizationExperiment: dims is empty; pass at least one value',
    });
    assert.throws(() => exponentialCovarianceExperiment({ samples: 0 }), {
      message: 'exponentialCovarianceExperiment: samples must be an integer >= 1, got 0',
    });
    assert.throws(() => ternaryExperiment({ thresholds: [0.1, -0.2] }), {
      message: 'ternaryExperiment: threshold must be a finite number >= 0, got -0.2',
    });
    assert.throws(() => ternaryExperiment({ d: 0 }), { message: 'ternaryExperiment: d must be an integer >= 1, got 0' });
    assert.throws(() => angleSpreadExperiment({ samples: 1 }), {
      message: 'angleSpreadExperiment: samples must be an integer >= 2, got 1',
    });
    assert.throws(() => randomBinaryVectorExperiment({ seed: 0.5 }), {
      message: 'randomBinaryVectorExperiment: seed must be an integer >= -2147483648, got 0.5',
    });
  });
});
