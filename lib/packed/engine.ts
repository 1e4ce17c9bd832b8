/**
 * Chooses the kernels that run a packed model:
 * - 'native': C++ over N-API (AVX-512 VPOPCNTDQ or scalar popcnt, chosen at run time), built on
 *   first use with the system's g++; optional (lib/packed/native.ts);
 * - 'wasm': WebAssembly SIMD, one worker thread per core; ships built, needs no compiler;
 * - 'reference': plain TypeScript, exact and slow.
 * 'auto' takes the first of native, wasm, reference that works here and says why it skipped any.
 */
import { PackedEngine, referenceEngine } from './classify';
import { PackedModel } from './model';
import { loadNative, nativeEngine } from './native';
import { kernelsModule, wasmEngine } from './wasm-engine';

export type KernelsName = 'auto' | 'native' | 'wasm' | 'reference';
export const KERNELS_NAMES: readonly KernelsName[] = ['auto', 'native', 'wasm', 'reference'];

export interface EngineOptions {
  kernels?: KernelsName;
  /** Threads for native and wasm (default: one per CPU core). */
  threads?: number;
}

export async function openEngine(model: PackedModel, options: EngineOptions = {}): Promise<PackedEngine> {
  const kernels = options.kernels ?? 'auto';
  if (!(KERNELS_NAMES as readonly string[]).includes(kernels)) {
    throw new Error(`Unknown kernels '${kernels}'; use one of: ${KERNELS_NAMES.join(', ')}.`);
  }
  if (kernels === 'reference') return referenceEngine(model);
  if (kernels === 'native') return nativeEngine(model, options.threads);
  if (kernels === 'wasm') return wasmEngine(model, options.threads);
  const native = loadNative();
  if (!('missing' in native)) return nativeEngine(model, options.threads);
  try {
    kernelsModule();
  } catch (err) {
    const engine = referenceEngine(model);
    return { ...engine, description: `${engine.description} (native: ${native.missing}; wasm: ${(err as Error).message})` };
  }
  const engine = await wasmEngine(model, options.threads);
  return { ...engine, description: `${engine.description} (native kernels unavailable: ${native.missing})` };
}
