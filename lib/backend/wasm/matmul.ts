/**
 * Fast matrix products for the tfjs wasm backend.
 *
 * tfjs-backend-wasm 4.22 sends BatchMatMul to XNNPACK only when neither operand is
 * transposed; `transposeA` / `transposeB` fall into a scalar triple loop, 3x to 50x slower
 * (xᵀ·dy for a 50×8192 by 8192×1024 layer: 3.1 s instead of 66 ms).
 * The gradient of every matMul uses exactly those (dA = dy·Bᵀ, dB = Aᵀ·dy), so we
 * materialise transposes with the wasm Transpose kernel and call the built-in kernel with plain
 * operands. (Batched products with a batch > 1 still take the built-in slow path.)
 *
 * XNNPACK also repacks its right-hand operand on every call with a new tensor, and our
 * quantized weights W^b are a new tensor every step: for the quick profile's fc1 (50×6272 by
 * 6272×256) packing W^b cost 3x the product itself. So the plan below also counts packing.
 */
import type { BatchMatMulAttrs, KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { overrideWasmKernel, transpose, WASM, type KernelArgs } from './kernel-utils';

/** Time to pack one element of XNNPACK's right-hand operand, in units of transposing one (measured: ~8 ns vs ~2.7 ns). */
const PACKING_COST = 3;

/** The permutation swapping the last two axes of a rank-`rank` tensor. */
function swapLastTwoAxes(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return perm;
}

const size = (t: TensorInfo): number => t.shape.reduce((n, d) => n * d, 1);
const batchSize = (t: TensorInfo): number => t.shape.slice(0, -2).reduce((n, d) => n * d, 1);

/**
 * Wraps the built-in wasm BatchMatMul so that it only ever sees untransposed operands. Two ways
 * get there, and the cheaper is taken: transpose the flagged operands (XNNPACK then packs op(b)),
 * or use op(a)·op(b) = (op(b)ᵀ·op(a)ᵀ)ᵀ, transposing the unflagged operands and the product
 * (XNNPACK then packs op(a)ᵀ). The cost counts elements transposed plus elements packed. For the
 * forward x·W^b and the gradient dy·W^bᵀ of a wide layer the second wins: it moves the large W^b
 * once instead of packing it. Each output is the same K-term sum either way.
 */
function untransposedBatchMatMul(builtIn: KernelConfig): KernelConfig {
  const kernelFunc = ({ inputs, backend, attrs }: KernelArgs<{ a: TensorInfo; b: TensorInfo }, BatchMatMulAttrs>) => {
    const { transposeA, transposeB } = attrs;
    const { a, b } = inputs;
    const swap = (t: TensorInfo): TensorInfo => transpose(t, swapLastTwoAxes(t.shape.length), backend);
    const untransposed: BatchMatMulAttrs = { transposeA: false, transposeB: false };
    const multiply = (x: TensorInfo, y: TensorInfo): TensorInfo =>
      builtIn.kernelFunc({ inputs: { a: x, b: y }, backend, attrs: untransposed as unknown as NamedAttrMap }) as TensorInfo;
    const rows = a.shape[a.shape.length - (transposeA ? 1 : 2)];
    const columns = b.shape[b.shape.length - (transposeB ? 2 : 1)];
    const direct = (transposeA ? size(a) : 0) + (transposeB ? size(b) : 0) + PACKING_COST * size(b);
    const swapped = (transposeA ? 0 : size(a)) + (transposeB ? 0 : size(b)) + batchSize(a) * rows * columns + PACKING_COST * size(a);
    const temporaries: TensorInfo[] = [];
    const kept = (t: TensorInfo): TensorInfo => (temporaries.push(t), t);
    let out: TensorInfo;
    if (swapped < direct && batchSize(a) === batchSize(b)) {
      const product = kept(multiply(transposeB ? b : kept(swap(b)), transposeA ? a : kept(swap(a))));
      out = swap(product);
    } else {
      out = multiply(transposeA ? kept(swap(a)) : a, transposeB ? kept(swap(b)) : b);
    }
    for (const t of temporaries) backend.disposeData(t.dataId);
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
