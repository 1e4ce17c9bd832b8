/**
 * Builds wasm/packed-kernels.wasm from wasm/packed-kernels.ts with AssemblyScript (a devDependency:
 * `npm install` brings it; nothing else is needed). The build is reproducible: the same compiler
 * version and flags give the same bytes, which `npm test` checks against the committed binary. The
 * kernels read the plan's fields from wasm/plan-abi.ts, generated from lib/packed/plan-abi.ts.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { packageRoot } from '../util/package-root';
import { planAbiAssemblyScript } from './plan-abi';

/** The compiler version the committed binary was built with (package.json pins the same). */
const ASSEMBLYSCRIPT_VERSION = '0.28.20';
const ASC_FLAGS = ['-O3', '--noAssert', '--runtime', 'stub', '--enable', 'simd'];
/** Environment variable pointing at another AssemblyScript install's bin/asc.js. */
const ASC_ENV_VAR = 'BNN_ASC';

function kernelsSourcePath(): string {
  return path.join(packageRoot(), 'wasm', 'packed-kernels.ts');
}

/** The generated constants the kernels import. */
function kernelsAbiPath(): string {
  return path.join(packageRoot(), 'wasm', 'plan-abi.ts');
}

/** Writes wasm/plan-abi.ts from lib/packed/plan-abi.ts. */
export function writeKernelsAbi(): void {
  fs.writeFileSync(kernelsAbiPath(), planAbiAssemblyScript());
}

/** Path of asc.js and its version, or why it cannot be found. */
export function findAssemblyScript(): { asc: string; version: string } | { missing: string } {
  const fromEnv = process.env[ASC_ENV_VAR];
  const asc = fromEnv || path.join(packageRoot(), 'node_modules', 'assemblyscript', 'bin', 'asc.js');
  if (!fs.existsSync(asc)) {
    return {
      missing: `AssemblyScript is not installed (${asc} is missing): run \`npm install\` (assemblyscript@${ASSEMBLYSCRIPT_VERSION} is a devDependency) or \`npm install --no-save assemblyscript@${ASSEMBLYSCRIPT_VERSION}\`, or set ${ASC_ENV_VAR} to an asc.js`,
    };
  }
  const manifest = path.join(path.dirname(asc), '..', 'package.json');
  const version = (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version: string }).version;
  return { asc, version };
}

/** Compiles the kernels into `out`; throws with the compiler's output on failure. */
export function buildKernels(out: string): { version: string } {
  const found = findAssemblyScript();
  if ('missing' in found) throw new Error(found.missing);
  if (found.version !== ASSEMBLYSCRIPT_VERSION) {
    throw new Error(`AssemblyScript ${found.version} is installed; the kernels are built with ${ASSEMBLYSCRIPT_VERSION} (npm install assemblyscript@${ASSEMBLYSCRIPT_VERSION}).`);
  }
  if (fs.readFileSync(kernelsAbiPath(), 'utf8') !== planAbiAssemblyScript()) {
    throw new Error(`${kernelsAbiPath()} differs from lib/packed/plan-abi.ts: run npm run build:wasm (it regenerates it) and commit both.`);
  }
  const source = kernelsSourcePath();
  const r = spawnSync(process.execPath, [found.asc, path.basename(source), ...ASC_FLAGS, '-o', path.resolve(out)], {
    cwd: path.dirname(source),
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`asc failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
  return { version: found.version };
}
