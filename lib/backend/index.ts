/**
 * Chooses and initialises the TensorFlow.js backend. The only module that loads a backend
 * package: everything else imports `@tensorflow/tfjs` and calls `await initBackend()` first.
 *
 * Order of preference: tfjs-node (native TensorFlow, optional dependency), then WebAssembly
 * (XNNPACK with SIMD on one thread per CPU, plus our fast gradient kernels), then the pure-JS
 * cpu backend. `BNN_BACKEND=tensorflow|wasm|cpu` forces one; an explicit argument overrides the
 * variable. `BNN_WASM_THREADS=N` sets the number of wasm threads (1: single-threaded build).
 */
import * as tf from '@tensorflow/tfjs';
import { binaryConvChoice } from './binary-conv';
import { builtOrigin, explainLoadFailure, packageDir, SETUP_COMMAND, TFJS_NODE_PACKAGES } from './tfjs-node-build';
import { packageRoot } from '../util/package-root';
import { registerTensorflowMaxPoolGrad } from './tensorflow-max-pool-grad';
import { registerWasmConvGradients } from './wasm/conv-gradients';
import { registerWasmIdentity } from './wasm/identity';
import { registerWasmMatMul } from './wasm/matmul';
import { registerWasmMaxPoolGrad } from './wasm/max-pool-grad';
import { registerThreadedWasmBackend, requestedWasmThreads } from './wasm/threads';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

export interface BackendInfo {
  name: BackendName;
  /** One line for logs and notebooks, e.g. `backend: wasm (SIMD, 2 threads; tfjs-node not installed)`. */
  description: string;
}

/** Environment variable that forces a backend. */
export const BACKEND_ENV_VAR = 'BNN_BACKEND';

const BACKEND_NAMES: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

const HOW_TO_GET: Record<BackendName, string> = {
  tensorflow: `run \`${SETUP_COMMAND}\` (it builds tfjs-node against a local TensorFlow; README, "Backend"), or choose another backend`,
  wasm: 'reinstall the dependencies with `npm install` (it ships with the project)',
  cpu: 'reinstall the dependencies with `npm install` (it ships with @tensorflow/tfjs)',
};

/** Outcome of trying to load one backend: its description, or why it is unavailable. */
type LoadResult = { ok: true; description: string } | { ok: false; reason: string };

let active: BackendInfo | undefined;

function isBackendName(value: string): value is BackendName {
  return (BACKEND_NAMES as readonly string[]).includes(value);
}

function parseBackendName(value: string, source: string): BackendName {
  if (isBackendName(value)) return value;
  throw new Error(`Unknown backend '${value}' (from ${source}); valid values are ${BACKEND_NAMES.join(', ')}.`);
}

/**
 * The backend forced by the argument or, failing that, by BNN_BACKEND (undefined: choose
 * automatically), with how it was forced, worded to follow "chosen" / "requested".
 */
function requestedBackend(prefer: string | undefined): { name: BackendName; how: string } | undefined {
  if (prefer !== undefined) return { name: parseBackendName(prefer, 'the initBackend argument'), how: 'explicitly' };
  const fromEnv = process.env[BACKEND_ENV_VAR];
  if (fromEnv === undefined || fromEnv === '') return undefined;
  const setting = `${BACKEND_ENV_VAR}=${fromEnv}`;
  return { name: parseBackendName(fromEnv, setting), how: `by ${setting}` };
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message.split('\n')[0] : String(err);
}

