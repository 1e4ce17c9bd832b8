import { strict as assert } from 'node:assert';
import { arange, linspace } from '../lib/stats/grid';
import { argmax, mean, median, quantile, quantiles, standardDeviation, variance } from '../lib/stats/summary';
import { assertClose, reference } from './stats-reference';

describe('stats: summary statistics', () => {
  const ref = reference.summary;

  it('mean and standard deviation (ddof 0 and 1) match numpy', () => {
    assertClose(mean(ref.values), ref.mean, { rtol: 1e-14 }, 'mean');
    assertClose(standardDeviation(ref.values), ref.std0, { rtol: 1e-13 }, 'std ddof=0');
    assertClose(standardDeviation(ref.values, 1), ref.std1, { rtol: 1e-13 }, 'std ddof=1');
    assertClose(variance(Float64Array.of(1, 2, 3, 4)), 1.25, { rtol: 1e-15 }, 'variance');
  });

  it('quantiles and medians interpolate linearly like numpy (odd and even n)', () => {
    assertClose(quantiles(ref.values, ref.q), ref.quantiles, { rtol: 1e-14 }, 'quantiles');
    assertClose(median(ref.values), ref.median, { rtol: 1e-15 }, 'median odd n');
    assertClose(median(ref.even), ref.evenMedian, { rtol: 1e-14 }, 'median even n');
    assertClose(quantiles(ref.even, ref.q), ref.evenQuantiles, { rtol: 1e-14, atol: 1e-15 }, 'quantiles even n');
    assert.equal(quantile([3, 1, 2], 0.25), 1.5);
  });

  it('does not reorder its input', () => {
    const values = Float64Array.of(3, 1, 2);
    median(values);
    assert.deepEqual(Array.from(values), [3, 1, 2]);
  });

  it('argmax returns the first maximum and skips NaN', () => {
    assert.equal(argmax([1, 5, 2, 5]), 1);
    assert.equal(argmax([NaN, -1, -3]), 1);
  });

  it('rejects empty input, NaN in order statistics, bad q and too few values', () => {
    assert.throws(() => mean([]), { message: 'mean: values is empty; pass at least one value' });
    assert.throws(() => median(new Float64Array(0)), { message: 'median: values is empty; pass at least one value' });
    assert.throws(() => median([1, NaN]), { message: 'median: values contains NaN at index 1; remove NaNs first' });
    assert.throws(() => quantile([1, 2], 1.1), { message: 'quantile: q must lie in [0, 1], got 1.1' });
    assert.throws(() => variance([1], 1), { message: 'variance: need more than ddof = 1 values, got 1' });
    assert.throws(() => argmax([NaN]), { message: 'argmax: every value is NaN; pass at least one number' });
  });
});

describe('stats: grids', () => {
  it('arange matches numpy.arange(0, π, 0.01), the angle grid of the figures', () => {
    const grid = arange(0, Math.PI, 0.01);
    assert.equal(grid.length, reference.grid.arangeLength);
    assertClose(grid[grid.length - 1], reference.grid.arangeLast, { rtol: 1e-15 }, 'last');
  });

  it('linspace matches numpy.linspace and ends exactly at stop', () => {
    assertClose(linspace(-1, 2, 7), reference.grid.linspace, { rtol: 1e-15 }, 'linspace');
    assert.equal(linspace(0, 0.3, 4)[3], 0.3);
    assert.deepEqual(Array.from(linspace(5, 9, 1)), [5]);
  });

  it('rejects a non-positive step and a count below 1', () => {
    assert.throws(() => arange(0, 1, 0), { message: 'arange: step must be a finite number > 0, got 0' });
    assert.throws(() => linspace(0, 1, 0), { message: 'linspace: num must be an integer >= 1, got 0' });
  });
});
