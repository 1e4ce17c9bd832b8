/**
 * A copy-free Identity kernel for the tfjs wasm backend.
 *
 * tfjs-core clones (Identity) every tensor it saves for the backward pass, and the built-in wasm
 * Identity (tfjs-backend-wasm 4.22) copies the data: about 35 copies of activation-sized
 * tensors per training step of the small network. Backend data is immutable (kernels write only
 * to the outputs they allocate), so, like the cpu backend's Identity and the wasm Reshape, we
 * share the input's data and count one more reference to it.
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { overrideWasmKernel, type KernelArgs } from './kernel-utils';

function identity({ inputs: { x }, backend }: KernelArgs<{ x: TensorInfo }, object>): TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/** Registers the copy-free Identity for the wasm backend. Idempotent. */
export function registerWasmIdentity(): void {
  overrideWasmKernel('Identity', (builtIn: KernelConfig | undefined) => {
    if (builtIn === undefined) throw new Error('The wasm backend has no Identity kernel to replace.');
    return { ...builtIn, kernelFunc: identity as unknown as KernelFunc };
  });
}
