/**
 * The packed network on the WebAssembly SIMD kernels (wasm/packed-kernels.ts, built into
 * wasm/packed-kernels.wasm and committed: no compiler needed at run time). One `WasmCore` is one
 * wasm instance with the model laid out in its memory; `wasmEngine` runs one core per worker
 * thread and splits each batch between them (or one core in this thread for threads = 1).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { packageRoot } from '../util/package-root';
import { PackedEngine } from './classify';
import { batchNormFloat32 } from './fold';
import { serializePacked } from './format';
import { BinaryConvLayer, FloatConvLayer, PackedModel, outputWords, wordsPerPixel } from './model';
import { validatePackedModel } from './validate';

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
  binaryConv(inp: number, h: number, w: number, wppIn: number, k: number, cout: number, weights: number, posClass: number, thr: number, pre: number, win: number): void;
  denseCounts(inp: number, bytes: number, units: number, weights: number, counts: number): void;
  floatConv(img: number, h: number, w: number, cin: number, cout: number, k: number, weights: number, thr: number, maxAbsW: number, pre: number): void;
  finish(pre: number, h: number, w: number, wpp: number, pool: number, flip: number, dst: number, pad: number): void;
}

type Step = (image: Float32Array, logits: Float32Array) => void;

/** One wasm instance holding the model; runs images one at a time. */
export class WasmCore {
  private readonly kernels: Kernels;
  private readonly steps: Step[] = [];
  private readonly imageSize: number;
  private readonly classes: number;

