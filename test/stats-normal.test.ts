import { strict as assert } from 'node:assert';
import { normalCdf, normalPdf, normalQuantile, normalSurvival } from '../lib/stats/normal';
import { assertClose, reference } from './stats-reference';

describe('stats: normal distribution', () => {
  const ref = reference.normal;

  it('matches published 4-decimal tables of Φ', () => {
    // Standard normal table values (e.g. Abramowitz & Stegun, Table 26.1, rounded).
    const table: [number, number][] = [[0.11, 0.5438], [-1, 0.1587], [1.96, 0.975], [0.5, 0.6915], [3, 0.9987]];
    for (const [x, p] of table) assertClose(normalCdf(x), p, { atol: 5e-5 }, `Φ(${x})`);
  });

  it('matches SciPy for pdf, cdf, upper tail and quantile (1e-14 relative; 1e-13 in the far tails)', () => {
    assertClose(ref.x.map((x) => normalPdf(x)), ref.pdf, { rtol: 1e-14 }, 'pdf');
    assertClose(ref.x.map((x) => normalCdf(x)), ref.cdf, { rtol: 1e-13 }, 'cdf');
    assertClose(ref.x.map((x) => normalSurvival(x)), ref.sf, { rtol: 1e-13 }, 'sf');
    assertClose(ref.p.map((p) => normalQuantile(p)), ref.quantile, { rtol: 1e-14 }, 'quantile');
  });

  it('keeps full relative precision far in the upper tail, where 1 − Φ is mostly rounding', () => {
    const q8 = reference.normal.sf[reference.normal.x.indexOf(8)];
    assertClose(normalSurvival(8), q8, { rtol: 1e-13 }, 'Q(8)');
    assert.ok(Math.abs(1 - normalCdf(8) - q8) / q8 > 0.01, '1 − Φ(8) should be visibly wrong');
  });

  it('round-trips Φ(Φ⁻¹(p)) = p deep into the lower tail, where erfinv-based quantiles fail', () => {
    for (const p of [1e-250, 1e-30, 1e-15, 1e-8, 0.02, 0.3]) {
      assertClose(normalCdf(normalQuantile(p)), p, { rtol: 1e-13 }, `Φ(Φ⁻¹(${p}))`);
    }
    assert.equal(normalQuantile(0), -Infinity);
    assert.equal(normalQuantile(1), Infinity);
  });

  it('supports a mean and standard deviation', () => {
    const s = ref.shifted;
    assertClose(normalPdf(s.x, s.mean, s.sd), s.pdf, { rtol: 1e-14 }, 'pdf');
    assertClose(normalCdf(s.x, s.mean, s.sd), s.cdf, { rtol: 1e-14 }, 'cdf');
    assertClose(normalSurvival(s.x, s.mean, s.sd), 1 - s.cdf, { rtol: 1e-14 }, 'sf');
    assertClose(normalQuantile(s.p, s.mean, s.sd), s.quantile, { rtol: 1e-14 }, 'quantile');
  });

  it('rejects a probability outside [0, 1]', () => {
    assert.throws(() => normalQuantile(1.5), { message: 'normalQuantile: p must lie in [0, 1], got 1.5' });
  });
});
