/**
 * `npm run setup-tensorflow` (also run by `npm install`): makes @tensorflow/tfjs-node work. First
 * tfjs-node's own install (downloads libtensorflow 2.9.1 and a prebuilt binding), then, where that
 * fails, a binding built against a TensorFlow found locally (see backend/tensorflow-library.ts).
 * Never fails the install: without TensorFlow the project runs on wasm, and this says how to get it.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { buildBinding, packageDir, probe, SETUP_COMMAND, stageLibrary } from '../backend/tfjs-node-build';
import {
  libraryFromWheel,
  libraryInFolder,
  libraryInPython,
  TENSORFLOW_DIR_ENV,
  TENSORFLOW_WHEEL,
  type TensorflowLibrary,
} from '../backend/tensorflow-library';
import { packageRoot } from '../util/package-root';
import { parseRebuildFlag, runCli, type RebuildCommand } from './run-cli';

/** Set to 1 to skip this step (the project then runs on wasm). */
export const SKIP_ENV = 'BNN_SKIP_TENSORFLOW';

const USAGE = `npm run setup-tensorflow [-- --rebuild]

Makes @tensorflow/tfjs-node (the fast native backend) work. Tries tfjs-node's own download of
libtensorflow, then builds its binding against, in order: the folder in $${TENSORFLOW_DIR_ENV} (a
libtensorflow C release or an unpacked TensorFlow wheel), the Python tensorflow package, the
${TENSORFLOW_WHEEL.name}==${TENSORFLOW_WHEEL.version} wheel fetched with pip into ~/.cache/bnn-geometry.

  --rebuild   build again even if tfjs-node already loads
  $${SKIP_ENV}=1 skips this step (npm install then leaves the project on wasm).`;

const log = (line: string): void => console.log(`tfjs-node: ${line}`);

/** Each local TensorFlow in turn, found lazily (the wheel is fetched only if the others fail). */
function* localLibraries(): Generator<TensorflowLibrary | { failed: string }> {
  const dir = process.env[TENSORFLOW_DIR_ENV];
  if (dir) {
    yield libraryInFolder(dir, `${TENSORFLOW_DIR_ENV}=${dir}`) ?? {
      failed: `$${TENSORFLOW_DIR_ENV}=${dir} holds neither lib/libtensorflow.so.2 nor libtensorflow_cc.so.2 with include/tensorflow/c/c_api.h`,
    };
  }
  const python = libraryInPython();
  if (python) yield python;
  yield libraryFromWheel(log);
}

/** tfjs-node's own install script: downloads libtensorflow 2.9.1 and its prebuilt binding. */
function ownInstall(tfjsNodeDir: string): boolean {
  log('trying tfjs-node\'s own download of libtensorflow');
  const binDir = path.join(packageRoot(), 'node_modules', '.bin');
  const run = spawnSync(process.execPath, ['scripts/install.js'], {
    cwd: tfjsNodeDir,
    env: { ...process.env, PATH: `${binDir}${path.delimiter}${process.env.PATH ?? ''}` },
    encoding: 'utf8',
    timeout: 15 * 60 * 1000,
  });
  if (run.status !== 0) {
    const why = run.stderr.split('\n').find((line) => /ENOTFOUND|ECONN|ETIMEDOUT|Error/.test(line))?.trim();
    log(`its download failed${why ? ` (${why})` : ''}; building against a local TensorFlow instead`);
  }
  return run.status === 0;
}

function setup(cmd: RebuildCommand): void {
  if (process.env[SKIP_ENV] === '1') return log(`skipped (${SKIP_ENV}=1): the project runs on wasm`);
  const root = packageRoot();
  const dir = packageDir('@tensorflow/tfjs-node', root);
  if (dir === undefined) {
    return log(
      'not installed (an npm older than 11 drops it when its download fails): run `npm install --ignore-scripts && npm run prepare`; ' +
        'until then the project runs on wasm',
    );
  }
  const before = probe('@tensorflow/tfjs-node', root);
  if (before.ok && !cmd.rebuild) return log(`works (TensorFlow ${before.version}); nothing to do`);

  if (!cmd.rebuild && ownInstall(dir)) {
    const own = probe('@tensorflow/tfjs-node', root);
    if (own.ok) return log(`ready: TensorFlow ${own.version} downloaded by tfjs-node`);
  }
  const failures: string[] = [];
  for (const lib of localLibraries()) {
    if ('failed' in lib) {
      failures.push(lib.failed);
      continue;
    }
    log(`building the binding against ${lib.origin} in ${path.dirname(lib.library)} (about a minute)`);
    stageLibrary(dir, lib);
    const built = buildBinding(dir);
    const after = built.ok ? probe('@tensorflow/tfjs-node', root) : built;
    if (after.ok) return log(`ready: TensorFlow ${after.version} from ${lib.origin}`);
    failures.push(`${lib.origin}: ${after.reason}`);
    log(`that failed: ${after.reason}`);
  }
  const still = probe('@tensorflow/tfjs-node', root); // --rebuild leaves a working build alone unless it staged another
  if (still.ok) return log(`no other TensorFlow could be built (${failures.join('; ')}); the existing build (TensorFlow ${still.version}) still works`);
  log(
    `no TensorFlow could be had (${failures.join('; ')}), so the project runs on wasm (slower). ` +
      `To get tfjs-node: pip install ${TENSORFLOW_WHEEL.name}==${TENSORFLOW_WHEEL.version}, or set ${TENSORFLOW_DIR_ENV} ` +
      `to a libtensorflow C release, then ${SETUP_COMMAND}.`,
  );
}

if (require.main === module) void runCli('setup-tensorflow', USAGE, parseRebuildFlag, setup);
