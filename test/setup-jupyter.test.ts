/**
 * The project's Python environment: npm install made it (and registered the kernel where its
 * JupyterLab looks); setup-jupyter installs, reuses, repairs, leaves a foreign .venv alone and says
 * why when Python or pip cannot be had; npm run lab serves the notebooks or says to run npm install.
 */
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { KERNEL_NAME } from '../lib/cli/install-kernel';
import { envState, projectEnv, SKIP_JUPYTER_ENV, type ProjectEnv } from '../lib/cli/jupyter-env';
import { labCommand } from '../lib/cli/lab';
import { setupJupyter, type SetupOutcome } from '../lib/cli/setup-jupyter';
import { startLab } from './support/lab';

const ROOT = path.resolve(__dirname, '..');

describe('the project environment made by npm install', function () {
  this.timeout(120_000);

  it('is ready, with every pin of requirements.txt installed', () => {
    const env = projectEnv();
    assert.deepEqual(envState(env), { kind: 'ready' }, `npm install did not set up ${env.dir}`);
    const versions = spawnSync(env.python, ['-c', 'import jupyterlab, nbclient, nbformat; print(jupyterlab.__version__, nbclient.__version__, nbformat.__version__)'], { encoding: 'utf8' });
    assert.equal(versions.stdout.trim(), '4.6.4 0.11.0 5.11.1', versions.stderr);
  });

  it('has the project kernel in its JupyterLab\'s kernel list', () => {
    const list = spawnSync(projectEnv().jupyter, ['kernelspec', 'list', '--json'], { encoding: 'utf8' });
    assert.equal(list.status, 0, list.stderr);
    const specs = (JSON.parse(list.stdout) as { kernelspecs: Record<string, unknown> }).kernelspecs;
    assert.ok(KERNEL_NAME in specs, `kernels: ${Object.keys(specs).join(', ')}`);
  });

  it('npm run lab serves notebooks/ with that kernel', async () => {
    const lab = await startLab();
    try {
      const specs = await lab.api<{ kernelspecs: Record<string, unknown> }>('/api/kernelspecs');
      assert.ok(KERNEL_NAME in specs.kernelspecs);
      const contents = await lab.api<{ content: { name: string }[] }>('/api/contents/');
      const names = contents.content.map((c) => c.name);
      for (const nb of ['gen_plots.ipynb', 'hd_figures.ipynb']) assert.ok(names.includes(nb), `served: ${names.join(', ')}`);
    } finally {
      await lab.stop();
    }
  });

  it('npm run lab on a port in use prints JupyterLab\'s own message', async () => {
    const busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const { port } = busy.address() as net.AddressInfo;
    try {
      const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'cli', 'lab.js'), '--no-browser', `--port=${port}`, '--ServerApp.port_retries=0', '--ServerApp.ip=127.0.0.1'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (c: Buffer) => (output += c.toString()));
      child.stderr.on('data', (c: Buffer) => (output += c.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      assert.notEqual(code, 0);
      assert.match(output, new RegExp(`port ${port} is already in use`));
    } finally {
      busy.close();
    }
  });
});

