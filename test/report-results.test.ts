import { strict as assert } from 'node:assert';
import { resultRows } from '../lib/report/results';

describe('report: rows of reproduced numbers', () => {
  it('one row per recorded claim, named by its quantity, with units; nested keys walked; plain values kept', () => {
    const rows = resultRows({
      'hd.binary.d27.medianAngle': { quantity: 'median ∠(u, sign u), d = 27', measured: 36.1523, theory: 37.0714, unit: '°', paper: '≈ 37°' },
      'gen.conv1.r': { measured: 0.659214 },
      gen: { spread: { slope: -0.42331 } },
      'gen.missing': { measured: null },
      'gen.images': 500,
    });
    assert.deepEqual(rows, [
      { quantity: 'median ∠(u, sign u), d = 27', measured: '36.15 °', theory: '37.07 °', paper: '≈ 37°' },
      { quantity: 'gen.conv1.r', measured: '0.6592', theory: '', paper: '' },
      { quantity: 'gen.spread.slope', measured: '-0.4233', theory: '', paper: '' },
      { quantity: 'gen.missing', measured: 'n/a', theory: '', paper: '' },
      { quantity: 'gen.images', measured: '500', theory: '', paper: '' },
    ]);
  });
});
