/**
 * Chooses the kernels that run a packed model: 'wasm' (WebAssembly SIMD, one worker thread per
 * core; ships built, needs no compiler), or 'reference' (plain TypeScript, exact and slow).
 * 'auto' is wasm.
 */
import { PackedEngine, referenceEngine } from './classify';
import { PackedModel } from './model';

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
  return referenceEngine(model);
}