/** Requires `moduleName`; returns why it failed ("not installed" or the load error's first line). */
function tryRequire(moduleName: string): { ok: true; module: unknown } | { ok: false; reason: string } {
  try {
    // A runtime require: optional packages may be absent, so they cannot be imported statically.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded by name at run time
    return { ok: true, module: require(moduleName) as unknown };
  } catch (err) {
    const notFound =
      (err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && errorMessage(err).includes(`'${moduleName}'`);
    return { ok: false, reason: notFound ? 'not installed' : errorMessage(err) };
  }
}

async function activate(name: BackendName): Promise<string | undefined> {
  try {
    return (await tf.setBackend(name)) ? undefined : `tf.setBackend('${name}') failed`;
  } catch (err) {
    return `tf.setBackend('${name}') failed: ${errorMessage(err)}`;
  }
}

/**
 * tfjs-node, or tfjs-node-gpu when that is what is installed, described by its TensorFlow version
 * and where that came from; when it cannot load, why, in words that say what to do.
 */
async function loadTensorflow(): Promise<LoadResult> {
  const root = packageRoot();
  const installed = TFJS_NODE_PACKAGES.map((pkg) => ({ pkg, dir: packageDir(pkg, root) })).find((p) => p.dir !== undefined);
  if (installed?.dir === undefined) return { ok: false, reason: 'tfjs-node not installed' };
  const { pkg, dir } = installed;
  const name = pkg.replace('@tensorflow/', '');
  // Quiets TensorFlow's C++ info logs (its first oneDNN note is printed before this takes effect).
  process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';
  // A pooled allocator: with malloc, every step's large tensors are mmap'ed and page-faulted anew
  // (small network: 57 → 48 ms per training step, npm run bench).
  process.env.TF_CPU_ALLOCATOR_USE_BFC ??= 'true';
  const loaded = tryRequire(pkg);
  if (!loaded.ok) return { ok: false, reason: `${name} cannot be used: ${explainLoadFailure(loaded.reason)}` };
  const failed = await activate('tensorflow');
  if (failed) return { ok: false, reason: `${name} ${failed}` };
  registerTensorflowMaxPoolGrad();
  const version = (tf.backend() as unknown as { binding: { TF_Version: string } }).binding.TF_Version;
  const origin = builtOrigin(dir) ?? `libtensorflow downloaded by ${name}`;
  const binaryConvs = binaryConvChoice();
  const convs = 'op' in binaryConvs ? `XNOR–popcount, ${binaryConvs.op.description}` : `its float kernels (${binaryConvs.missing})`;
  return { ok: true, description: `${name}, TensorFlow ${version} ${pkg.endsWith('gpu') ? 'GPU build ' : ''}from ${origin}; binary convs on ${convs}` };
}

/**
 * Before the wasm backend first starts: swaps in the multi-threaded build when more than one
 * thread is wanted and SIMD is available. Returns why it stayed single-threaded when it tried
 * and failed (undefined otherwise); the single-threaded backend remains usable then.
 */
async function startWasmThreads(): Promise<string | undefined> {
  const threads = requestedWasmThreads();
  const alreadyStarted = 'wasm' in tf.engine().registry;
  if (threads === 1 || alreadyStarted || !(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'))) return undefined;
  try {
    await registerThreadedWasmBackend(threads);
    return undefined;
  } catch (err) {
    return `threads unavailable: ${errorMessage(err)}`;
  }
}

async function loadWasm(note: string): Promise<LoadResult> {
  const loaded = tryRequire('@tensorflow/tfjs-backend-wasm');
  if (!loaded.ok) {
    const why = loaded.reason === 'not installed' ? loaded.reason : `failed to load: ${loaded.reason}`;
    return { ok: false, reason: `tfjs-backend-wasm ${why}` };
  }
  const wasm = loaded.module as typeof import('@tensorflow/tfjs-backend-wasm');
  // Fixes for slow or wrong built-in kernels; registered before activation so that the setup
  // of the built-in kernels they delegate to runs when the backend initialises.
  registerWasmConvGradients();
  registerWasmIdentity();
  registerWasmMatMul();
  registerWasmMaxPoolGrad();
  const threadsProblem = await startWasmThreads();
  const failed = await activate('wasm');
  if (failed) return { ok: false, reason: `tfjs-backend-wasm ${failed}` };
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) ? 'SIMD' : 'no SIMD';
  const threads = wasm.getThreadsCount();
  const notes = [threadsProblem, note].filter((n) => n !== undefined).join('; ');
  return { ok: true, description: `${simd}, ${threads} thread${threads === 1 ? '' : 's'}; ${notes}` };
}

async function loadCpu(): Promise<LoadResult> {
  const failed = await activate('cpu');
  return failed ? { ok: false, reason: failed } : { ok: true, description: 'slow: for tests only' };
}

/**
 * The cpu backend prints an "install tfjs-node" banner on its first tensor. initBackend
 * already tries tfjs-node first and says how to get it, so mark the banner as shown (via the
 * backend's private `firstUse` flag in tfjs 4.x; nothing happens if a later version drops it).
 */
function silenceTfjsNodeBanner(): void {
  const cpu = tf.findBackend('cpu') as { firstUse?: boolean } | null;
  if (cpu !== null && 'firstUse' in cpu) cpu.firstUse = false;
}

function load(name: BackendName, wasmNote: string): Promise<LoadResult> {
  switch (name) {
    case 'tensorflow':
      return loadTensorflow();
    case 'wasm':
      return loadWasm(wasmNote);
    case 'cpu':
      return loadCpu();
  }
}

function remember(name: BackendName, description: string): BackendInfo {
  active = { name, description: `backend: ${name} (${description})` };
  return active;
}

/**
 * Initialises the backend and returns which one is active. With no argument and no
 * BNN_BACKEND, tries tensorflow (tfjs-node), then wasm, then cpu. A forced backend that
 * cannot load is an error saying how to get it. Calling again is cheap and returns the same
 * info unless a different backend is requested, in which case it switches.
 */
export async function initBackend(prefer?: BackendName): Promise<BackendInfo> {
  const requested = requestedBackend(prefer);
  silenceTfjsNodeBanner();
  if (active !== undefined && tf.engine().backendName === active.name) {
    if (requested === undefined || requested.name === active.name) return active;
  }

  if (requested !== undefined) {
    const result = await load(requested.name, `chosen ${requested.how}`);
    if (!result.ok) {
      throw new Error(
        `Backend '${requested.name}' (requested ${requested.how}) is not available: ${result.reason}. ` +
          `To use it, ${HOW_TO_GET[requested.name]}.`,
      );
    }
    return remember(requested.name, result.description);
  }

  const tensorflow = await loadTensorflow();
  if (tensorflow.ok) return remember('tensorflow', tensorflow.description);
  const wasm = await loadWasm(tensorflow.reason);
  if (wasm.ok) return remember('wasm', wasm.description);
  const cpu = await loadCpu();
  if (cpu.ok) return remember('cpu', cpu.description);
  throw new Error(`No TensorFlow.js backend could be initialised: ${tensorflow.reason}; ${wasm.reason}; ${cpu.reason}.`);
}
