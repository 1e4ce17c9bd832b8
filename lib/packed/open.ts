/**
 * Chooses the kernels that run a packed model:
 * - 'native': C++ (AVX-512 VPOPCNTDQ, AVX2 or scalar: the best the CPU has), built on first use with
 *   the system's g++; optional (native.ts). 'native-avx512', 'native-avx2', 'native-scalar' force one
 *   (an error naming what the CPU has where it lacks it);
 * - 'wasm': WebAssembly SIMD, one worker thread per core; ships built, needs no compiler;
 * - 'reference': plain TypeScript, exact and slow.
 * 'auto' takes the first of native, wasm, reference that works here and says why it skipped any.
 */
import { PackedEngine } from './engine';
import { PackedModel } from './model';
import { ISAS, Isa, loadNative, nativeEngine } from './native';
import { referenceEngine } from './reference';
import { kernelsModule, wasmEngine } from './wasm-engine';

export const KERNELS_NAMES = ['auto', 'native', ...ISAS.map((isa) => `native-${isa}` as const), 'wasm', 'reference'] as const;
export type KernelsName = (typeof KERNELS_NAMES)[number];

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
  const { threads } = options;
  if (kernels === 'reference') return referenceEngine(model);
  if (kernels === 'wasm') return wasmEngine(model, threads);
  if (kernels.startsWith('native')) return nativeEngine(model, { threads, isa: kernels === 'native' ? undefined : (kernels.slice(7) as Isa) });
  const native = loadNative();
  if (!('missing' in native)) return nativeEngine(model, { threads });
  try {
    kernelsModule();
  } catch (err) {
    const engine = referenceEngine(model);
    return { ...engine, description: `${engine.description} (native: ${native.missing}; wasm: ${(err as Error).message})` };
  }
  const engine = await wasmEngine(model, threads);
  return { ...engine, description: `${engine.description} (native kernels unavailable: ${native.missing})` };
}
