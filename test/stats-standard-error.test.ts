import { strict as assert } from 'node:assert';
import { createPairAccumulator } from '../lib/analysis/pair-summary';
import { arange } from '../lib/stats/grid';
import { gaussianKde, kdeMode, kdePeakStandardError, peak } from '../lib/stats/kde';
import { createRng, normalArray } from '../lib/stats/random';
import {
  bootstrapStandardError, meanStandardError, proportionStandardError, slopeStandardError, standardDeviationStandardError,
  varianceStandardError,
} from '../lib/stats/standard-error';
import { median, standardDeviation } from '../lib/stats/summary';
import { assertClose } from './stats-reference';

describe('stats: standard errors', () => {
  it('analytic errors of a mean, a variance, a proportion and a slope match their closed forms', () => {
    assertClose(meanStandardError([1, 2, 3, 4]), Math.sqrt(5 / 3) / 2, { rtol: 1e-15 });
    // [0, 0, 1, 1]: μ₄ = 1/16, s² = 1/3, so Var s² = (1/16 − (1/9)(1/3))/4.
    assertClose(varianceStandardError([0, 0, 1, 1]), Math.sqrt((1 / 16 - 1 / 27) / 4), { rtol: 1e-14 });
    assertClose(proportionStandardError(0.9, 100), 0.03, { rtol: 1e-14 });
    // Equal errors σ on y at x = 0, 1, 2: the textbook σ/√Σ(x − x̄)² = 1/√2.
    assertClose(slopeStandardError([0, 1, 2], [1, 1, 1]), Math.SQRT1_2, { rtol: 1e-15 });
  });

  it('on a large normal sample: SE(s²) ≈ σ²√(2/(n − 1)) and SE(s) ≈ σ/√(2(n − 1))', () => {
    const n = 20000;
    const values = normalArray(createRng(1), n).map((x) => 3 * x);
    assertClose(varianceStandardError(values), 9 * Math.sqrt(2 / (n - 1)), { rtol: 0.05 });
    assertClose(standardDeviationStandardError(values), 3 / Math.sqrt(2 * (n - 1)), { rtol: 0.05 });
  });

  it('the bootstrap error of a median matches the spread of medians over independent samples and the asymptotic √(π/2)/√n', () => {
    // The bootstrap error of a median is itself uncertain by O(n^(−1/4)) (≈ 13% here), hence the tolerances.
    const n = 4001;
    const rng = createRng(2);
    const medians = Float64Array.from({ length: 300 }, () => median(normalArray(rng, n)));
    const bootstrap = bootstrapStandardError(normalArray(createRng(3), n), median);
    assertClose(bootstrap, Math.sqrt(Math.PI / 2 / n), { rtol: 0.3 });
    assertClose(bootstrap, standardDeviation(medians, 1), { rtol: 0.3 });
    assert.equal(bootstrapStandardError(normalArray(createRng(3), n), median), bootstrap, 'seeded: the same error every time');
  });

  it('names the problem on samples too small to have an error', () => {
    assert.throws(() => meanStandardError([1]), /meanStandardError: need at least 2 values for a standard error, got 1/);
    assert.throws(() => varianceStandardError([1, 2, 3]), /need at least 4 values/);
    assert.throws(() => standardDeviationStandardError([2, 2, 2, 2]), /no spread/);
    assert.throws(() => proportionStandardError(1.5, 10), /pass a proportion in \[0, 1\]/);
    assert.throws(() => slopeStandardError([1, 1], [1, 1]), /all x values are identical/);
  });
});

describe('stats: the mode of a KDE', () => {
  it('mean-shift reaches the same peak as a fine grid, without the grid', () => {
    const samples = normalArray(createRng(4), 300).map((x) => 0.6 + 0.05 * x);
    const kde = gaussianKde(samples, { width: 0.01 });
    const coarse = peak(arange(0, 1.2, 0.001), kde.evaluate(arange(0, 1.2, 0.001))).x;
    const mode = kdeMode(samples, 0.01, coarse);
    const fine = arange(coarse - 0.002, coarse + 0.002, 1e-7);
    assertClose(mode, peak(fine, kde.evaluate(fine)).x, { atol: 2e-7 });
    assertClose(kdeMode([-1, 1], 2, 0.7), 0, { atol: 1e-9 }, 'two samples under one wide kernel: the midpoint');
  });

  it('the error of a grid peak is the bootstrap error of the mode, never below the grid rounding step/√12', () => {
    const tight = normalArray(createRng(5), 2000).map((x) => 0.5 + 1e-4 * x);
    assertClose(kdePeakStandardError(tight, 0.01, 0.5, 0.001), 0.001 / Math.sqrt(12), { rtol: 0.01 });
    const wide = normalArray(createRng(6), 200).map((x) => 0.5 + 0.05 * x);
    assert.ok(kdePeakStandardError(wide, 0.01, 0.5, 0.001) > 0.005, 'a peak of 200 spread samples moves by more than the grid');
  });

  it('a peak that can jump between two bumps of similar height gets that jump in its error; a clear peak does not', () => {
    const bumps = (left: number, right: number) => [
      ...normalArray(createRng(7), left).map((x) => 0.3 + 0.01 * x),
      ...normalArray(createRng(8), right).map((x) => 0.7 + 0.01 * x),
    ];
    const peakOf = (samples: number[]) => peak(arange(0, 1, 0.001), gaussianKde(samples, { width: 0.02 }).evaluate(arange(0, 1, 0.001))).x;
    // Equal bumps: about half the resamples peak on the other one, 0.4 away, so the error is near 0.2.
    const even = bumps(100, 100);
    const evenSe = kdePeakStandardError(even, 0.02, peakOf(even), 0.001);
    assert.ok(evenSe > 0.15 && evenSe < 0.25, `two equal bumps: SE ${evenSe}`);
    // Three to one: the small bump never wins, and the error is the big bump's alone.
    const clear = bumps(150, 50);
    const clearSe = kdePeakStandardError(clear, 0.02, peakOf(clear), 0.001);
    assert.ok(clearSe < 0.005, `one clear peak: SE ${clearSe}`);
  });
});

describe('analysis: batch-means errors of r and the slope', () => {
  it('over independent batches, SE(r) ≈ (1 − r²)/√n and SE(slope) ≈ σ_noise/(σ_x√n)', () => {
    const rng = createRng(7);
    const pairs = createPairAccumulator();
    const batches = 40;
    const perBatch = 500;
    for (let b = 0; b < batches; b++) {
      const xs = normalArray(rng, perBatch);
      pairs.add(xs, xs.map((x) => x + rng.normal())); // y = x + noise: r = 1/√2, slope 1
    }
    const s = pairs.summary('test');
    const n = batches * perBatch;
    assertClose(s.rSe, (1 - 0.5) / Math.sqrt(n), { rtol: 0.3 });
    assertClose(s.slopeSe, 1 / Math.sqrt(n), { rtol: 0.3 });
    const single = createPairAccumulator();
    single.add([1, 2, 3], [1, 2, 4]);
    assert.ok(Number.isNaN(single.summary('one batch').rSe), 'one batch has no batch-means error');
  });
});
