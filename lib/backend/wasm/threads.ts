/**
 * Multi-threaded tfjs wasm backend in Node.
 *
 * tfjs-backend-wasm 4.22 ships a threaded SIMD build (XNNPACK on a pthreadpool) but never uses
 * it in Node: its WASM_HAS_MULTITHREAD_SUPPORT flag is false there (tensorflow/tfjs#3830), and
 * its loader hands Emscripten the pthread worker and the main script as Blob URLs, which Node's
 * worker_threads cannot load. Here we run the same Emscripten factory from the package's
 * `wasm-out/` folder ourselves, with the worker script written to a file and the factory script
 * given by path, then register a BackendWasm built on that module as the 'wasm' backend.
 *
 * Emscripten keeps a Node worker referenced while it runs a pthread, and XNNPACK's pool threads
 * run for the life of the process, so we unreference them: the process can still exit when its
 * event loop is empty (the main thread blocks synchronously while a kernel uses the pool).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';

/** Environment variable overriding the number of wasm threads (1 disables threading). */
export const WASM_THREADS_ENV_VAR = 'BNN_WASM_THREADS';

/** Seconds to wait for the threaded module (and its pthread workers) to load before giving up. */
const LOAD_TIMEOUT_S = 60;

/** tfjs-backend-wasm registers its backend with this priority; we keep it. */
const WASM_PRIORITY = 2;

const WASM_PACKAGE = '@tensorflow/tfjs-backend-wasm';
const THREADED_SCRIPT = 'tfjs-backend-wasm-threaded-simd.js';
const THREADED_WORKER = 'tfjs-backend-wasm-threaded-simd.worker.js';
const THREADED_WASM = 'tfjs-backend-wasm-threaded-simd.wasm';

/** The parts of the Emscripten module that tfjs's BackendWasm and we use. */
interface EmscriptenModule {
  cwrap(name: string, returnType: string | null, argTypes: string[]): (...args: number[]) => number;
  PThread: { runningWorkers: Worker[]; unusedWorkers: Worker[] };
  tfjs?: Record<string, (...args: number[]) => number>;
}

type EmscriptenFactory = (config: {
  locateFile: (file: string, prefix: string) => string;
  mainScriptUrlOrBlob: string;
  instantiateWasm: (imports: WasmImports, receiveInstance: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void) => object;
}) => Promise<EmscriptenModule>;

type WasmPackage = typeof import('@tensorflow/tfjs-backend-wasm') & {
  BackendWasm: new (module: EmscriptenModule) => tf.KernelBackend;
};

/**
 * The number of threads to use: BNN_WASM_THREADS if set (a positive integer), else the number
 * of CPUs Node may use.
 */
export function requestedWasmThreads(): number {
  const fromEnv = process.env[WASM_THREADS_ENV_VAR];
  if (fromEnv === undefined || fromEnv === '') return os.availableParallelism();
  const n = Number(fromEnv);
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(`${WASM_THREADS_ENV_VAR}=${fromEnv} is not a positive integer; set it to e.g. 1 or 2, or unset it.`);
  }
  return n;
}

/**
 * Writes the pthread worker script (shipped as a string in `wasm-out/*.worker.js`) to a file in
 * the OS temp folder, named by a hash of its contents, atomically; returns the file's path.
 */
function writeWorkerScript(wasmOut: string): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a script path inside the installed package
  const { wasmWorkerContents } = require(path.join(wasmOut, THREADED_WORKER)) as { wasmWorkerContents: string };
  // The string holds literal newlines where the worker source has the escape "\n" (tfjs's own
  // loader undoes this the same way before making its Blob).
  const source = wasmWorkerContents.replace(/\n/g, '\\n');
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 16);
  const file = path.join(os.tmpdir(), `bnn-geometry-tfjs-wasm-${hash}.worker.js`);
  if (!fs.existsSync(file)) {
    const temp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temp, source);
    fs.renameSync(temp, file);
  }
  return file;
}

