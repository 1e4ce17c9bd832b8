/**
 * Optional native kernels (native/, C++ over node-addon-api): one file per instruction set, AVX-512
 * VPOPCNTDQ, AVX2 and scalar, the best this CPU has chosen at run time unless one is asked for
 * (`BNN_PACKED_ISA` or `classify --kernels native-avx2` …). They run the execution plan (plan.ts)
 * on libuv's thread pool, threads inside, so Node's event loop stays free. Built on first use with
 * the system's C++ compiler (g++ or $CXX) against the running Node's headers, into build/native/
 * keyed by the sources' hash; never required: when the build or the load fails, `loadNative` says
 * why and the caller uses the wasm kernels.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { packageRoot } from '../util/package-root';
import { PackedEngine, checkThreads, defaultThreads } from './engine';
import { PackedModel } from './model';
import { buildPlan, encodePlan } from './plan';
import { Layout, planAbiCpp } from './plan-abi';

/** Instruction sets of the native kernels, best first; the addon names them the same. */
export const ISAS = ['avx512', 'avx2', 'scalar'] as const;
export type Isa = (typeof ISAS)[number];

const ISA_LAYOUT: Record<Isa, Layout> = { avx512: 'grouped8', avx2: 'grouped4', scalar: 'portable' };
const ISA_DESCRIPTION: Record<Isa, string> = { avx512: 'AVX-512 VPOPCNTDQ', avx2: 'AVX2', scalar: 'scalar' };

interface NativePlan {
  run(images: Float32Array, count: number, threads: number): Promise<Float32Array>;
}

export interface NativeAddon {
  /** The instruction sets this CPU runs, best first. */
  isas: Isa[];
  Plan: new (header: Int32Array, constants: Uint32Array, isa: Isa) => NativePlan;
  /** The binary conv of conv-counts.h runs with AVX-512 or scalar popcounts; '' where the CPU has no popcount. */
  convCountsIsa: 'avx512' | 'scalar' | '';
  convCounts(input: Float32Array, weights: Float32Array, shape: Float64Array, avx512: boolean, threads: number, out: Float32Array): void;
  /** Registers native/tensorflow-ops.h's binary conv op with tfjs-node's TensorFlow: '' or why it is unavailable. */
  registerTensorflowOps(threads: number): string;
}

/** Environment variable: 0 disables the native kernels (auto then means wasm). */
export const NATIVE_ENV_VAR = 'BNN_PACKED_NATIVE';
/** Environment variable: avx512, avx2 or scalar forces those kernels (an error where the CPU lacks them). */
export const ISA_ENV_VAR = 'BNN_PACKED_ISA';
/**
 * Environment variable: `address` builds (and loads) the kernels with AddressSanitizer, for the tests
 * that run them over corrupt and mutated models (Node must then start with libasan in LD_PRELOAD).
 */
export const SANITIZE_ENV_VAR = 'BNN_PACKED_SANITIZE';

const SOURCES = ['addon.cc', 'plan.cc', 'kernels-scalar.cc', 'kernels-avx2.cc', 'kernels-avx512.cc', 'conv-counts.cc', 'conv-counts-avx512.cc', 'tensorflow-ops.cc'];

/** Compiler flags: optimised, or instrumented by AddressSanitizer. */
function buildFlags(): string[] {
  const sanitize = process.env[SANITIZE_ENV_VAR];
  const common = ['-std=c++17', '-shared', '-fPIC', '-pthread', '-ffp-contract=off', '-Wall', '-Wextra', '-DNAPI_VERSION=8', '-DNAPI_CPP_EXCEPTIONS'];
  if (sanitize === undefined || sanitize === '') return [...common, '-O3'];
  if (sanitize !== 'address') throw new Error(`${SANITIZE_ENV_VAR}=${sanitize}; the only sanitizer supported is 'address'.`);
  return [...common, '-O1', '-g', '-fno-omit-frame-pointer', '-fsanitize=address'];
}

let cached: { addon: NativeAddon } | { missing: string } | undefined;

function nodeIncludeDir(): string | undefined {
  const candidates = [path.join(path.dirname(process.execPath), '..', 'include', 'node'), '/usr/include/node', '/usr/local/include/node'];
  return candidates.find((dir) => fs.existsSync(path.join(dir, 'node_api.h')));
}

