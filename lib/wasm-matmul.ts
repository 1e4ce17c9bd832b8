/**
 * Fast transposed matrix products for the tfjs wasm backend.
 *
 * tfjs-backend-wasm 4.22 sends BatchMatMul to XNNPACK only when neither operand is
 * transposed; `transposeA` / `transposeB` fall into a scalar triple loop, 3x to 50x slower
 * (xᵀ·dy for a 50×8192 by 8192×1024 layer: 3.1 s instead of 66 ms).
 * The gradient of every matMul uses exactly those (dA = dy·Bᵀ, dB = Aᵀ·dy), so we
 * materialise the transposes with the wasm Transpose kernel and call the built-in kernel
 * with plain operands. (Batched products with a batch > 1 still take the built-in slow path.)
 */
import type { BatchMatMulAttrs, KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { overrideWasmKernel, transpose, WASM, type KernelArgs } from './wasm-kernel-utils';

/** The permutation swapping the last two axes of a rank-`rank` tensor. */
function swapLastTwoAxes(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return perm;
}

/** Wraps the built-in wasm BatchMatMul so that it only ever sees untransposed operands. */
function untransposedBatchMatMul(builtIn: KernelConfig): KernelConfig {
  const kernelFunc = ({ inputs, backend, attrs }: KernelArgs<{ a: TensorInfo; b: TensorInfo }, BatchMatMulAttrs>) => {
    const { transposeA, transposeB } = attrs;
    if (!transposeA && !transposeB) return builtIn.kernelFunc({ inputs, backend, attrs: attrs as unknown as NamedAttrMap });
    const materialise = (t: TensorInfo, transposed: boolean) =>
      transposed ? transpose(t, swapLastTwoAxes(t.shape.length), backend) : t;
    const a = materialise(inputs.a, transposeA);
    const b = materialise(inputs.b, transposeB);
    const plain: BatchMatMulAttrs = { transposeA: false, transposeB: false };
    const out = builtIn.kernelFunc({ inputs: { a, b }, backend, attrs: plain as unknown as NamedAttrMap });
    if (transposeA) backend.disposeData(a.dataId);
    if (transposeB) backend.disposeData(b.dataId);
    return out;
  };
  return { ...builtIn, kernelFunc: kernelFunc as unknown as KernelFunc };
}

/** Registers the wrapped BatchMatMul for the wasm backend. Idempotent. */
export function registerWasmMatMul(): void {
  overrideWasmKernel('BatchMatMul', (builtIn) => {
    if (builtIn === undefined) throw new Error(`The ${WASM} backend has no BatchMatMul kernel to wrap.`);
    return untransposedBatchMatMul(builtIn);
  });
}
