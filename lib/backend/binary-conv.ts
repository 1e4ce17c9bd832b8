/**
 * The binary conv of the training step's and inference's graphs (model/graph-network.ts): a float
 * conv of ±1 inputs with ±1 weights is a sum of integers, which XNOR and popcount give exactly, with
 * AVX-512 about six times faster than TensorFlow's float kernel. It runs as the TensorFlow op
 * BnnBinaryConv2D (native/tensorflow-ops.h over native/conv-counts.h), which the native addon of
 * packed/native.ts registers with tfjs-node's TensorFlow, in place of Conv2D within the same session run.
 */
import { defaultThreads } from '../packed/engine';
import { ISA_ENV_VAR, NATIVE_ENV_VAR, chooseIsa, loadNative } from '../packed/native';
import { nodeBackend } from './tensorflow-ops';

/** How the graphs' binary convs run: BnnBinaryConv2D's `avx512` attribute, and how to say it. */
export interface BinaryConvOp {
  avx512: boolean;
  /** 'AVX-512 VPOPCNTDQ' or 'scalar popcount'. */
  description: string;
}

/**
 * The binary conv op, registered with tfjs-node's TensorFlow (call only once tfjs-node is loaded),
 * or why graphs keep Conv2D: the native kernels are unavailable or turned off ($BNN_PACKED_NATIVE=0,
 * read on every call), TensorFlow runs on a GPU (the op would pull every binary conv's input back to
 * the CPU), the CPU lacks AVX-512 VPOPCNTDQ (there TensorFlow's float conv is as fast as the scalar
 * kernel, or faster), or this TensorFlow cannot register it. $BNN_PACKED_ISA=avx2 or
 * scalar runs the scalar kernel (for tests on any CPU).
 */
export function binaryConvChoice(): { op: BinaryConvOp } | { missing: string } {
  if (process.env[NATIVE_ENV_VAR] === '0') return { missing: `${NATIVE_ENV_VAR}=0` };
  if (nodeBackend().isUsingGpuDevice) return { missing: 'TensorFlow runs them on the GPU' };
  const loaded = loadNative();
  if ('missing' in loaded) return { missing: `the native kernels are unavailable: ${loaded.missing}` };
  const { addon } = loaded;
  if (addon.convCountsIsa === '') return { missing: 'this CPU has no popcount instruction' };
  const avx512 = addon.convCountsIsa === 'avx512' && chooseIsa(addon.isas) === 'avx512';
  if (!avx512 && !process.env[ISA_ENV_VAR]) return { missing: 'this CPU lacks AVX-512 VPOPCNTDQ' };
  const registered = addon.registerTensorflowOps(defaultThreads());
  if (registered !== '') return { missing: registered };
  return { op: { avx512, description: avx512 ? 'AVX-512 VPOPCNTDQ' : 'scalar popcount' } };
}

/** The binary conv op, or undefined where graphs keep Conv2D (see binaryConvChoice). */
export function binaryConvOp(): BinaryConvOp | undefined {
  const choice = binaryConvChoice();
  return 'op' in choice ? choice.op : undefined;
}
