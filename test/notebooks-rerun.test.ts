/**
 * gen_plots.ipynb after Run All, then the cells after the network cell run again (the evaluate
 * cell first), then the network cell and everything after it: no cell may break a later run of
 * another, and memory stays flat.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { registerKernel } from '../lib/cli/install-kernel';
import { runNotebook } from '../lib/cli/notebook-runner';
import { parameterEnvName } from '../lib/notebook/params';

const ROOT = path.resolve(__dirname, '..');
const FASHION = '/usr/share/datasets/fashion-mnist';

interface Cell {
  cell_type: string;
  id: string;
  source: string | string[];
  outputs?: { output_type: string; name?: string; text?: string | string[]; ename?: string; evalue?: string }[];
}

const text = (t: string | string[] | undefined) => (Array.isArray(t) ? t.join('') : t ?? '');

describe('gen_plots: rerunning cells after Run All', function () {
  this.timeout(10 * 60 * 1000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bnn-rerun-'));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('reruns the cells after Run All without an error, the rerun network cell loading the saved network', async function () {
    if (!fs.existsSync(FASHION)) this.skip();
    const build = spawnSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(build.status, 0, `npm run build failed:\n${build.stdout}${build.stderr}`);
    registerKernel();
    const nb = JSON.parse(fs.readFileSync(path.join(ROOT, 'notebooks', 'gen_plots.ipynb'), 'utf8')) as { cells: Cell[] };
    const code = nb.cells.filter((c) => c.cell_type === 'code');
    const networkCell = code.findIndex((c) => text(c.source).includes('prepareNotebookNetwork(p'));
    assert.ok(networkCell > 0, 'gen_plots has no prepareNotebookNetwork cell');
    const rerun = (from: number, pass: string) => code.slice(from).map((c) => ({ ...c, id: `${c.id}-${pass}` }));
    nb.cells.push(...rerun(networkCell + 1, 'second'), ...rerun(networkCell, 'third'));
    const input = path.join(tmp, 'gen_plots_twice.ipynb');
    const output = path.join(tmp, 'executed.ipynb');
    fs.writeFileSync(input, JSON.stringify(nb));
    const parameters = { limit: '200', epochs: '1', images: '30', batchNormImages: '100', checkpoint: path.join(tmp, 'checkpoint') };
    const env = { ...process.env };
    for (const [key, value] of Object.entries(parameters)) env[parameterEnvName(key)] = value;
    await runNotebook({ input, output, workdir: path.join(ROOT, 'notebooks'), env, timeoutSeconds: 600, onEvent: () => undefined });

    const cells = (JSON.parse(fs.readFileSync(output, 'utf8')) as { cells: Cell[] }).cells.filter((c) => c.cell_type === 'code');
    const outputs = cells.flatMap((c) => c.outputs ?? []);
    assert.deepEqual(outputs.filter((o) => o.output_type === 'error').map((o) => `${o.ename}: ${o.evalue}`), []);
    assert.deepEqual(outputs.filter((o) => o.name === 'stderr').map((o) => text(o.text)).filter((t) => !/oneDNN|absl::InitializeLog/.test(t)), []);
    const stdout = (cell: Cell) => (cell.outputs ?? []).filter((o) => o.name === 'stdout').map((o) => text(o.text)).join('');
    const networkCells = cells.filter((c) => text(c.source).includes('prepareNotebookNetwork(p'));
    assert.equal(networkCells.length, 2);
    assert.match(stdout(networkCells[0]), /^trained: /m);
    assert.match(stdout(networkCells[1]), /^loaded: /m);
    const tensorCounts = cells.map(stdout).flatMap((t) => /tensors allocated: (\d+)/.exec(t)?.[1] ?? []);
    assert.equal(tensorCounts.length, 3);
    assert.deepEqual(tensorCounts, [tensorCounts[0], tensorCounts[0], tensorCounts[0]], 'every pass ends with as many tensors');
  });
});
