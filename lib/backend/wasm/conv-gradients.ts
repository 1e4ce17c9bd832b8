/**
 * Fast conv2d gradient kernels for the tfjs wasm backend.
 *
 * tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter kernel and a slow, scalar
 * Conv2DBackpropInput. For stride 1 and dilation 1 both gradients are themselves plain
 * convolutions, so we express them as the backend's forward Conv2D (XNNPACK, SIMD) on
 * transposed / flipped tensors:
 *
 *   forward   y[n,i,j,o]  = Σ_{a,b,c} x[n, i+a-pt, j+b-pl, c] · w[a,b,c,o]
 *   input     dx[n,p,q,c] = Σ_{a,b,o} dy[n, p+a-(kh-1-pt), q+b-(kw-1-pl), o] · w[kh-1-a, kw-1-b, c, o]
 *             i.e. conv(dy, w flipped in space with in/out channels swapped),
 *             padding (kh-1-pt, kh-1-pb) × (kw-1-pl, kw-1-pr);
 *   filter    dw[a,b,c,o] = Σ_{n,i,j} xᵀ[c, a+i-pt, b+j-pl, n] · dyᵀ[i,j,n,o]
 *             i.e. conv(x as [C_in,H,W,N], dy as a [H',W',N,C_out] filter), same padding as
 *             the forward pass, giving [C_in,kh,kw,C_out], transposed to [kh,kw,C_in,C_out];
 *             for a first layer (few input channels) instead im2col: patches(x)ᵀ · dy.
 * (Standard identities; see Dumoulin & Visin, "A guide to convolution arithmetic for deep
 * learning", arXiv 1603.07285, §4.)
 *
 * Anything else (strides ≠ 1, NCHW) is delegated to the cpu backend's reference kernel, which
 * is slow but correct.
 */
import * as tf from '@tensorflow/tfjs';
import type {
  Conv2DAttrs,
  Conv2DBackpropFilterAttrs,
  Conv2DBackpropInputAttrs,
  KernelBackend,
  KernelFunc,
  NamedAttrMap,
  TensorInfo,
} from '@tensorflow/tfjs';
import {
  asWasmHeapBackend,
  chain,
  kernelFuncOf,
  overrideWasmKernel,
  runWasmKernel,
  transpose,
  WASM,
  type KernelArgs,
  type TensorInfoMap,
} from './kernel-utils';

type Conv2DInfo = tf.backend_util.Conv2DInfo;
type ExplicitPadding = [[number, number], [number, number], [number, number], [number, number]];

/** Forward conv2d on the wasm backend with stride 1, dilation 1 and explicit padding. */
function conv2dStride1(
  x: TensorInfo,
  filter: TensorInfo,
  [top, bottom, left, right]: [number, number, number, number],
  backend: KernelBackend,
): TensorInfo {
  const pad: ExplicitPadding = [[0, 0], [top, bottom], [left, right], [0, 0]];
  const attrs: Conv2DAttrs = { strides: 1, dilations: 1, pad, dataFormat: 'NHWC' };
  return runWasmKernel('Conv2D', { x, filter }, attrs, backend);
}

/**
 * True when the fast path applies: NHWC and stride 1, any kernel size or padding. (Dilation is
 * always 1 here: tfjs-core refuses gradients of dilated convolutions.)
 */
function isStride1ChannelsLast(info: Conv2DInfo): boolean {
  return info.dataFormat === 'channelsLast' && info.strideHeight === 1 && info.strideWidth === 1;
}

function convInfoOf(
  xShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  attrs: Conv2DBackpropInputAttrs | Conv2DBackpropFilterAttrs,
): Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    xShape,
    filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    tf.backend_util.convertConv2DDataFormat(attrs.dataFormat),
  );
}

/**
 * Runs `kernelName` with the cpu backend's reference kernel: copies the inputs out of wasm
 * memory, computes on cpu, copies the result back. Used for configurations the fast path
 * does not cover.
 */
