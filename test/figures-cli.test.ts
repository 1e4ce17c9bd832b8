/**
 * `npm run figures` when something is wrong: parameters refused before Jupyter starts, a failing
 * cell's message in the terminal, and the last good output left whole.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initBackend } from '../lib/backend';
import { checkGenPlotsParameters, parseFiguresArgs, runFigures } from '../lib/cli/figures';
import { makeConfig } from '../lib/model/config';
import { createNetwork, disposeNetwork } from '../lib/model/network';
import { PROFILES } from '../lib/experiment/profiles';
import { saveCheckpoint } from '../lib/train/checkpoint';
import { lockFileOf } from '../lib/util/lock';

const NOTEBOOKS = path.resolve(__dirname, '..', 'notebooks');

/** A copy of hd_figures.ipynb's metadata around one code cell. */
function notebookWith(source: string): string {
  const real = JSON.parse(fs.readFileSync(path.join(NOTEBOOKS, 'hd_figures.ipynb'), 'utf8')) as { metadata: unknown };
  return JSON.stringify({
    cells: [{ cell_type: 'code', execution_count: null, id: 'c1', metadata: {}, outputs: [], source }],
    metadata: real.metadata, nbformat: 4, nbformat_minor: 5,
  });
}

describe('npm run figures: failures', function () {
  this.timeout(120000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bnn-figures-cli-'));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  /** An output folder holding a previous good run. */
  const previousOutput = (name: string) => {
    const out = path.join(tmp, name);
    fs.mkdirSync(path.join(out, 'figures'), { recursive: true });
    fs.writeFileSync(path.join(out, 'results.json'), '{"kept": 1}');
    fs.writeFileSync(path.join(out, 'report.html'), '<p>last good report</p>');
    return out;
  };
  const unchanged = (out: string) => {
    assert.equal(fs.readFileSync(path.join(out, 'results.json'), 'utf8'), '{"kept": 1}');
    assert.equal(fs.readFileSync(path.join(out, 'report.html'), 'utf8'), '<p>last good report</p>');
  };

  it('refuses counts that are not whole numbers', () => {
    assert.throws(() => parseFiguresArgs(['--images', '2.5']), /^Error: --images takes a whole number; got '2\.5'\.$/);
    assert.throws(() => parseFiguresArgs(['--limit', '0.5']), /^Error: --limit takes a whole number; got '0\.5'\.$/);
    assert.throws(() => parseFiguresArgs(['--epochs', '0']), /^Error: --epochs takes a positive whole number; got '0'\.$/);
    assert.throws(() => parseFiguresArgs(['--sample-scale', '1e']), /^Error: --sample-scale takes a number; got '1e'\.$/);
    assert.equal(parseFiguresArgs(['--sample-scale', '0.05']).parameters.sampleScale, '0.05');
    assert.throws(() => parseFiguresArgs(['--sample-scale', '1e400']), /^Error: --sample-scale takes a finite number; got '1e400'\.$/);
  });

  it('refuses a ternary analysis of a binary checkpoint before starting Jupyter, leaving the output alone', async () => {
    await initBackend();
    const checkpoint = path.join(tmp, 'binary-checkpoint');
    const net = createNetwork(makeConfig({ inputShape: [28, 28, 1], classes: 10, conv: [32, 64, 128], maxPool: [true, true, false], fc: [256] }), 0);
    await saveCheckpoint(checkpoint, net, {
      epoch: 5, history: [], training: { ...PROFILES.quick.training, seed: 0 }, run: { profile: 'quick', dataset: 'fashion-mnist' },
    });
    disposeNetwork(net);
    const out = previousOutput('output-ternary');
    const cmd = parseFiguresArgs(['--mode', 'ternary', '--checkpoint', checkpoint, '--out', out]);
    await assert.rejects(runFigures(cmd, () => assert.fail('nothing may run')), {
      message: `Checkpoint ${checkpoint} holds epoch 5 of 5 of another run: levels 3 (checkpoint: 2), threshold 0.02 (checkpoint: 0), batchSize 50 (checkpoint: 200), lrStart 0.003 (checkpoint: 0.007), lrEnd 0.0003 (checkpoint: 0.00001), lrSchedule "exponential" (checkpoint: "cosine"). ` +
        "Set the checkpoint parameter (--checkpoint of npm run figures) to another folder ('' for the one named after these parameters), " +
        'change the parameters to match it, or remove it.',
    });
    unchanged(out);
    assert.deepEqual(fs.readdirSync(tmp).sort(), ['binary-checkpoint', 'output-ternary']);
    // The same network trained with another recipe, in the folder --checkpoint names: analysed under its own settings.
    const shorter = checkGenPlotsParameters(parseFiguresArgs(['--checkpoint', checkpoint, '--epochs', '3']).parameters);
    assert.equal(shorter.otherRun, 'epochs 3 (checkpoint: 5)');
    assert.equal(shorter.plan.training.epochs, 5);
  });

  it("shows the failing cell's error in the terminal and keeps the last good output", async () => {
    const notebookDir = path.join(tmp, 'notebooks');
    fs.mkdirSync(notebookDir);
    fs.writeFileSync(path.join(notebookDir, 'hd_figures.ipynb'), notebookWith("throw new RangeError('sampleScale = 7 is out of range; use (0, 1]');"));
    const out = previousOutput('output');
    const cmd = { ...parseFiguresArgs(['--only', 'hd_figures', '--out', out]), notebookDir };
    const error = await runFigures(cmd, () => undefined).then(() => assert.fail('the run must fail'), (err: Error) => err);
    const lines = error.message.split('\n');
    assert.equal(lines[0], "hd_figures.ipynb: cell 1 failed: RangeError: sampleScale = 7 is out of range; use (0, 1]");
    assert.match(lines[1], /^ {4}at /);
    assert.equal(lines[lines.length - 2], `(executed notebook: ${path.join(`${out}.failed`, 'notebooks', 'hd_figures.ipynb')})`);
    assert.equal(lines[lines.length - 1], `${out} keeps the output of the last successful run.`);
    unchanged(out);
    assert.ok(fs.existsSync(path.join(`${out}.failed`, 'notebooks', 'hd_figures.ipynb')));
    assert.deepEqual(fs.readdirSync(tmp).filter((f) => f.endsWith('.tmp')), [], 'no staging folder is left');
  });

  it('runs the notebooks side by side; when one fails, lets the other finish before reporting the failure, and keeps the last good output', async () => {
    const notebookDir = path.join(tmp, 'notebooks-side-by-side');
    fs.mkdirSync(notebookDir);
    fs.writeFileSync(path.join(notebookDir, 'hd_figures.ipynb'), notebookWith("throw new RangeError('samples must be positive');"));
    const late = "await new Promise((done) => setTimeout(done, 3000));\nrequire('../dist/notebook').recordResult('gen.late', 7);";
    fs.writeFileSync(path.join(notebookDir, 'gen_plots.ipynb'), notebookWith(late));
    const out = previousOutput('output-side-by-side');
    const lines: string[] = [];
    const cmd = { ...parseFiguresArgs(['--out', out]), notebookDir };
    const error = await runFigures(cmd, (line) => lines.push(line)).then(() => assert.fail('the run must fail'), (err: Error) => err);
    assert.match(error.message, /^hd_figures\.ipynb: cell 1 failed: RangeError: samples must be positive\n/);
    assert.equal(lines[0], 'running hd_figures.ipynb and gen_plots.ipynb side by side');
    assert.ok(lines.includes("  gen_plots cell 1/1  await new Promise((done) => setTimeout(done, 3000));"), lines.join('\n'));
    assert.ok(lines.some((line) => /^ {2}gen_plots done in \d+s$/.test(line)), 'gen_plots ran to its end');
    const failed = `${out}.failed`;
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(failed, '.results-gen_plots.json'), 'utf8')), { 'gen.late': 7 });
    unchanged(out);
  });

  it('refuses an empty --out, a folder holding files it did not write, and a folder another run is writing, touching nothing', async () => {
    assert.throws(() => parseFiguresArgs(['--out', '']), /^Error: --out is empty: name a path/);
    const mine = path.join(tmp, 'thesis');
    fs.mkdirSync(path.join(mine, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(mine, 'thesis.txt'), 'years of work');
    await assert.rejects(runFigures(parseFiguresArgs(['--only', 'hd_figures', '--out', mine]), () => assert.fail('nothing may run')), {
      message: `--out ${mine} holds files this project did not write (sub, thesis.txt), which it would replace or mix with its own. ` +
        'Name a new or empty folder, or one this project wrote before.',
    });
    assert.deepEqual(fs.readdirSync(mine).sort(), ['sub', 'thesis.txt']);
    assert.equal(fs.readFileSync(path.join(mine, 'thesis.txt'), 'utf8'), 'years of work');
    // A checkpoint "folder" that is a file is refused before training, not after an epoch.
    const file = path.join(mine, 'thesis.txt');
    await assert.rejects(runFigures(parseFiguresArgs(['--checkpoint', file, '--out', path.join(tmp, 'new-output')]), () => assert.fail('nothing may run')), {
      message: `The checkpoint folder ${file} is not a folder: name a new or empty folder.`,
    });

    const busy = previousOutput('busy-output');
    const other = spawn('sleep', ['60']);
    fs.writeFileSync(lockFileOf(busy), JSON.stringify({ pid: other.pid, command: 'figures.ts --only gen_plots', since: '2026-12-06T08:00:00.000Z' }));
    try {
      await assert.rejects(runFigures(parseFiguresArgs(['--only', 'hd_figures', '--out', busy]), () => assert.fail('nothing may run')), {
        message: `${busy} is being written by process ${other.pid} (figures.ts --only gen_plots, since 2026-12-06T08:00:00.000Z). ` +
          `Wait for it to finish or stop it, or choose another folder. (Its lock: ${lockFileOf(busy)}.)`,
      });
      unchanged(busy);
    } finally {
      other.kill();
    }
  });
});
