import { strict as assert } from 'node:assert';
import { buildReportHtml } from '../lib/report/html';
import { resultRows } from '../lib/report/results';

describe('report: rows of reproduced numbers', () => {
  it('one row per recorded claim, named by its quantity, with units; nested keys walked; plain values kept', () => {
    const rows = resultRows({
      'hd.binary.d27.medianAngle': {
        quantity: 'median ∠(u, sign u), d = 27', measured: 36.1523, se: 0.04412, theory: 37.0714, agrees: 'no (21 SE): a finite-d value', unit: '°', paper: '≈ 37°',
      },
      'gen.conv1.r': { measured: 0.659214 },
      gen: { spread: { slope: -0.42331 } },
      'gen.missing': { measured: null },
      'gen.images': 500,
    });
    assert.deepEqual(rows, [
      { quantity: 'median ∠(u, sign u), d = 27', measured: '36.15 °', se: '0.04412 °', theory: '37.07 °', agrees: 'no (21 SE): a finite-d value', paper: '≈ 37°' },
      { quantity: 'gen.conv1.r', measured: '0.6592', se: '', theory: '', agrees: '', paper: '' },
      { quantity: 'gen.spread.slope', measured: '-0.4233', se: '', theory: '', agrees: '', paper: '' },
      { quantity: 'gen.missing', measured: 'n/a', se: '', theory: '', agrees: '', paper: '' },
      { quantity: 'gen.images', measured: '500', se: '', theory: '', agrees: '', paper: '' },
    ]);
  });
});

describe('report: the page', () => {
  it('left-aligns the text columns of the numbers table and right-aligns the numbers', () => {
    const html = buildReportHtml({
      title: 'T', subtitle: 'S', facts: [], figures: [],
      rows: [{ quantity: 'median angle', measured: '36.15 °', se: '0.04 °', theory: '37.07 °', agrees: 'no (21 SE)', paper: '≈ 37°' }],
    });
    assert.match(html, /th, td \{[^}]*text-align: left;/);
    assert.match(html, /\.num \{ text-align: right;/);
    assert.ok(html.includes('<tr><th>quantity</th><th class="num">measured</th><th class="num">± standard error</th><th class="num">closed-form theory</th>' +
      '<th>agrees (within 3 SE)</th><th>the paper</th></tr>'));
    assert.ok(html.includes('<tr><td>median angle</td><td class="num">36.15 °</td><td class="num">0.04 °</td><td class="num">37.07 °</td><td>no (21 SE)</td><td>≈ 37°</td></tr>'));
  });
});
