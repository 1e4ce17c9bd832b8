import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { installKernel } from '../lib/cli/install-kernel';

describe('Jupyter kernel registration', () => {
  const root = path.resolve(__dirname, '..');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bnn-jupyter-'));
  const dir = installKernel(dataDir);
  /** Starts the registered kernel command as Jupyter would, in `cwd`, asking tslab for its version. */
  const launch = (cwd: string) => {
    const spec = JSON.parse(fs.readFileSync(path.join(dir, 'kernel.json'), 'utf8')) as { argv: string[] };
    const [node, script] = spec.argv.map((a) => a.replace('{resource_dir}', dir));
    return spawnSync(node, [script, '--version'], { cwd, encoding: 'utf8' });
  };
  const tslabVersion = (JSON.parse(fs.readFileSync(path.join(root, 'node_modules', 'tslab', 'package.json'), 'utf8')) as { version: string }).version;

  it('points at no checkout: it starts the tslab of the checkout that holds the notebook', () => {
    assert.equal(fs.readFileSync(path.join(dir, 'kernel.json'), 'utf8').includes(root), false);
    const run = launch(path.join(root, 'notebooks'));
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout.trim(), `tslab ${tslabVersion}`);
  });

  it('serves a second checkout too, so registering one never breaks another', () => {
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'bnn-checkout-'));
    fs.writeFileSync(path.join(other, 'package.json'), JSON.stringify({ name: 'bnn-geometry' }));
    fs.mkdirSync(path.join(other, 'node_modules'));
    fs.symlinkSync(path.join(root, 'node_modules', 'tslab'), path.join(other, 'node_modules', 'tslab'));
    fs.mkdirSync(path.join(other, 'notebooks'));
    const run = launch(path.join(other, 'notebooks'));
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout.trim(), `tslab ${tslabVersion}`);
  });

  it('outside a checkout, says where notebooks must be', () => {
    const run = launch(os.tmpdir());
    assert.equal(run.status, 1);
    assert.match(run.stderr, /runs notebooks inside a bnn-geometry checkout with its npm packages installed; .* is not in one \(run npm install in the checkout\)\./);
  });
});
