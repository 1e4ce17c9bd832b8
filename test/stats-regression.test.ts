import { strict as assert } from 'node:assert';
import { createRegressionAccumulator, linearRegression, pearson } from '../lib/stats/regression';
import { assertClose, reference } from './stats-reference';

describe('stats: correlation and least-squares regression', () => {
  const ref = reference.regression;

  it('matches scipy.stats.linregress and pearsonr', () => {
    const fit = linearRegression(ref.x, ref.y);
    assertClose(fit.slope, ref.slope, { rtol: 1e-13 }, 'slope');
    assertClose(fit.intercept, ref.intercept, { rtol: 1e-13 }, 'intercept');
    assertClose(fit.r, ref.r, { rtol: 1e-13 }, 'r');
    assert.equal(fit.n, ref.x.length);
    assertClose(pearson(ref.x, ref.y), ref.pearson, { rtol: 1e-13 }, 'pearson');
  });

  it('gives the same numbers when fed in uneven batches (including an empty one)', () => {
    const acc = createRegressionAccumulator();
    for (const [a, b] of [[0, 1], [1, 1], [1, 60], [60, 61], [61, 300]]) {
      acc.add(ref.x.slice(a, b), ref.y.slice(a, b));
    }
    assert.equal(acc.count, 300);
    const fit = acc.fit();
    assertClose(fit.slope, ref.slope, { rtol: 1e-13 }, 'slope');
    assertClose(fit.intercept, ref.intercept, { rtol: 1e-13 }, 'intercept');
    assertClose(fit.r, ref.r, { rtol: 1e-13 }, 'r');
    assertClose(acc.pearson(), ref.pearson, { rtol: 1e-13 }, 'pearson');
  });

  it('stays accurate with a large offset, where raw sums of squares would cancel', () => {
    const shifted = ref.x.map((x) => x + 1e8);
    const fit = linearRegression(shifted, ref.y);
    assertClose(fit.slope, ref.slope, { rtol: 1e-7 }, 'slope');
    assertClose(fit.r, ref.r, { rtol: 1e-7 }, 'r');
  });

  it('recovers an exact line', () => {
    const fit = linearRegression([0, 1, 2, 3], [1, 3, 5, 7]);
    assert.deepEqual(fit, { n: 4, slope: 2, intercept: 1, r: 1 });
  });

  it('gives r = 0 for constant y, as linregress does', () => {
    assert.equal(linearRegression([1, 2, 3], [4, 4, 4]).r, 0);
  });

  it('rejects mismatched lengths, too little data and constant inputs', () => {
    assert.throws(() => linearRegression([1, 2], [1]), {
      message: 'linearRegression: xs has length 2 but ys has length 1; pass arrays of equal length',
    });
    assert.throws(() => pearson([1], [1, 2]), {
      message: 'pearson: xs has length 1 but ys has length 2; pass arrays of equal length',
    });
    assert.throws(() => linearRegression([], []), { message: 'linearRegression: need at least 2 pairs, got 0; add more data' });
    assert.throws(() => linearRegression([1, 1], [1, 2]), {
      message: 'linearRegression: all x values are identical, so the slope is undefined; vary x',
    });
    assert.throws(() => pearson([1, 2], [3, 3]), { message: 'pearson: y is constant, so the correlation is undefined; vary it' });
    assert.throws(() => createRegressionAccumulator().add([1], []), {
      message: 'RegressionAccumulator.add: xs has length 1 but ys has length 0; pass arrays of equal length',
    });
  });
});