function runOnCpu(
  kernelName: string,
  inputs: TensorInfoMap,
  attrs: object,
  wasm: KernelBackend,
): TensorInfo {
  const cpu = tf.findBackend('cpu');
  if (cpu === null) {
    throw new Error(`${kernelName} on wasm falls back to the cpu backend here, but 'cpu' is not registered.`);
  }
  const cpuKernel = kernelFuncOf(kernelName, 'cpu');
  const cpuInputs: TensorInfoMap = {};
  for (const [name, t] of Object.entries(inputs)) {
    const values = wasm.readSync(t.dataId) as Float32Array;
    cpuInputs[name] = { dataId: cpu.write(values, t.shape, t.dtype), shape: t.shape, dtype: t.dtype };
  }
  const cpuOut = cpuKernel({ inputs: cpuInputs, backend: cpu, attrs: attrs as NamedAttrMap }) as TensorInfo;
  const values = cpu.readSync(cpuOut.dataId) as Float32Array;
  for (const t of [...Object.values(cpuInputs), cpuOut]) cpu.disposeData(t.dataId);
  return { dataId: wasm.write(values, cpuOut.shape, cpuOut.dtype), shape: cpuOut.shape, dtype: cpuOut.dtype };
}

/**
 * The filter of the input gradient, w'[a, b, o, c] = w[kh−1−a, kw−1−b, c, o]: flipped in space,
 * in/out channels swapped. One JS pass over the (small) filter; the wasm Reverse kernel it
 * replaces costs ~50 ns per element.
 */
function flippedSwappedFilter(filter: TensorInfo, backend: KernelBackend): TensorInfo {
  const heap = asWasmHeapBackend(backend, 'Conv2DBackpropInput');
  const [kh, kw, cIn, cOut] = filter.shape;
  const out = heap.makeOutput([kh, kw, cOut, cIn], 'float32');
  // Views are taken after makeOutput: allocating may grow (and so detach) the wasm heap.
  const flipped = heap.typedArrayFromHeap(out) as Float32Array;
  const w = heap.typedArrayFromHeap(filter) as Float32Array;
  let i = 0;
  for (let a = 0; a < kh; a++) {
    for (let b = 0; b < kw; b++) {
      const tap = ((kh - 1 - a) * kw + (kw - 1 - b)) * cIn * cOut;
      for (let o = 0; o < cOut; o++) {
        for (let c = 0; c < cIn; c++) flipped[i++] = w[tap + c * cOut + o];
      }
    }
  }
  return out;
}

/** dL/dx of conv2d: a stride-1 conv of dy with the spatially flipped, channel-swapped filter. */
function conv2dBackpropInput({ inputs, backend, attrs }: KernelArgs<{ dy: TensorInfo; filter: TensorInfo }, Conv2DBackpropInputAttrs>): TensorInfo {
  const { dy, filter } = inputs;
  const filterShape = filter.shape as [number, number, number, number];
  const info = convInfoOf(attrs.inputShape, filterShape, attrs);
  if (!isStride1ChannelsLast(info)) return runOnCpu('Conv2DBackpropInput', inputs, attrs, backend);

  const { filterHeight: kh, filterWidth: kw, padInfo } = info;
  const pads: [number, number, number, number] = [
    kh - 1 - padInfo.top,
    kh - 1 - padInfo.bottom,
    kw - 1 - padInfo.left,
    kw - 1 - padInfo.right,
  ];
  return chain(filter, [(w) => flippedSwappedFilter(w, backend), (w) => conv2dStride1(dy, w, pads, backend)], backend);
}

/**
 * The im2col patches of x for a stride-1 convolution: [N·H'·W', kh·kw·C_in], row (n, i, j)
 * holding x[n, i+a−pt, j+b−pl, c] at column (a, b, c), zero outside the image. One JS pass.
 */
