/** What runs a packed model's plan (reference.ts, wasm-engine.ts, native.ts), and how many threads it takes by default. */
import * as os from 'node:os';

/** Something that turns images into logits: the reference kernels, wasm (threads), or native. */
export interface PackedEngine {
  /** e.g. 'reference (TypeScript)', 'wasm SIMD, 2 threads', 'native AVX2, 2 threads'. */
  description: string;
  /** Logits [count][classes] of `count` NHWC float32 images. */
  logits(images: Float32Array, count: number): Promise<Float32Array>;
  /** Frees threads and memory. */
  close(): Promise<void>;
}

/** Threads used by default: one per core. */
export function defaultThreads(): number {
  return Math.max(1, os.availableParallelism());
}

/** Throws unless `threads` is a whole number ≥ 1. */
export function checkThreads(threads: number): number {
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`threads = ${threads}; use a whole number ≥ 1.`);
  return threads;
}
