/**
 * output/report.html in headless Chromium: from a small `npm run figures -- --only hd_figures` run, the
 * page is self-contained (no script loaded from elsewhere) and every chart renders without an error.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FiguresOutcome, parseFiguresArgs, runFigures } from '../../lib/cli/figures';
import { launchChromium } from './chromium';

describe('report.html in Chromium', function () {
  this.timeout(10 * 60 * 1000);
  let out: string;
  let outcome: FiguresOutcome;

  before(async () => {
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'bnn-report-'));
    outcome = await runFigures(parseFiguresArgs(['--only', 'hd_figures', '--sample-scale', '0.05', '--out', path.join(out, 'output')]), () => undefined);
  });
  after(() => fs.rmSync(out, { recursive: true, force: true }));

  it('is self-contained and renders every chart', async () => {
    const html = fs.readFileSync(outcome.report, 'utf8');
    assert.doesNotMatch(html, /<script[^>]+src=/, 'report.html must inline its scripts');
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const problems: string[] = [];
      page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
      page.on('pageerror', (e) => problems.push(e.message));
      await page.goto(`file://${outcome.report}`);
      // chartsRendered resolves to vega views, which cannot cross to Node: wait for it and return nothing.
      await page.evaluate(async () => { await (window as unknown as { chartsRendered: Promise<unknown> }).chartsRendered; });
      const charts = await page.$$eval('.chart', (nodes) => nodes.map((n) => {
        const svg = n.querySelector('svg');
        return svg ? svg.querySelectorAll('path, rect, line, text').length : 0;
      }));
      assert.equal(charts.length, outcome.figures.length);
      const notebook = fs.readFileSync(path.resolve(__dirname, '..', '..', 'notebooks', 'hd_figures.ipynb'), 'utf8');
      assert.equal(charts.length, (notebook.match(/await show\(/g) ?? []).length, 'one chart per figure hd_figures shows');
      charts.forEach((marks, i) => assert.ok(marks > 10, `chart ${outcome.figures[i].name} rendered ${marks} marks`));
      assert.deepEqual(problems, []);
      await page.screenshot({ path: path.join(out, 'report.png'), fullPage: false });
      assert.ok(fs.statSync(path.join(out, 'report.png')).size > 10_000);
    } finally {
      await browser.close();
    }
  });
});