function patchMatrix(x: TensorInfo, info: Conv2DInfo, backend: KernelBackend): TensorInfo {
  const heap = asWasmHeapBackend(backend, 'Conv2DBackpropFilter');
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight: kh, filterWidth: kw, padInfo } = info;
  const columns = kh * kw * inChannels;
  const out = heap.makeOutput([batchSize * outHeight * outWidth, columns], 'float32');
  // Views are taken after makeOutput: allocating may grow (and so detach) the wasm heap.
  const patches = heap.typedArrayFromHeap(out) as Float32Array;
  const image = heap.typedArrayFromHeap(x) as Float32Array;
  let k = 0;
  for (let n = 0; n < batchSize; n++) {
    for (let i = 0; i < outHeight; i++) {
      for (let j = 0; j < outWidth; j++) {
        for (let a = 0; a < kh; a++) {
          const row = i + a - padInfo.top;
          for (let b = 0; b < kw; b++) {
            const col = j + b - padInfo.left;
            const inside = row >= 0 && row < inHeight && col >= 0 && col < inWidth;
            const start = ((n * inHeight + row) * inWidth + col) * inChannels;
            for (let c = 0; c < inChannels; c++) patches[k++] = inside ? image[start + c] : 0;
          }
        }
      }
    }
  }
  return out;
}

/**
 * Input channels up to which the filter gradient goes through im2col and one matrix product:
 * for an RGB or grayscale first layer the conv form below is a 3×3 output over a huge dy
 * "filter" (~1 GFLOP/s); the product runs at full speed. (With many channels the patches get
 * large and the conv form wins.)
 */
const IM2COL_MAX_IN_CHANNELS = 4;

/** dL/dw = patchesᵀ · dy, reshaped to [kh, kw, C_in, C_out]. */
function filterGradientByIm2col(x: TensorInfo, dy: TensorInfo, info: Conv2DInfo, backend: KernelBackend): TensorInfo {
  const reshape = (t: TensorInfo, shape: number[]) => runWasmKernel('Reshape', { x: t }, { shape }, backend);
  const patches = patchMatrix(x, info, backend);
  const [rows, columns] = patches.shape;
  const a = reshape(patches, [1, rows, columns]);
  const b = reshape(dy, [1, rows, info.outChannels]);
  const product = runWasmKernel('BatchMatMul', { a, b }, { transposeA: true, transposeB: false }, backend);
  const result = reshape(product, [info.filterHeight, info.filterWidth, info.inChannels, info.outChannels]);
  for (const t of [patches, a, b, product]) backend.disposeData(t.dataId);
  return result;
}

/** dL/dw of conv2d: batch becomes the channel dimension of a stride-1 conv of x with dy. */
function conv2dBackpropFilter({ inputs, backend, attrs }: KernelArgs<{ x: TensorInfo; dy: TensorInfo }, Conv2DBackpropFilterAttrs>): TensorInfo {
  const { x, dy } = inputs;
  const info = convInfoOf(x.shape as [number, number, number, number], attrs.filterShape, attrs);
  if (!isStride1ChannelsLast(info)) return runOnCpu('Conv2DBackpropFilter', inputs, attrs, backend);
  if (info.inChannels <= IM2COL_MAX_IN_CHANNELS) return filterGradientByIm2col(x, dy, info, backend);

  const { top, bottom, left, right } = info.padInfo;
  const dyAsFilter = transpose(dy, [1, 2, 0, 3], backend); // [H', W', N, C_out]
  const result = chain(
    x,
    [
      (t) => transpose(t, [3, 1, 2, 0], backend), // [C_in, H, W, N]
      (t) => conv2dStride1(t, dyAsFilter, [top, bottom, left, right], backend), // [C_in, kh, kw, C_out]
      (t) => transpose(t, [1, 2, 0, 3], backend), // [kh, kw, C_in, C_out]
    ],
    backend,
  );
  backend.disposeData(dyAsFilter.dataId);
  return result;
}

/**
 * Registers the fast Conv2DBackpropInput / Conv2DBackpropFilter kernels for the wasm backend
 * (replacing the built-in Conv2DBackpropInput). Idempotent.
 */
export function registerWasmConvGradients(): void {
  overrideWasmKernel('Conv2DBackpropInput', () => ({
    kernelName: 'Conv2DBackpropInput',
    backendName: WASM,
    kernelFunc: conv2dBackpropInput as unknown as KernelFunc,
  }));
  overrideWasmKernel('Conv2DBackpropFilter', () => ({
    kernelName: 'Conv2DBackpropFilter',
    backendName: WASM,
    kernelFunc: conv2dBackpropFilter as unknown as KernelFunc,
  }));
}