/** Rejects with a clear message if `promise` has not settled after `seconds`. */
function withTimeout<T>(promise: Promise<T>, seconds: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${seconds} s`)), seconds * 1000);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** WebAssembly imports, as Emscripten passes them to `instantiateWasm`. */
type WasmImports = Record<string, Record<string, unknown>>;

/**
 * Emscripten's `instantiateWasm` hook: instantiates `wasmFile` with the module's imports, except
 * that the CPU count it reports is `2 × threads`. tfjs-backend-wasm's init_with_threads_count
 * caps the pool at half the logical CPUs (src/cc/backend.cc assumes two hyperthreads per core),
 * which on a 2-core machine without SMT would leave 1 thread whatever we ask for.
 */
function instantiateReportingCpus(wasmFile: string, threads: number, onError: (err: unknown) => void) {
  return (imports: WasmImports, receiveInstance: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void) => {
    const env = { ...imports.env, emscripten_num_logical_cores: () => 2 * threads };
    WebAssembly.instantiate(fs.readFileSync(wasmFile), { ...imports, env })
      .then(({ instance, module }) => receiveInstance(instance, module))
      .catch(onError);
    return {}; // exports arrive asynchronously, through receiveInstance
  };
}

/** Loads the threaded SIMD Emscripten module, with `threads` threads allowed, and its pthread workers. */
async function loadThreadedModule(threads: number): Promise<EmscriptenModule> {
  const wasmOut = path.join(path.dirname(require.resolve(`${WASM_PACKAGE}/package.json`)), 'wasm-out');
  const script = path.join(wasmOut, THREADED_SCRIPT);
  const workerScript = writeWorkerScript(wasmOut);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a script path inside the installed package
  const factory = require(script) as EmscriptenFactory;
  let failInstantiation: (err: unknown) => void = () => {};
  const instantiationFailed = new Promise<never>((_, reject) => (failInstantiation = reject));
  const module = await withTimeout(
    Promise.race([
      factory({
        locateFile: (file, prefix) => (file.endsWith('.worker.js') ? workerScript : prefix + file),
        mainScriptUrlOrBlob: script,
        instantiateWasm: instantiateReportingCpus(path.join(wasmOut, THREADED_WASM), threads, failInstantiation),
      }),
      instantiationFailed,
    ]),
    LOAD_TIMEOUT_S,
    'loading the threaded wasm module',
  );
  // The same bridge tfjs-backend-wasm's own loader attaches (dist/backend_wasm.js, `init`).
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  return module;
}

/** Lets the process exit while pthread workers are alive (they only run kernels we wait for). */
function unrefWorkers(module: EmscriptenModule): void {
  for (const worker of [...module.PThread.runningWorkers, ...module.PThread.unusedWorkers]) worker.unref();
}

let registered: Promise<void> | undefined;

/**
 * Replaces tfjs's 'wasm' backend factory by one that runs the threaded SIMD build with
 * `threads` threads. Resolves once the module is loaded (the backend itself starts on
 * `tf.setBackend('wasm')`); rejects, leaving tfjs's single-threaded backend in place, if
 * SharedArrayBuffer, wasm threads or worker_threads are unavailable. Call before the wasm
 * backend is first initialised; later calls return the first call's promise.
 */
export function registerThreadedWasmBackend(threads: number): Promise<void> {
  registered ??= (async () => {
    if (typeof SharedArrayBuffer !== 'function') throw new Error('SharedArrayBuffer is not available');
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the wasm backend is loaded only when chosen
    const wasm = require(WASM_PACKAGE) as WasmPackage;
    const module = await loadThreadedModule(threads);
    wasm.setThreadsCount(threads);
    tf.removeBackend('wasm');
    tf.registerBackend(
      'wasm',
      () => {
        const backend = new wasm.BackendWasm(module);
        unrefWorkers(module); // pthreadpool's threads exist now
        return backend;
      },
      WASM_PRIORITY,
    );
  })();
  return registered;
}
