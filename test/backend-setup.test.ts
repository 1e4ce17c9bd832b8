/**
 * The install step that builds tfjs-node against a local TensorFlow: finding a TensorFlow in each
 * layout it comes in, linking it where tfjs-node's binding.gyp and rpath look, and the command's
 * own messages. (The build itself runs in `npm install` and CI, which check that tfjs-node loads.)
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { libraryInFolder } from '../lib/backend/tensorflow-library';
import { builtOrigin, stageLibrary } from '../lib/backend/tfjs-node-build';

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'bnn-setup-'));
}

/** Creates empty files at the given paths under root. */
function touch(root: string, files: string[]): void {
  for (const file of files) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), '');
  }
}

describe('tfjs-node setup: finding a local TensorFlow', () => {
  const header = 'tensorflow/c/c_api.h';

  it('a libtensorflow C release: lib/libtensorflow.so.2 and include/', () => {
    const root = tmpDir();
    touch(root, ['lib/libtensorflow.so.2', 'lib/libtensorflow_framework.so.2', `include/${header}`]);
    assert.deepEqual(libraryInFolder(root, 'a release'), {
      library: path.join(root, 'lib', 'libtensorflow.so.2'),
      framework: path.join(root, 'lib', 'libtensorflow_framework.so.2'),
      includeDir: path.join(root, 'include'),
      origin: 'a release',
    });
  });

  it('a Python package folder and an unpacked wheel: libtensorflow_cc.so.2, which exports the C API', () => {
    const pkg = tmpDir();
    touch(pkg, ['libtensorflow_cc.so.2', 'libtensorflow_framework.so.2', `include/${header}`]);
    assert.equal(libraryInFolder(pkg, 'python')?.library, path.join(pkg, 'libtensorflow_cc.so.2'));
    const wheel = tmpDir();
    touch(wheel, ['tensorflow/libtensorflow_cc.so.2', 'tensorflow/libtensorflow_framework.so.2', `tensorflow/include/${header}`]);
    assert.deepEqual(libraryInFolder(wheel, 'wheel'), {
      library: path.join(wheel, 'tensorflow', 'libtensorflow_cc.so.2'),
      framework: path.join(wheel, 'tensorflow', 'libtensorflow_framework.so.2'),
      includeDir: path.join(wheel, 'tensorflow', 'include'),
      origin: 'wheel',
    });
  });

  it('nothing when a library or the C API header is missing', () => {
    const noHeader = tmpDir();
    touch(noHeader, ['lib/libtensorflow.so.2', 'lib/libtensorflow_framework.so.2']);
    assert.equal(libraryInFolder(noHeader, 'x'), undefined);
    const noFramework = tmpDir();
    touch(noFramework, ['libtensorflow_cc.so.2', `include/${header}`]);
    assert.equal(libraryInFolder(noFramework, 'x'), undefined);
    assert.equal(libraryInFolder(path.join(noFramework, 'absent'), 'x'), undefined);
  });
});

describe('tfjs-node setup: linking TensorFlow into tfjs-node', () => {
  it('links the names binding.gyp links with and the sonames the binding loads, and remembers the origin', () => {
    const release = tmpDir();
    touch(release, ['tensorflow/libtensorflow_cc.so.2', 'tensorflow/libtensorflow_framework.so.2', 'tensorflow/include/tensorflow/c/c_api.h']);
    const lib = libraryInFolder(release, 'a local tensorflow-cpu 2.21.0 wheel')!;
    const tfjsNode = tmpDir();
    touch(tfjsNode, ['deps/lib/libtensorflow.so.2.9.1']); // a stale download, replaced
    stageLibrary(tfjsNode, lib);
    const deps = path.join(tfjsNode, 'deps');
    const links = Object.fromEntries(fs.readdirSync(path.join(deps, 'lib')).map((name) => [name, fs.readlinkSync(path.join(deps, 'lib', name))]));
    assert.deepEqual(links, {
      'libtensorflow.so': lib.library,
      'libtensorflow_cc.so.2': lib.library,
      'libtensorflow_framework.so': lib.framework,
      'libtensorflow_framework.so.2': lib.framework,
    });
    assert.equal(fs.readlinkSync(path.join(deps, 'include')), lib.includeDir);
    assert.ok(fs.existsSync(path.join(deps, 'include', 'tensorflow', 'c', 'c_api.h')));
    assert.equal(builtOrigin(tfjsNode), 'a local tensorflow-cpu 2.21.0 wheel');
    assert.equal(builtOrigin(tmpDir()), undefined, 'a tfjs-node this project did not build has no origin file');
  });
});

describe('npm run setup-tensorflow', () => {
  const run = (args: string[], env: NodeJS.ProcessEnv) =>
    spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', 'lib/cli/setup-tensorflow.ts', ...args], {
      cwd: path.resolve(__dirname, '..'),
      env: { ...process.env, ...env },
      encoding: 'utf8',
    });

  it('says it was skipped, and why, under BNN_SKIP_TENSORFLOW=1', () => {
    const result = run([], { BNN_SKIP_TENSORFLOW: '1' });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout.trim(), 'tfjs-node: skipped (BNN_SKIP_TENSORFLOW=1): the project runs on wasm');
  });

  it('rejects an unknown flag, pointing to --help', () => {
    const result = run(['--rebuid'], {});
    assert.equal(result.status, 2);
    assert.match(result.stderr, /^setup-tensorflow: unknown argument --rebuid\n\nRun npm run setup-tensorflow -- --help for the flags\./);
  });
});
