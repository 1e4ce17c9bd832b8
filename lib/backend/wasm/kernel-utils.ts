/**
 * Helpers for writing tfjs wasm-backend kernels out of other wasm kernels.
 *
 * A kernelFunc works on TensorInfos (backend data, not engine Tensors), so intermediates made
 * inside a kernel are not tracked by tf.tidy: every helper here returns a TensorInfo the caller
 * owns and must release with `backend.disposeData(info.dataId)` (`chain` does this for you).
 */
import * as tf from '@tensorflow/tfjs';
import { overrideKernel } from '../override-kernel';
import type { DataType, KernelBackend, KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';

export const WASM = 'wasm';

export type TensorInfoMap = Record<string, TensorInfo>;

/** The arguments the engine passes to every kernelFunc, with typed inputs and attributes. */
export interface KernelArgs<Inputs extends TensorInfoMap, Attrs> {
  inputs: Inputs;
  backend: KernelBackend;
  attrs: Attrs;
}

/** The part of tfjs-backend-wasm's BackendWasm that kernels written in JS use (public methods of that class). */
export interface WasmHeapBackend extends KernelBackend {
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/** `backend` as a WasmHeapBackend, or an error naming `kernelName` if it is not the wasm backend. */
export function asWasmHeapBackend(backend: KernelBackend, kernelName: string): WasmHeapBackend {
  if (!('typedArrayFromHeap' in backend && 'makeOutput' in backend)) {
    throw new Error(`wasm ${kernelName}: the backend is not tfjs-backend-wasm (no typedArrayFromHeap/makeOutput).`);
  }
  return backend as WasmHeapBackend;
}

/** Looks up the kernelFunc registered for `kernelName` on `backendName`, or throws naming it. */
export function kernelFuncOf(kernelName: string, backendName: string): KernelFunc {
  const config = tf.getKernel(kernelName, backendName);
  if (config === undefined) {
    throw new Error(`The ${backendName} backend has no ${kernelName} kernel registered.`);
  }
  return config.kernelFunc;
}

/** Runs the wasm kernel `kernelName`; the caller owns the result. */
export function runWasmKernel(
  kernelName: string,
  inputs: TensorInfoMap,
  attrs: object,
  backend: KernelBackend,
): TensorInfo {
  return kernelFuncOf(kernelName, WASM)({ inputs, backend, attrs: attrs as NamedAttrMap }) as TensorInfo;
}

/** Permutes the axes of `x` (wasm Transpose kernel); the caller owns the result. */
export function transpose(x: TensorInfo, perm: number[], backend: KernelBackend): TensorInfo {
  return runWasmKernel('Transpose', { x }, { perm }, backend);
}

/**
 * Applies `steps` in order, each to the previous result, releasing every intermediate
 * (but never `first`). Returns the last result, owned by the caller.
 */
export function chain(
  first: TensorInfo,
  steps: ((t: TensorInfo) => TensorInfo)[],
  backend: KernelBackend,
): TensorInfo {
  let current = first;
  for (const step of steps) {
    const next = step(current);
    if (current !== first) backend.disposeData(current.dataId);
    current = next;
  }
  return current;
}

/** {@link overrideKernel} for the wasm backend. */
export function overrideWasmKernel(
  kernelName: string,
  makeConfig: (builtIn: KernelConfig | undefined) => KernelConfig,
): void {
  overrideKernel(kernelName, WASM, makeConfig);
}
