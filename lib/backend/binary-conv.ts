/**
 * The binary conv of the training step's and inference's forward pass (model/graph-binary-conv.ts):
 * a float conv of ±1 inputs with ±1 weights is a sum of integers, which XNOR and popcount give
 * exactly, with AVX-512 about six times faster than TensorFlow's float kernel (native/conv-counts.h,
 * in the native addon of packed/native.ts).
 */
import { defaultThreads } from '../packed/engine';
import { ISA_ENV_VAR, NATIVE_ENV_VAR, chooseIsa, loadNative } from '../packed/native';

/** A binary conv's sizes: 'same' padding, stride 1, a k×k window (k odd). */
export interface BinaryConvShape {
  images: number;
  height: number;
  width: number;
  channels: number;
  filters: number;
  k: number;
}

export interface BinaryConvKernel {
  /** 'AVX-512 VPOPCNTDQ' or 'scalar popcount'. */
  description: string;
  /**
   * The float conv of ±1 inputs ([images][height][width][channels]) with ±1 weights ([k][k][channels][filters]),
   * exactly (native/conv-counts.h), into `out` ([images][height][width][filters]).
   */
  run(input: Float32Array, weights: Float32Array, shape: BinaryConvShape, out: Float32Array): void;
}

/**
 * The native binary conv, or why it does not run: the native kernels are unavailable or turned off
 * ($BNN_PACKED_NATIVE=0, read on every call), or the CPU lacks AVX-512 VPOPCNTDQ (there TensorFlow's
 * float conv is as fast as the scalar kernel, or faster). $BNN_PACKED_ISA=avx2 or scalar runs the
 * scalar kernel (for tests on any CPU).
 */
export function binaryConvChoice(): { kernel: BinaryConvKernel } | { missing: string } {
  if (process.env[NATIVE_ENV_VAR] === '0') return { missing: `${NATIVE_ENV_VAR}=0` };
  const loaded = loadNative();
  if ('missing' in loaded) return { missing: `the native kernels are unavailable: ${loaded.missing}` };
  const { addon } = loaded;
  if (addon.convCountsIsa === '') return { missing: 'this CPU has no popcount instruction' };
  const isa = chooseIsa(addon.isas);
  const avx512 = addon.convCountsIsa === 'avx512' && isa === 'avx512';
  if (!avx512 && !process.env[ISA_ENV_VAR]) return { missing: 'this CPU lacks AVX-512 VPOPCNTDQ' };
  const threads = defaultThreads();
  return {
    kernel: {
      description: avx512 ? 'AVX-512 VPOPCNTDQ' : 'scalar popcount',
      run: (input, weights, s, out) =>
        addon.convCounts(input, weights, Float64Array.of(s.images, s.height, s.width, s.channels, s.filters, s.k), avx512, threads, out),
    },
  };
}

/** The native binary conv, or undefined where it does not run (see binaryConvChoice). */
export function binaryConvKernel(): BinaryConvKernel | undefined {
  const choice = binaryConvChoice();
  return 'kernel' in choice ? choice.kernel : undefined;
}
