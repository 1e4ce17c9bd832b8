/** `npm run build:wasm`: regenerates wasm/plan-abi.ts and rebuilds wasm/packed-kernels.wasm from its AssemblyScript source (--check: only compare). */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildKernels, writeKernelsAbi } from '../lib/packed/build-wasm';
import { kernelsWasmPath } from '../lib/packed/wasm-engine';

const check = process.argv.includes('--check');
try {
  const target = kernelsWasmPath();
  if (!check) writeKernelsAbi();
  const out = check ? path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bnn-wasm-')), 'k.wasm') : target;
  const { version } = buildKernels(out);
  if (check) {
    const same = fs.existsSync(target) && Buffer.compare(fs.readFileSync(out), fs.readFileSync(target)) === 0;
    console.log(same ? `${target} matches its source (AssemblyScript ${version})` : `${target} differs from a fresh build of its source: run npm run build:wasm and commit it`);
    if (!same) process.exitCode = 1;
  } else {
    console.log(`built ${target} (${fs.statSync(target).size} bytes, AssemblyScript ${version})`);
  }
} catch (err) {
  console.error(`build:wasm: ${(err as Error).message}`);
  process.exitCode = 1;
}