describe('setup-jupyter in a scratch checkout', function () {
  this.timeout(300_000);
  let root: string;
  let env: ProjectEnv;
  let lines: string[];
  const setup = (options: { python?: string; rebuild?: boolean } = {}): Promise<SetupOutcome> => {
    lines = [];
    return setupJupyter({ ...options, env, log: (line) => lines.push(line), progressStream: new PassThrough() });
  };
  const sixVersion = () => spawnSync(env.python, ['-c', 'import six; print(six.__version__)'], { encoding: 'utf8' }).stdout.trim();

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'bnn-venv-'));
    env = projectEnv(root);
    // One small pin: the machinery is the same as for JupyterLab's 91.
    fs.writeFileSync(env.requirements, '# test pins\nsix==1.17.0\n');
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('installs the pins, then reuses the environment without installing anything', async () => {
    assert.equal(await setup(), 'installed');
    assert.match(lines[0], /^making \.venv\/ with \S+ \(Python 3\.\d+\.\d+\)/);
    assert.equal(sixVersion(), '1.17.0');
    assert.deepEqual(envState(env), { kind: 'ready' });
    const stamp = fs.readdirSync(env.dir).find((f) => f.endsWith('installed.json'))!;
    const mtime = fs.statSync(path.join(env.dir, stamp)).mtimeMs;
    assert.equal(await setup(), 'ready');
    assert.match(lines.join('\n'), /nothing to do/);
    assert.equal(fs.statSync(path.join(env.dir, stamp)).mtimeMs, mtime, 'a ready environment was written to');
  });

  it('repairs a deleted bin/python, an install stopped half-way and changed requirements', async () => {
    assert.equal(await setup(), 'installed');
    const damage: [string, () => void, RegExp][] = [
      ['deleted python', () => fs.rmSync(env.python), /\.venv\/bin\/python is missing/],
      ['stopped install', () => fs.rmSync(path.join(env.dir, 'bnn-geometry-installed.json')), /its install did not finish/],
      ['removed package', () => spawnSync(env.python, ['-m', 'pip', 'uninstall', '-y', '-q', 'six']), /packages missing or at another version: six missing/],
      ['new pins', () => fs.appendFileSync(env.requirements, '# changed\n'), /requirements\.txt changed since it was installed/],
    ];
    for (const [what, harm, why] of damage) {
      harm();
      const state = envState(env);
      assert.equal(state.kind, 'incomplete', what);
      assert.match(state.kind === 'incomplete' ? state.why : '', why, what);
      assert.equal(await setup(), 'installed', what);
      assert.match(lines[0], /is incomplete .*; making it again/, what);
      assert.equal(sixVersion(), '1.17.0', what);
    }
  });

  it('leaves a .venv it did not make alone', async () => {
    fs.mkdirSync(env.dir);
    fs.writeFileSync(path.join(env.dir, 'mine.txt'), 'a user file');
    assert.equal(await setup(), 'foreign');
    assert.match(lines[0], /was not made by this project, so it is left alone/);
    assert.deepEqual(fs.readdirSync(env.dir), ['mine.txt']);
    assert.throws(() => labCommand([], env), /JupyterLab is not set up: .*\.venv was not made by this project\. Run npm install/);
  });

  it('says in one line why, and succeeds, when Python or pip cannot be had', async () => {
    const fake = (name: string, script: string) => {
      const file = path.join(root, name);
      fs.writeFileSync(file, `#!/bin/sh\n${script}\n`, { mode: 0o755 });
      return file;
    };
    const cases: [string, RegExp][] = [
      [path.join(root, 'no-such-python'), /no-such-python was not found .*: install Python 3\.11 or newer with its venv module, or set BNN_PYTHON to one/],
      [fake('old-python', 'echo 3.8.10'), /is Python 3\.8\.10; the pinned JupyterLab needs 3\.11 or newer/],
      [fake('bare-python', 'echo "ModuleNotFoundError: No module named \'ensurepip\'" >&2; exit 1'), /has no ensurepip module: on Debian\/Ubuntu apt-get install python3-venv/],
    ];
    for (const [python, why] of cases) {
      assert.equal(await setup({ python }), 'failed', python);
      assert.equal(lines.length, 1, lines.join('\n'));
      assert.match(lines[0], why);
      assert.match(lines[0], /The rest of the install goes on/);
      assert.equal(fs.existsSync(env.dir), false, 'a failed Python check leaves no .venv');
    }
    fs.writeFileSync(env.requirements, 'no-such-package-for-bnn-geometry==1.0\n');
    assert.equal(await setup(), 'failed');
    assert.match(lines.at(-1)!, /pip install -r requirements\.txt failed \(ERROR: .*no-such-package-for-bnn-geometry.*\): check that pip reaches your index/);
    assert.equal(envState(env).kind, 'incomplete', 'the next npm install repairs it');
  });

  it(`is skipped with ${SKIP_JUPYTER_ENV}=1, and npm run lab then says to run npm install`, async () => {
    process.env[SKIP_JUPYTER_ENV] = '1';
    try {
      assert.equal(await setup(), 'skipped');
    } finally {
      delete process.env[SKIP_JUPYTER_ENV];
    }
    assert.equal(fs.existsSync(env.dir), false);
    assert.throws(() => labCommand([], env), /JupyterLab is not set up: .*\.venv does not exist\. Run npm install \(or npm run setup-jupyter\)/);
  });
});
