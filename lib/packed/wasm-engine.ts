/**
 * The packed network on the WebAssembly SIMD kernels (wasm/packed-kernels.ts, built into
 * wasm/packed-kernels.wasm and committed: no compiler needed at run time), which run the execution
 * plan (plan.ts, layout 'wasm'). One `WasmCore` is one wasm instance with the plan in its memory;
 * `wasmEngine` runs one core per worker thread and splits each batch between them (or one core in
 * this thread for threads = 1).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { packageRoot } from '../util/package-root';
import { PackedEngine, checkThreads, defaultThreads } from './engine';
import { PackedModel } from './model';
import { buildPlan, encodePlan } from './plan';
import { HEADER_FIELDS, HeaderField } from './plan-abi';

/** The committed kernels binary and its AssemblyScript source. */
export function kernelsWasmPath(): string {
  return path.join(packageRoot(), 'wasm', 'packed-kernels.wasm');
}

let compiled: WebAssembly.Module | undefined;

/** The compiled kernels module (compiled once per thread). */
export function kernelsModule(): WebAssembly.Module {
  if (!compiled) {
    const file = kernelsWasmPath();
    if (!fs.existsSync(file)) throw new Error(`The packed kernels ${file} are missing; rebuild them with npm run build:wasm.`);
    compiled = new WebAssembly.Module(fs.readFileSync(file));
  }
  return compiled;
}

interface Kernels {
  memory: WebAssembly.Memory;
  run(ops: number, count: number, constants: number, arena: number): void;
}

/** A plan as the wasm kernels read it: its int32 header and operation records, and its constants. */
export interface EncodedPlan {
  header: Int32Array;
  constants: Uint32Array;
}

/** The plan of a model in the wasm layout, encoded. */
function wasmPlan(model: PackedModel): EncodedPlan {
  const plan = buildPlan(model, 'wasm');
  return { header: encodePlan(plan), constants: plan.constants };
}

const headerField = (header: Int32Array, f: HeaderField) => header[HEADER_FIELDS.indexOf(f)];

/** One wasm instance holding a plan (its operation records, constants and one arena in its memory); runs images one at a time. */
export class WasmCore {
  private readonly kernels: Kernels;
  private readonly ops = 65536; // above the module's own first 64 KiB
  private readonly opCount: number;
  private readonly constants: number;
  private readonly arena: number;
  private readonly image: number;
  private readonly logitsAt: number;
  private readonly imageSize: number;
  private readonly classes: number;

  constructor({ header, constants }: EncodedPlan, module: WebAssembly.Module = kernelsModule()) {
    this.kernels = new WebAssembly.Instance(module, {}).exports as unknown as Kernels;
    const records = header.subarray(HEADER_FIELDS.length);
    this.opCount = headerField(header, 'opCount');
    this.imageSize = headerField(header, 'imageSize');
    this.classes = headerField(header, 'classes');
    const align = (n: number) => Math.ceil(n / 64) * 64;
    this.constants = align(this.ops + records.byteLength);
    this.arena = align(this.constants + constants.byteLength);
    this.image = this.arena + 4 * headerField(header, 'image');
    this.logitsAt = this.arena + 4 * headerField(header, 'logits');
    const top = this.arena + 4 * headerField(header, 'arenaWords');
    const memory = this.kernels.memory;
    const pages = Math.ceil(top / 65536) - memory.buffer.byteLength / 65536;
    if (pages > 0) memory.grow(pages);
    const bytes = new Uint8Array(memory.buffer);
    bytes.fill(0, this.ops, top); // the arena starts zero: the convs' borders stay zero
    bytes.set(new Uint8Array(records.buffer, records.byteOffset, records.byteLength), this.ops);
    bytes.set(new Uint8Array(constants.buffer, constants.byteOffset, constants.byteLength), this.constants);
  }

  /** Logits [count][classes] of `count` NHWC images. */
  logits(images: Float32Array, count: number): Float32Array {
    const out = new Float32Array(count * this.classes);
    const buffer = this.kernels.memory.buffer;
    const image = new Float32Array(buffer, this.image, this.imageSize);
    const logits = new Float32Array(buffer, this.logitsAt, this.classes);
    for (let n = 0; n < count; n++) {
      image.set(images.subarray(n * this.imageSize, (n + 1) * this.imageSize));
      this.kernels.run(this.ops, this.opCount, this.constants, this.arena);
      out.set(logits, n * this.classes);
    }
    return out;
  }
}

interface Pending {
  resolve: (logits: Float32Array) => void;
  reject: (err: Error) => void;
}

/** A worker thread running a WasmCore (wasm-worker.ts, or its .js build). */
function startWorker(plan: EncodedPlan): Worker {
  const here = __filename;
  const script = path.join(path.dirname(here), `wasm-worker${path.extname(here)}`);
  const register = path.extname(here) === '.ts' ? `require(${JSON.stringify(require.resolve('ts-node/register/transpile-only'))});` : '';
  return new Worker(`${register} require(${JSON.stringify(script)});`, { eval: true, workerData: plan });
}

/** The wasm kernels as an engine on `threads` threads (default: one per core). */
export function wasmEngine(model: PackedModel, threads = defaultThreads()): Promise<PackedEngine> {
  checkThreads(threads);
  kernelsModule(); // fail here, in this thread, if the binary is missing
  const plan = wasmPlan(model);
  const [h, w, c] = model.config.inputShape;
  const size = h * w * c;
  const classes = model.config.classes;
  if (threads === 1) {
    const core = new WasmCore(plan);
    return Promise.resolve({
      description: 'wasm SIMD, 1 thread', logits: (images, count) => Promise.resolve(core.logits(images, count)), close: () => Promise.resolve(),
    });
  }
  const workers = Array.from({ length: threads }, () => startWorker(plan));
  const pending = new Map<number, Pending>();
  let nextId = 0;
  let failure: Error | undefined;
  // Workers keep the process alive only while they have work (so an unclosed engine does not hang it).
  const settled = () => {
    if (pending.size === 0) for (const wk of workers) wk.unref();
  };
  for (const worker of workers) {
    worker.on('message', (m: { id: number; logits?: Float32Array; error?: string }) => {
      const p = pending.get(m.id);
      pending.delete(m.id);
      settled();
      if (m.error !== undefined) p?.reject(new Error(m.error));
      else p?.resolve(m.logits!);
    });
    worker.on('error', (err) => {
      failure = err;
      for (const p of pending.values()) p.reject(err);
      pending.clear();
      settled();
    });
    worker.unref();
  }
  const run = (worker: Worker, images: Float32Array, count: number) =>
    new Promise<Float32Array>((resolve, reject) => {
      if (failure) return reject(failure);
      const id = nextId++;
      pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ id, images, count }, [images.buffer]);
    });
  return Promise.resolve({
    description: `wasm SIMD, ${threads} threads`,
    logits: async (images: Float32Array, count: number) => {
      const parts: Promise<Float32Array>[] = [];
      const per = Math.ceil(count / threads);
      for (let t = 0; t < threads && t * per < count; t++) {
        const start = t * per;
        const end = Math.min(count, start + per);
        parts.push(run(workers[t], images.slice(start * size, end * size), end - start));
      }
      const results = await Promise.all(parts);
      const out = new Float32Array(count * classes);
      let at = 0;
      for (const r of results) {
        out.set(r, at);
        at += r.length;
      }
      return out;
    },
    close: async () => {
      await Promise.all(workers.map((wk) => wk.terminate()));
    },
  });
}
