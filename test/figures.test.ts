/**
 * `npm run figures` end to end with tiny parameters: both notebooks through real Jupyter, the
 * figure files, results.json, and report.html opened in headless Chromium.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import { FiguresOutcome, parseFiguresArgs, runFigures } from '../lib/cli/figures';
import { PNG_MIME, SVG_MIME, TEXT_MIME, VEGA_LITE_MIME } from '../lib/display/show';
import { notebookOutputs } from '../lib/report/collect';

const CHROMIUM = '/usr/bin/chromium';
const FASHION = '/usr/share/datasets/fashion-mnist';

function haveNbclient(): boolean {
  return spawnSync('/usr/bin/python3', ['-c', 'import nbclient'], { stdio: 'ignore' }).status === 0;
}

describe('npm run figures (tiny run through Jupyter)', function () {
  this.timeout(20 * 60 * 1000);
  let outcome: FiguresOutcome;
  let out: string;

  before(async function () {
    assert.ok(haveNbclient(), 'Jupyter is missing: apt-get install -y jupyter-client jupyter-nbconvert python3-nbclient (.ci/run does)');
    assert.ok(fs.existsSync(FASHION), `${FASHION} is missing: apt-get install -y dataset-fashion-mnist (.ci/run does)`);
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'bnn-figures-'));
    const build = spawnSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: path.resolve(__dirname, '..'), encoding: 'utf8' });
    assert.equal(build.status, 0, `npm run build failed:\n${build.stdout}${build.stderr}`);
    const cmd = parseFiguresArgs([
      '--profile', 'quick', '--epochs', '1', '--limit', '600', '--images', '60', '--sample-scale', '0.05', '--out', out,
      '--checkpoint', path.join(out, 'checkpoint'),
    ]);
    outcome = await runFigures(cmd, () => undefined);
  });

  it('executes both notebooks without an error output', () => {
    for (const name of ['hd_figures', 'gen_plots']) {
      const errors = notebookOutputs(path.join(out, 'notebooks', `${name}.ipynb`)).filter((o) => o.output_type === 'error');
      assert.deepEqual(errors.map((e) => `${e.ename}: ${e.evalue}`), [], `${name} has error outputs`);
    }
  });

  it('shows every figure with the vegalite and text mimetypes and a static SVG or PNG, and saves it as SVG and PNG', () => {
    const names = (nb: string) => outcome.figures.filter((f) => f.notebook === nb).map((f) => f.name);
    assert.deepEqual(names('hd_figures'), [
      'hd-ternarize-straight-through', 'hd-binarization-angles', 'hd-binarization-angle-max-d', 'hd-exponential-covariance-rotation',
      'hd-ternary-angle-vs-threshold', 'hd-ternary-angle-density', 'hd-zero-fraction', 'hd-straight-through',
      'hd-random-binary-vectors', 'hd-angle-spread-vs-dimension',
    ]);
    assert.deepEqual(names('gen_plots'), [
      'gen-training-history', 'gen-weight-binarization', 'gen-activation-binarization', 'gen-permutation-control',
      'gen-filter-angles', 'gen-angle-spread', 'gen-weight-distributions', 'gen-quantized-levels', 'gen-quantization-impact',
      'gen-binarization-gains',
    ]);
    for (const f of outcome.figures) {
      for (const mime of [VEGA_LITE_MIME, TEXT_MIME]) assert.ok(f.mimetypes.includes(mime), `${f.name} lacks ${mime}`);
      assert.equal(f.mimetypes.filter((m) => m === SVG_MIME || m === PNG_MIME).length, 1, `${f.name}: one static image, not ${f.mimetypes.join(', ')}`);
      const png = fs.readFileSync(path.join(out, 'figures', `${f.name}.png`));
      assert.deepEqual([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], `${f.name}.png is not a PNG`);
      assert.match(fs.readFileSync(path.join(out, 'figures', `${f.name}.svg`), 'utf8'), /^<svg/);
    }
    assert.equal(new Set(outcome.figures.map((f) => f.name)).size, outcome.figures.length, 'figure names must be unique');
  });

  it('records the reproduced numbers within sane ranges', () => {
    const results = JSON.parse(fs.readFileSync(outcome.results, 'utf8')) as Record<string, { measured?: unknown }>;
    const num = (key: string) => {
      const v = results[key];
      assert.ok(v !== undefined, `results.json lacks ${key}; has ${Object.keys(results).join(', ')}`);
      return Number(typeof v === 'object' && v !== null && 'measured' in v ? v.measured : v);
    };
    const accuracy = num('gen.testAccuracy');
    assert.ok(accuracy > 20 && accuracy <= 100, `test accuracy ${accuracy}%`);
    const angle = num('hd.binary.d27.medianAngle');
    assert.ok(angle > 30 && angle < 45, `median angle at d = 27: ${angle}°`);
    for (const layer of ['conv1', 'conv2', 'conv3']) {
      const r = num(`gen.${layer}.r`);
      assert.ok(r > 0 && r <= 1, `${layer}: r = ${r}`);
      const peak = num(`gen.${layer}.peakAngle`);
      assert.ok(peak > 0 && peak < 90, `${layer}: peak angle ${peak}°`);
    }
    assert.ok(Number.isFinite(num('gen.spread.slope')));
  });

  it('writes a self-contained report.html whose charts all render in Chromium', async function () {
    if (!fs.existsSync(CHROMIUM)) this.skip();
    const html = fs.readFileSync(outcome.report, 'utf8');
    assert.doesNotMatch(html, /<script[^>]+src=/, 'report.html must inline its scripts');
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
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
      charts.forEach((marks, i) => assert.ok(marks > 10, `chart ${outcome.figures[i].name} rendered ${marks} marks`));
      assert.deepEqual(problems, []);
      await page.screenshot({ path: path.join(out, 'report.png'), fullPage: false });
      assert.ok(fs.statSync(path.join(out, 'report.png')).size > 10_000);
    } finally {
      await browser.close();
    }
  });
});
