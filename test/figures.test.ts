/**
 * `npm run figures` end to end with tiny parameters: both notebooks through real Jupyter (the
 * project's .venv/ that npm install made), the figure files and results.json. The report in a
 * browser: test/browser/report.test.ts.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FiguresOutcome, parseFiguresArgs, runFigures } from '../lib/cli/figures';
import { findNbclientPython } from '../lib/cli/jupyter-env';
import { PNG_MIME, SVG_MIME, TEXT_MIME, VEGA_LITE_MIME } from '../lib/display/show';
import { notebookOutputs } from '../lib/report/collect';

const FASHION = '/usr/share/datasets/fashion-mnist';

describe('npm run figures (tiny run through Jupyter)', function () {
  this.timeout(20 * 60 * 1000);
  let outcome: FiguresOutcome;
  let out: string;

  before(async function () {
    findNbclientPython(); // throws, saying how to set Jupyter up, when there is none
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
      'hd-ternarize-straight-through', 'hd-binarization-angles', 'hd-binarization-angle-max-d', 'hd-weight-shape', 'hd-exponential-covariance-rotation',
      'hd-ternary-angle-vs-threshold', 'hd-ternary-angle-density', 'hd-zero-fraction', 'hd-straight-through',
      'hd-random-binary-vectors', 'hd-angle-spread-vs-dimension',
    ]);
    assert.deepEqual(names('gen_plots'), [
      'gen-training-history', 'gen-geometry-history', 'gen-weight-binarization', 'gen-activation-binarization', 'gen-permutation-control',
      'gen-filter-angles', 'gen-weight-shape-prediction', 'gen-angle-spread', 'gen-weight-distributions', 'gen-quantized-levels', 'gen-quantization-impact',
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
    for (const [key, value] of Object.entries(results)) {
      const row = value as { se?: unknown; agrees?: unknown; theory?: unknown };
      assert.ok(typeof row.se === 'number' || row.se === null, `${key}: no se`);
      assert.match(String(row.agrees), row.theory === undefined ? /^no closed form$/ : /^(yes \(|no \(\d.*\): .+|cannot say: )/, `${key}: agrees = ${String(row.agrees)}`);
    }
  });
});