  constructor(model: PackedModel, module: WebAssembly.Module = kernelsModule()) {
    validatePackedModel(model);
    this.kernels = new WebAssembly.Instance(module, {}).exports as unknown as Kernels;
    const [h0, w0, c0] = model.config.inputShape;
    this.imageSize = h0 * w0 * c0;
    this.classes = model.config.classes;
    // Layout: a bump allocator over the module's memory (the kernels allocate nothing themselves).
    const blocks: { at: number; data?: ArrayBufferView }[] = [];
    let top = 65536;
    const alloc = (bytes: number, data?: ArrayBufferView): number => {
      const at = top;
      blocks.push({ at, data });
      top += Math.ceil(Math.max(bytes, 16) / 16) * 16 + 16; // 16 spare bytes: 8-byte tails may be read as v128 loads of zeros
      return at;
    };
    const layers = model.layers;
    // Input buffer of each layer (the previous layer's destination), with a zero border for convs.
    const inputs: number[] = [];
    const pads: number[] = [];
    layers.forEach((l, i) => {
      if (i === 0) {
        inputs.push(alloc(this.imageSize * 4));
        pads.push(0);
      } else if (l.kind === 'binary-conv') {
        const r = (l.k - 1) / 2;
        pads.push(r);
        inputs.push(alloc((l.height + 2 * r) * (l.width + 2 * r) * wordsPerPixel(l.cin) * 4));
      } else {
        pads.push(0);
        inputs.push(alloc(outputWords(layers[i - 1]) * 4));
      }
    });
    const views = () => ({
      u32: new Uint32Array(this.kernels.memory.buffer),
      i32: new Int32Array(this.kernels.memory.buffer),
      f32: new Float32Array(this.kernels.memory.buffer),
    });
    const k = this.kernels;
    layers.forEach((l, i) => {
      const dst = i + 1 < layers.length ? inputs[i + 1] : 0;
      const padNext = i + 1 < layers.length ? pads[i + 1] : 0;
      switch (l.kind) {
        case 'float-conv': {
          const { weights, thresholds, maxAbsW } = floatLayout(l);
          const w = alloc(weights.byteLength, weights);
          const thr = alloc(thresholds.byteLength, thresholds);
          const flip = alloc(l.flip.byteLength, l.flip);
          const wpp = wordsPerPixel(l.cout);
          const pre = alloc(l.height * l.width * wpp * 4);
          const img = inputs[0];
          this.steps.push((image) => {
            new Float32Array(k.memory.buffer, img, this.imageSize).set(image);
            k.floatConv(img, l.height, l.width, l.cin, l.cout, l.k, w, thr, maxAbsW, pre);
            k.finish(pre, l.height, l.width, wpp, l.maxPool ? 1 : 0, flip, dst, padNext);
          });
          break;
        }
        case 'binary-conv': {
          const layout = convLayout(l);
          const w = alloc(layout.byteLength, layout);
          // One pixel's window in 16-byte chunks, and 16 bytes binaryConv stores to (never read).
          const win = alloc(Math.ceil((l.k * l.k * wordsPerPixel(l.cin)) / 4) * 16 + 16);
          const cls = alloc(l.positionClass.byteLength, l.positionClass);
          const thresholds = convThresholds(l);
          const thr = alloc(thresholds.byteLength, thresholds);
          const flip = alloc(l.flip.byteLength, l.flip);
          const wpp = wordsPerPixel(l.cout);
          const pre = alloc(l.height * l.width * wpp * 4);
          const inp = inputs[i];
          this.steps.push(() => {
            k.binaryConv(inp, l.height, l.width, wordsPerPixel(l.cin), l.k, l.cout, w, cls, thr, pre, win);
            k.finish(pre, l.height, l.width, wpp, l.maxPool ? 1 : 0, flip, dst, padNext);
          });
          break;
        }
        case 'binary-dense': {
          const w = alloc(l.weights.byteLength, l.weights);
          const counts = alloc(l.units * 4);
          const inp = inputs[i];
          const outWords = wordsPerPixel(l.units);
          this.steps.push(() => {
            k.denseCounts(inp, l.inputWords * 4, l.units, w, counts);
            const { u32, i32 } = views();
            const c = i32.subarray(counts / 4, counts / 4 + l.units);
            const out = u32.subarray(dst / 4, dst / 4 + outWords);
            out.set(l.flip);
            for (let u = 0; u < l.units; u++) if (c[u] <= l.thresholds[u]) out[u >>> 5] ^= 1 << (u & 31);
          });
          break;
        }
        case 'output': {
          const w = alloc(l.weights.byteLength, l.weights);
          const counts = alloc(l.units * 4);
          const inp = inputs[i];
          this.steps.push((_, logits) => {
            k.denseCounts(inp, l.inputWords * 4, l.units, w, counts);
            const c = views().i32.subarray(counts / 4, counts / 4 + l.units);
            for (let u = 0; u < l.units; u++) logits[u] = batchNormFloat32(l.inputs - 2 * c[u], l.mean[u], l.scale[u], l.offset[u]);
          });
          break;
        }
      }
    });
    const pages = Math.ceil(top / 65536) - k.memory.buffer.byteLength / 65536;
    if (pages > 0) k.memory.grow(pages);
    const bytes = new Uint8Array(k.memory.buffer);
    bytes.fill(0, 65536, top);
    for (const b of blocks) if (b.data) bytes.set(new Uint8Array(b.data.buffer, b.data.byteOffset, b.data.byteLength), b.at);
  }

  /** Logits [count][classes] of `count` NHWC images. */
  logits(images: Float32Array, count: number): Float32Array {
    const out = new Float32Array(count * this.classes);
    for (let n = 0; n < count; n++) {
      const image = images.subarray(n * this.imageSize, (n + 1) * this.imageSize);
      const logits = out.subarray(n * this.classes, (n + 1) * this.classes);
      for (const step of this.steps) step(image, logits);
    }
    return out;
  }
}

/** Output channels per pass of binaryConv: 8 on SIMD, 4 on the scalar popcount. */
const CONV_PASS = 12;

/**
 * A binary conv's weights as binaryConv reads them: the window ([k][k][wordsPerPixel(cin)]) in
 * 16-byte chunks (zero-padded), channels in passes of 12 (zero-padded): [⌈cout/12⌉][chunks] of 192
 * bytes, the chunk's 8 halfwords × channels 0–7 of the pass ([halfword][channel]), then its 16 bytes
 * of each of channels 8–11.
 */
