/**
 * Binarization angles for weights of any shape (lib/hd/theory-marginal.ts): the three known limits,
 * the Gaussian case against theory-binary.ts's exact results, Monte Carlo at d = 1000 for Laplace,
 * Gaussian and near-uniform shapes, the empirical marginal of a sample, and the shape fit.
 */
import { strict as assert } from 'node:assert';
import { weightShapeExperiment } from '../lib/hd/experiments';
import { weightShapeData } from '../lib/hd/figure-data';
import { generalizedNormalVector } from '../lib/hd/sampling';
import { BINARY_ANGLE_SPREAD_CONSTANT, BINARY_LIMIT_ANGLE, binaryCosineMean } from '../lib/hd/theory-binary';
import {
  empiricalMoments, fitGeneralizedNormalShape, generalizedNormalMoments, marginalAngle, marginalCosine, marginalKurtosis, marginalLimitAngle,
} from '../lib/hd/theory-marginal';
import { weightShapeChart } from '../lib/figures/hd';
import { weightShapeNumbers } from '../lib/figures/hd-numbers';
import { createRng, gammaVariate } from '../lib/stats/random';
import { mean, variance } from '../lib/stats/summary';

const deg = (rad: number) => (rad * 180) / Math.PI;

describe('binarization angle for a marginal of any shape', () => {
  it('has the known limits: Laplace 45°, Gaussian arccos √(2/π) = 37.0714°, uniform 30° (β → ∞)', () => {
    assert.ok(Math.abs(deg(marginalLimitAngle(generalizedNormalMoments(1))) - 45) < 1e-9);
    assert.ok(Math.abs(marginalLimitAngle(generalizedNormalMoments(2)) - BINARY_LIMIT_ANGLE) < 1e-12);
    assert.equal(deg(BINARY_LIMIT_ANGLE).toFixed(4), '37.0714');
    assert.ok(Math.abs(deg(marginalLimitAngle(generalizedNormalMoments(1e4))) - 30) < 0.01);
    assert.ok(Math.abs(deg(marginalLimitAngle(empiricalMoments(Float64Array.from({ length: 200001 }, (_, i) => i / 100000 - 1)))) - 30) < 1e-3);
    for (const [beta, kurtosis] of [[1, 6], [2, 3], [1e4, 1.8]]) {
      assert.ok(Math.abs(marginalKurtosis(generalizedNormalMoments(beta)) - kurtosis) < 1e-3, `kurtosis at β = ${beta}`);
    }
  });

  it('reproduces the Gaussian closed forms: the spread constant √((π−3)/(π−2)) and E cos = √(2/π)(1 + 1/(4d)) to O(1/d²)', () => {
    const gauss = generalizedNormalMoments(2);
    const d = 500;
    assert.ok(Math.abs(marginalAngle(gauss, d).sd * Math.sqrt(d) - BINARY_ANGLE_SPREAD_CONSTANT) < 1e-12);
    assert.ok(Math.abs(marginalCosine(gauss, d).mean - binaryCosineMean(d)) < 1e-6);
  });

  it('matches Monte Carlo at d = 1000 (mean within 4 standard errors, sd within 10%) for Laplace, Gaussian and flat shapes', () => {
    const result = weightShapeExperiment({ d: 1000, samples: 400, shapes: [1, 2, 8], seed: 4 });
    for (const { beta, angles, meanAngle, sdAngle } of result.byShape) {
      const theory = marginalAngle(generalizedNormalMoments(beta), 1000);
      const se = sdAngle / Math.sqrt(angles.length);
      assert.ok(Math.abs(meanAngle - theory.mean) < 4 * se, `β = ${beta}: mean ${deg(meanAngle)}° vs ${deg(theory.mean)}° (se ${deg(se)}°)`);
      assert.ok(Math.abs(sdAngle / theory.sd - 1) < 0.1, `β = ${beta}: sd ${deg(sdAngle)}° vs ${deg(theory.sd)}°`);
    }
    const numbers = weightShapeNumbers(result);
    assert.deepEqual(numbers.map((n) => n.key).slice(0, 2), ['hd.shape.b1.meanAngle', 'hd.shape.b1.sdAngle']);
    const data = weightShapeData(result);
    assert.match(data.subtitle, /means within \d\.\d standard errors of the finite-d closed form/);
    assert.equal(JSON.stringify(weightShapeChart(data)).includes('uniform 30°'), true);
  });

  it('samples the generalised normal law: unit-scale moments E|w|, E w² as the closed form says', () => {
    const rng = createRng(8);
    for (const beta of [0.5, 1, 2, 5]) {
      const w = generalizedNormalVector(rng, 200000, beta);
      const m = generalizedNormalMoments(beta);
      assert.ok(Math.abs(mean(w.map(Math.abs)) / m.m1 - 1) < 0.01, `β = ${beta}: E|w|`);
      assert.ok(Math.abs(variance(w) / m.m2 - 1) < 0.03, `β = ${beta}: E w²`);
    }
    const g = Float64Array.from({ length: 100000 }, () => gammaVariate(rng, 0.3));
    assert.ok(Math.abs(mean(g) / 0.3 - 1) < 0.02, 'Gamma(0.3) mean');
  });

  it('fits the shape whose limit angle a layer\'s own weights predict, and names input that has no angle', () => {
    for (const beta of [0.7, 1, 2, 3.5, 20]) {
      const rho = generalizedNormalMoments(beta).m1 / Math.sqrt(generalizedNormalMoments(beta).m2);
      assert.ok(Math.abs(fitGeneralizedNormalShape(rho) / beta - 1) < 1e-6, `β = ${beta}`);
    }
    assert.equal(fitGeneralizedNormalShape(0.95), Infinity); // flatter than uniform (weights piled at ±c)
    assert.throws(() => empiricalMoments(new Float32Array(9)), /the values are all zero \(or not finite\); they define no angle/);
    assert.throws(() => empiricalMoments([0.3]), /1 value\(s\); the spread of a marginal needs at least 2/);
    assert.throws(() => generalizedNormalMoments(0), /shape β = 0; it must be a positive number/);
  });
});
