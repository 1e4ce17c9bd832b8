/**
 * Registers this project's own tslab as a Jupyter kernel ("TypeScript (bnn-geometry)"), so that
 * `jupyter lab` runs the notebooks with the tslab version and packages pinned here: those of the
 * checkout that holds the notebook. Runs on
 * `npm install` (prepare); never fails the install: without Jupyter it says how to get it.
 */
import { execFileSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { PACKAGE_NAME } from '../util/package-root';
import { writeFileAtomic } from '../util/atomic-write';
import { ensureDir } from '../util/ensure-dir';
import { findJupyter } from './jupyter-env';

/** The kernelspec name the notebooks' metadata refers to. */
export const KERNEL_NAME = 'bnn-geometry';
export const KERNEL_DISPLAY_NAME = 'TypeScript (bnn-geometry)';


/** Jupyter's data folder: $JUPYTER_DATA_DIR, else what `jupyter --data-dir` says, else ~/.local/share/jupyter. */
export function jupyterDataDir(jupyter: string | null): string {
  if (process.env.JUPYTER_DATA_DIR) return process.env.JUPYTER_DATA_DIR;
  if (jupyter) {
    try {
      return execFileSync(jupyter, ['--data-dir'], { encoding: 'utf8' }).trim();
    } catch {
      // fall through to the default
    }
  }
  return path.join(os.homedir(), '.local', 'share', 'jupyter');
}

/**
 * Started by Jupyter in the notebook's folder, it runs the tslab of the bnn-geometry checkout that
 * holds the notebook, so that one registration serves every checkout and deleting one breaks no
 * other.
 */
const LAUNCHER = `// Written by bnn-geometry's npm install (lib/cli/install-kernel.ts).
const fs = require('fs');
const path = require('path');
for (let dir = process.cwd(); ; dir = path.dirname(dir)) {
  const tslab = path.join(dir, 'node_modules', 'tslab', 'dist', 'main.js');
  const manifest = path.join(dir, 'package.json');
  if (fs.existsSync(tslab) && fs.existsSync(manifest) && JSON.parse(fs.readFileSync(manifest, 'utf8')).name === ${JSON.stringify(PACKAGE_NAME)}) {
    require(tslab).main();
    break;
  }
  if (path.dirname(dir) === dir) {
    console.error('The ${KERNEL_DISPLAY_NAME} kernel runs notebooks inside a bnn-geometry checkout with its npm packages installed; ' +
      process.cwd() + ' is not in one (run npm install in the checkout).');
    process.exit(1);
  }
}
`;

/** The kernel.json that starts the launcher with this Node.js, in the notebook's folder. */
export function kernelSpec(): object {
  return {
    argv: [process.execPath, '{resource_dir}/launch.js', 'kernel', '--config-path', '{connection_file}'],
    display_name: KERNEL_DISPLAY_NAME,
    language: 'typescript',
  };
}

/** Writes the kernelspec and its launcher into `<dataDir>/kernels/bnn-geometry/` and returns that folder. */
export function installKernel(dataDir: string): string {
  const dir = path.join(dataDir, 'kernels', KERNEL_NAME);
  ensureDir(dir);
  writeFileAtomic(path.join(dir, 'launch.js'), LAUNCHER);
  writeFileAtomic(path.join(dir, 'kernel.json'), JSON.stringify(kernelSpec(), null, 2));
  return dir;
}

/** Registers the kernel where the Jupyter that will run it looks (see findJupyter); returns the kernel's folder. */
export function registerKernel(jupyter = findJupyter()): string {
  return installKernel(jupyterDataDir(jupyter));
}

export function main(): void {
  try {
    const jupyter = findJupyter();
    const dir = registerKernel(jupyter);
    console.log(`Registered the Jupyter kernel "${KERNEL_DISPLAY_NAME}" in ${dir}`);
    if (!jupyter) {
      console.log('No Jupyter runs yet: npm run setup-jupyter makes the project\'s own (its message above says what was missing).');
    }
  } catch (err) {
    console.warn(`Could not register the Jupyter kernel (${(err as Error).message}); run npm run kernel to retry.`);
  }
}

if (require.main === module) main();
