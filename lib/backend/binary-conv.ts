/**
 * The binary conv of the training step's forward pass (train/graph-step.ts): a float conv of ±1
 * inputs with ±1 weights is a sum of integers, which XNOR and popcount give exactly, on AVX-512
 * about six times faster than TensorFlow's float kernel (native/conv-counts.h, in the native addon
 * of packed/native.ts).
 */
import { defaultThreads } from '../packed/engine';
import { NATIVE_ENV_VAR, chooseIsa, loadNative } from '../packed/native';

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
 * The native binary conv, or undefined where the native kernels are unavailable, are turned off
 * ($BNN_PACKED_NATIVE=0, read on every call) or the CPU has no popcount. AVX-512 unless
 * $BNN_PACKED_ISA asks for another instruction set, which runs the scalar kernel.
 */
export function binaryConvKernel(): BinaryConvKernel | undefined {
  if (process.env[NATIVE_ENV_VAR] === '0') return undefined;
  const loaded = loadNative();
  if ('missing' in loaded || loaded.addon.convCountsIsa === '') return undefined;
  const { addon } = loaded;
  const avx512 = addon.convCountsIsa === 'avx512' && chooseIsa(addon.isas) === 'avx512';
  const threads = defaultThreads();
  return {
    description: avx512 ? 'AVX-512 VPOPCNTDQ' : 'scalar popcount',
    run: (input, weights, s, out) =>
      addon.convCounts(input, weights, Float64Array.of(s.images, s.height, s.width, s.channels, s.filters, s.k), avx512, threads, out),
  };
}