/** node-addon-api's headers (napi.h), or undefined when the package is not installed. */
function addonApiIncludeDir(): string | undefined {
  try {
    return path.dirname(require.resolve('node-addon-api/napi.h'));
  } catch {
    return undefined;
  }
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

/** The native sources: their paths, and a key of their contents, the plan's binary layout, Node's version and the flags. */
function nativeSources(flags: string[]): { sources: string[]; key: string } | { missing: string } {
  const dir = path.join(packageRoot(), 'native');
  const files = [...SOURCES, 'kernels.h', 'plan.h', 'float-conv.h', 'windows.h', 'conv-counts.h', 'cpu.h', 'tensorflow-ops.h'].map((f) => path.join(dir, f));
  const absent = files.find((f) => !fs.existsSync(f));
  if (absent) return { missing: `${absent} is missing` };
  const hash = createHash('sha256');
  for (const f of files) hash.update(fs.readFileSync(f));
  return { sources: files.slice(0, SOURCES.length), key: hash.update(planAbiCpp()).update(process.version).update(flags.join(' ')).digest('hex').slice(0, 16) };
}

/**
 * Compiles the addon into `file` (its generated plan_abi.h beside it); returns the compiler's
 * warnings (none expected: the sources build cleanly with -Wall -Wextra), or why it cannot be built.
 */
export function compileNative(file: string): { warnings: string } | { missing: string } {
  const flags = buildFlags();
  const found = nativeSources(flags);
  if ('missing' in found) return found;
  const include = nodeIncludeDir();
  if (!include) return { missing: 'the Node headers (node_api.h) are not installed' };
  const addonApi = addonApiIncludeDir();
  if (!addonApi) return { missing: 'node-addon-api is not installed (npm install)' };
  const cxx = process.env.CXX || 'g++';
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'plan_abi.h'), planAbiCpp());
  const tmp = `${file}.${process.pid}.tmp`;
  const r = spawnSync(cxx, [...flags, `-I${dir}`, `-I${include}`, `-I${addonApi}`, ...found.sources, '-o', tmp], { encoding: 'utf8' });
  if (r.status !== 0) {
    fs.rmSync(tmp, { force: true });
    return { missing: r.error ? `${cxx} not found` : `${cxx} failed: ${(r.stderr || '').trim().split('\n').slice(0, 3).join(' ')}` };
  }
  fs.renameSync(tmp, file);
  return { warnings: r.stderr.trim() };
}

function tryLoad(): { addon: NativeAddon } | { missing: string } {
  if (process.env[NATIVE_ENV_VAR] === '0') return { missing: `${NATIVE_ENV_VAR}=0` };
  if (process.arch !== 'x64') return { missing: `native kernels are built for x64 only (this is ${process.arch})` };
  const found = nativeSources(buildFlags());
  if ('missing' in found) return found;
  const file = path.join(packageRoot(), 'build', 'native', found.key, 'packed.node');
  if (!fs.existsSync(file)) {
    const built = compileNative(file);
    if ('missing' in built) return built;
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- an addon built at run time, loaded by path
    return { addon: require(file) as NativeAddon };
  } catch (err) {
    return { missing: `cannot load ${file}: ${(err as Error).message}` };
  }
}

/** The instruction set to run: `asked` (or $BNN_PACKED_ISA) if this CPU has it, else the best it has. */
export function chooseIsa(available: readonly Isa[], asked: Isa | undefined = undefined): Isa {
  const fromEnv = process.env[ISA_ENV_VAR];
  const wanted = asked ?? (fromEnv === undefined || fromEnv === '' ? undefined : fromEnv);
  const source = asked ? `native-${asked}` : `${ISA_ENV_VAR}=${fromEnv}`;
  if (wanted === undefined) return available[0];
  if (!(ISAS as readonly string[]).includes(wanted)) throw new Error(`${source}: unknown instruction set; use one of ${ISAS.join(', ')}.`);
  if (!available.includes(wanted as Isa)) {
    throw new Error(`${source}: this CPU lacks ${ISA_DESCRIPTION[wanted as Isa]}; it has ${available.map((i) => `${i} (${ISA_DESCRIPTION[i]})`).join(', ')}.`);
  }
  return wanted as Isa;
}

export interface NativeOptions {
  threads?: number;
  /** The instruction set; default $BNN_PACKED_ISA, else the best this CPU has. */
  isa?: Isa;
}

/** The native kernels as an engine (throws with the reason when they are unavailable, or the CPU lacks the ISA asked for). */
export function nativeEngine(model: PackedModel, options: NativeOptions = {}): PackedEngine {
  const threads = checkThreads(options.threads ?? defaultThreads());
  const loaded = loadNative();
  if ('missing' in loaded) throw new Error(`native packed kernels unavailable: ${loaded.missing}`);
  const isa = chooseIsa(loaded.addon.isas, options.isa);
  const plan = buildPlan(model, ISA_LAYOUT[isa]);
  const handle = new loaded.addon.Plan(encodePlan(plan), plan.constants, isa);
  return {
    description: `native ${ISA_DESCRIPTION[isa]}, ${threads} thread${threads === 1 ? '' : 's'}`,
    logits: (images, count) => handle.run(images, count, threads),
    close: () => Promise.resolve(),
  };
}
