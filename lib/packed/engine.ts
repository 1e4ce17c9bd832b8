/**
 * Chooses the kernels that run a packed model: 'wasm' (WebAssembly SIMD, one worker thread per
 * core; ships built, needs no compiler), or 'reference' (plain TypeScript, exact and slow).
 * 'auto' is wasm, or the reference kernels where this JavaScript engine lacks WebAssembly SIMD.
 */
import { PackedEngine, referenceEngine } from './classify';
import { PackedModel } from './model';
import { kernelsModule, wasmEngine } from './wasm-engine';

export type KernelsName = 'auto' | 'wasm' | 'reference';
export const KERNELS_NAMES: readonly KernelsName[] = ['auto', 'wasm', 'reference'];

export interface EngineOptions {
  kernels?: KernelsName;
  /** Worker threads for wasm (default: one per CPU core). */
  threads?: number;
}

export async function openEngine(model: PackedModel, options: EngineOptions = {}): Promise<PackedEngine> {
  const kernels = options.kernels ?? 'auto';
  if (!(KERNELS_NAMES as readonly string[]).includes(kernels)) {
    throw new Error(`Unknown kernels '${kernels}'; use one of: ${KERNELS_NAMES.join(', ')}.`);
  }
  if (kernels === 'reference') return referenceEngine(model);
  if (kernels === 'auto') {
    try {
      kernelsModule();
    } catch (err) {
      const engine = referenceEngine(model);
      return { ...engine, description: `${engine.description}; wasm kernels unavailable: ${(err as Error).message}` };
    }
  }
  return wasmEngine(model, options.threads);
}
