import { strict as assert } from 'node:assert';
import { gaussianKde, peak, type KdeBandwidth } from '../lib/stats/kde';
import { normalPdf } from '../lib/stats/normal';
import { assertClose, reference } from './stats-reference';

describe('stats: Gaussian KDE (scipy.stats.gaussian_kde semantics)', () => {
  const ref = reference.kde;
  const bandwidths: Record<string, KdeBandwidth> = {
    scott: 'scott',
    silverman: 'silverman',
    factor: 0.3,
    width: { width: 0.02 }, // the original's kde_scipy(x, grid, bandwidth=0.02)
  };

  for (const c of reference.kde.cases) {
    it(`matches SciPy with bandwidth '${c.name}' (width, factor and density on a grid)`, () => {
      const kde = gaussianKde(Float64Array.from(ref.samples), bandwidths[c.name]);
      assertClose(kde.width, c.width, { rtol: 1e-12 }, 'width');
      assertClose(kde.factor, c.factor, { rtol: 1e-12 }, 'factor');
      const peakDensity = Math.max(...c.density);
      assertClose(kde.evaluate(ref.grid), c.density, { rtol: 1e-10, atol: 1e-14 * peakDensity }, 'density');
    });
  }

  it('one sample with a given width is exactly a normal density', () => {
    const kde = gaussianKde([0.5], { width: 0.1 });
    assertClose(kde.evaluate([0.5, 0.62]), [normalPdf(0.5, 0.5, 0.1), normalPdf(0.62, 0.5, 0.1)], { rtol: 1e-14 }, 'pdf');
    assert.equal(kde.n, 1);
  });

  it('peak finds the mode of the narrow component', () => {
    const grid = Array.from({ length: 315 }, (_, i) => i * 0.01);
    const density = gaussianKde(ref.samples, { width: 0.02 }).evaluate(grid);
    const p = peak(grid, density);
    assert.ok(Math.abs(p.x - 0.6) <= 0.02, `peak at ${p.x}`);
    assert.equal(p.value, density[p.index]);
  });

  it('rejects empty, non-finite and zero-spread samples and bad bandwidths', () => {
    assert.throws(() => gaussianKde([]), { message: 'gaussianKde: samples is empty; pass at least one value' });
    assert.throws(() => gaussianKde([1, NaN]), {
      message: 'gaussianKde: samples contain NaN or infinite values; pass finite numbers only',
    });
    assert.throws(() => gaussianKde([2, 2, 2]), {
      message:
        'gaussianKde: the samples have zero spread (n = 3), so a factor × sd bandwidth is 0; pass { width } in data units instead',
    });
    assert.throws(() => gaussianKde([1, 2], -1), {
      message: 'gaussianKde: bandwidth factor must be a finite number > 0, got -1',
    });
    assert.throws(() => gaussianKde([1, 2], { width: 0 }), {
      message: 'gaussianKde: width must be a finite number > 0, got 0',
    });
    assert.throws(() => peak([0, 1], [1]), {
      message: 'peak: grid has length 2 but density has length 1; pass arrays of equal length',
    });
  });
});