function convLayout(l: BinaryConvLayer): Uint16Array {
  const winHalves = l.k * l.k * wordsPerPixel(l.cin) * 2;
  const chunks = Math.ceil(winHalves / 8);
  const src = new Uint16Array(l.weights.buffer, l.weights.byteOffset, l.weights.length * 2);
  const out = new Uint16Array(Math.ceil(l.cout / CONV_PASS) * chunks * 96);
  for (let o = 0; o < l.cout; o++) {
    const pass = Math.floor(o / CONV_PASS);
    const m = o % CONV_PASS;
    for (let q = 0; q < winHalves; q++) {
      const chunk = (pass * chunks + (q >> 3)) * 96;
      out[m < 8 ? chunk + (q & 7) * 8 + m : chunk + 64 + (m - 8) * 8 + (q & 7)] = src[o * winHalves + q];
    }
  }
  return out;
}

/** A binary conv's thresholds as binaryConv reads them: [classes][cout rounded up to 12], padded with −1 (never: counts are ≥ 0). */
function convThresholds(l: BinaryConvLayer): Int32Array {
  const coutP = Math.ceil(l.cout / CONV_PASS) * CONV_PASS;
  const classes = l.thresholds.length / l.cout;
  const out = new Int32Array(classes * coutP).fill(-1);
  for (let c = 0; c < classes; c++) out.set(l.thresholds.subarray(c * l.cout, (c + 1) * l.cout), c * coutP);
  return out;
}

/** The first layer's weights with cout padded to 16 (zeros) and thresholds padded with NaN (never). */
function floatLayout(l: FloatConvLayer): { weights: Float32Array; thresholds: Float32Array; maxAbsW: number } {
  const coutP = Math.ceil(l.cout / 16) * 16;
  const rows = l.k * l.k * l.cin;
  const weights = new Float32Array(rows * coutP);
  let maxAbsW = 0;
  for (let row = 0; row < rows; row++) {
    for (let o = 0; o < l.cout; o++) {
      const v = l.weights[row * l.cout + o];
      weights[row * coutP + o] = v;
      maxAbsW = Math.max(maxAbsW, Math.abs(v));
    }
  }
  const thresholds = new Float32Array(coutP).fill(NaN);
  thresholds.set(l.thresholds);
  return { weights, thresholds, maxAbsW };
}

/** Threads used by default: one per core. */
export function defaultThreads(): number {
  return Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
}

interface Pending {
  resolve: (logits: Float32Array) => void;
  reject: (err: Error) => void;
}

/** A worker thread running a WasmCore (wasm-worker.ts, or its .js build). */
function startWorker(modelBytes: Uint8Array): Worker {
  const here = __filename;
  const script = path.join(path.dirname(here), `wasm-worker${path.extname(here)}`);
  const register = path.extname(here) === '.ts' ? `require(${JSON.stringify(require.resolve('ts-node/register/transpile-only'))});` : '';
  return new Worker(`${register} require(${JSON.stringify(script)});`, { eval: true, workerData: { modelBytes } });
}

/** The wasm kernels as an engine on `threads` threads (default: one per core). */
export function wasmEngine(model: PackedModel, threads = defaultThreads()): Promise<PackedEngine> {
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`threads = ${threads}; use a whole number ≥ 1.`);
  kernelsModule(); // fail here, in this thread, if the binary is missing
  const [h, w, c] = model.config.inputShape;
  const size = h * w * c;
  const classes = model.config.classes;
  if (threads === 1) {
    const core = new WasmCore(model);
    return Promise.resolve({
      description: 'wasm SIMD, 1 thread', logits: (images, count) => Promise.resolve(core.logits(images, count)), close: () => Promise.resolve(),
    });
  }
  const bytes = serializePacked(model);
  const workers = Array.from({ length: threads }, () => startWorker(bytes));
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
