/**
 * Optional native kernels (native/packed.cc, N-API): AVX-512 VPOPCNTDQ where the CPU has it, else
 * the scalar popcnt instruction, chosen at run time; threads inside one call. Built on first use
 * with the system's C++ compiler (g++ or $CXX) against the running Node's headers, into
 * build/native/ keyed by the source's hash; never required: when the build or the load fails,
 * `loadNative` says why and the caller uses the wasm kernels.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { packageRoot } from '../util/package-root';
import { PackedEngine } from './classify';
import { PackedModel } from './model';
import { validatePackedModel } from './validate';
import { defaultThreads } from './wasm-engine';

interface NativeAddon {
  create(meta: Int32Array, arrays: ArrayBufferView[]): object;
  run(model: object, images: Float32Array, count: number, threads: number, logits: Float32Array): void;
  kernels: string;
}

/** Environment variable: 0 disables the native kernels (auto then means wasm). */
const NATIVE_ENV_VAR = 'BNN_PACKED_NATIVE';
/**
 * Environment variable: `address` builds (and loads) the kernels with AddressSanitizer, for the tests
 * that run them over corrupt and mutated models (Node must then start with libasan in LD_PRELOAD).
 */
export const SANITIZE_ENV_VAR = 'BNN_PACKED_SANITIZE';

/** Compiler flags: optimised, or instrumented by AddressSanitizer. */
function buildFlags(): string[] {
  const sanitize = process.env[SANITIZE_ENV_VAR];
  if (sanitize === undefined || sanitize === '') return ['-O3'];
  if (sanitize !== 'address') throw new Error(`${SANITIZE_ENV_VAR}=${sanitize}; the only sanitizer supported is 'address'.`);
  return ['-O1', '-g', '-fno-omit-frame-pointer', '-fsanitize=address'];
}

let cached: { addon: NativeAddon } | { missing: string } | undefined;

function nodeIncludeDir(): string | undefined {
  const candidates = [path.join(path.dirname(process.execPath), '..', 'include', 'node'), '/usr/include/node', '/usr/local/include/node'];
  return candidates.find((dir) => fs.existsSync(path.join(dir, 'node_api.h')));
}

/** The addon, built if needed, or why it is unavailable. */
export function loadNative(): { addon: NativeAddon } | { missing: string } {
  if (cached) return cached;
  try {
    cached = tryLoad();
  } catch (err) {
    cached = { missing: (err as Error).message }; // e.g. a read-only package folder
  }
  return cached;
}

function tryLoad(): { addon: NativeAddon } | { missing: string } {
  if (process.env[NATIVE_ENV_VAR] === '0') return { missing: `${NATIVE_ENV_VAR}=0` };
  if (process.arch !== 'x64') return { missing: `native kernels are built for x64 only (this is ${process.arch})` };
  const root = packageRoot();
  const source = path.join(root, 'native', 'packed.cc');
  if (!fs.existsSync(source)) return { missing: `${source} is missing` };
  const flags = buildFlags();
  const hash = createHash('sha256').update(fs.readFileSync(source)).update(process.version).update(flags.join(' ')).digest('hex').slice(0, 16);
  const dir = path.join(root, 'build', 'native');
  const file = path.join(dir, `packed-${hash}.node`);
  if (!fs.existsSync(file)) {
    const include = nodeIncludeDir();
    if (!include) return { missing: 'the Node headers (node_api.h) are not installed' };
    const cxx = process.env.CXX || 'g++';
    fs.mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    const args = [...flags, '-std=c++17', '-shared', '-fPIC', '-pthread', '-ffp-contract=off', '-DNODE_GYP_MODULE_NAME=packed_native', `-I${include}`, source, '-o', tmp];
    const r = spawnSync(cxx, args, { encoding: 'utf8' });
    if (r.status !== 0) {
      fs.rmSync(tmp, { force: true });
      const why = r.error ? `${cxx} not found` : `${cxx} failed: ${(r.stderr || '').trim().split('\n').slice(0, 3).join(' ')}`;
      return { missing: why };
    }
    fs.renameSync(tmp, file);
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- an addon built at run time, loaded by path
    const addon = require(file) as NativeAddon;
    return { addon };
  } catch (err) {
    return { missing: `cannot load ${file}: ${(err as Error).message}` };
  }
}

const KIND = { 'float-conv': 0, 'binary-conv': 1, 'binary-dense': 2, output: 3 } as const;

/** The model in the addon's description: 10 numbers per layer and its arrays in a fixed order. */
export function describeForAddon(model: PackedModel): { meta: Int32Array; arrays: ArrayBufferView[] } {
  const [h, w, c] = model.config.inputShape;
  const meta: number[] = [h * w * c, model.config.classes, model.layers.length];
  const arrays: ArrayBufferView[] = [];
  for (const l of model.layers) {
    switch (l.kind) {
      case 'float-conv':
      case 'binary-conv':
        meta.push(KIND[l.kind], l.height, l.width, l.k, l.cin, l.cout, l.maxPool ? 1 : 0, 0, 0, 0);
        if (l.kind === 'float-conv') arrays.push(l.weights, l.thresholds, l.flip);
        else arrays.push(l.weights, l.positionClass, l.thresholds, l.flip);
        break;
      case 'binary-dense':
        meta.push(KIND[l.kind], 0, 0, 0, 0, 0, 0, l.inputWords, l.inputs, l.units);
        arrays.push(l.weights, l.thresholds, l.flip);
        break;
      case 'output':
        meta.push(KIND[l.kind], 0, 0, 0, 0, 0, 0, l.inputWords, l.inputs, l.units);
        arrays.push(l.weights, l.mean, l.scale, l.offset);
        break;
    }
  }
  return { meta: Int32Array.from(meta), arrays };
}

/** The native kernels as an engine (throws with the reason when they are unavailable). */
export function nativeEngine(model: PackedModel, threads = defaultThreads()): PackedEngine {
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`threads = ${threads}; use a whole number ≥ 1.`);
  const loaded = loadNative();
  if ('missing' in loaded) throw new Error(`native packed kernels unavailable: ${loaded.missing}`);
  const { addon } = loaded;
  const { meta, arrays } = describeForAddon(validatePackedModel(model));
  const handle = addon.create(meta, arrays);
  const classes = model.config.classes;
  return {
    description: `native ${addon.kernels}, ${threads} thread${threads === 1 ? '' : 's'}`,
    logits: (images, count) => {
      const logits = new Float32Array(count * classes);
      addon.run(handle, images, count, threads, logits);
      return Promise.resolve(logits);
    },
    close: () => Promise.resolve(),
  };
}
