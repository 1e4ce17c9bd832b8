/**
 * Reference kernels of the packed network in plain TypeScript: 32-bit XOR and popcount, one image
 * at a time. Exact and simple rather than fast; the WebAssembly kernels are checked against them.
 */
import {
  BinaryConvLayer,
  BinaryDenseLayer,
  FloatConvLayer,
  OutputLayer,
  PackedLayer,
  PackedModel,
  convOutputSize,
  wordsPerPixel,
} from './model';
import { batchNormFloat32 } from './fold';

/** Set bits of a 32-bit word (the SWAR count). */
export function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** A layer's per-image results, as {@link runReference} traces them. */
export interface ReferenceTrace {
  name: string;
  /** Binary layers: the integer dot product A·W^b before pooling ([h][w][cout] or [units]). Float conv: float32 z. */
  z: Int32Array | Float32Array;
  /** Output bits (after pooling), in the layer's output layout (see model.ts). Absent for the output layer. */
  bits?: Uint32Array;
}

/** Bits of an h×w×c map with a zero border of r pixels: [(h+2r)][(w+2r)][wordsPerPixel(c)]. */
function paddedIndex(y: number, x: number, w: number, r: number, wpp: number): number {
  return ((y + r) * (w + 2 * r) + (x + r)) * wpp;
}

/** Pools (OR over 2×2, 'same') the pre-pool bits `pre` [h][w][wpp] and XORs flip; returns [h'][w'][wpp]. */
function poolAndFlip(pre: Uint32Array, h: number, w: number, wpp: number, maxPool: boolean, flip: Uint32Array): Uint32Array {
  if (!maxPool) {
    const out = pre.slice();
    for (let p = 0; p < h * w; p++) for (let j = 0; j < wpp; j++) out[p * wpp + j] ^= flip[j];
    return out;
  }
  const ph = Math.ceil(h / 2);
  const pw = Math.ceil(w / 2);
  const out = new Uint32Array(ph * pw * wpp);
  for (let y = 0; y < ph; y++) {
    for (let x = 0; x < pw; x++) {
      for (let j = 0; j < wpp; j++) {
        let v = 0;
        for (let dy = 0; dy < 2; dy++) {
          for (let dx = 0; dx < 2; dx++) {
            const yy = 2 * y + dy;
            const xx = 2 * x + dx;
            if (yy < h && xx < w) v |= pre[(yy * w + xx) * wpp + j];
          }
        }
        out[(y * pw + x) * wpp + j] = (v ^ flip[j]) >>> 0;
      }
    }
  }
  return out;
}

/** Float first layer on one image [h][w][cin]; z summed in float64 (exact for 8-bit pixels), then rounded to float32. */
function floatConvReference(l: FloatConvLayer, image: Float32Array, z?: Float32Array): Uint32Array {
  const { height: h, width: w, k, cin, cout } = l;
  const r = (k - 1) / 2;
  const wpp = wordsPerPixel(cout);
  const pre = new Uint32Array(h * w * wpp);
  const acc = new Float64Array(cout);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      acc.fill(0);
      for (let dy = 0; dy < k; dy++) {
        const yy = y + dy - r;
        if (yy < 0 || yy >= h) continue;
        for (let dx = 0; dx < k; dx++) {
          const xx = x + dx - r;
          if (xx < 0 || xx >= w) continue;
          for (let i = 0; i < cin; i++) {
            const a = image[(yy * w + xx) * cin + i];
            const row = ((dy * k + dx) * cin + i) * cout;
            for (let o = 0; o < cout; o++) acc[o] += a * l.weights[row + o];
          }
        }
      }
      for (let o = 0; o < cout; o++) {
        const zo = Math.fround(acc[o]);
        if (z) z[(y * w + x) * cout + o] = zo;
        if (zo >= l.thresholds[o]) pre[(y * w + x) * wpp + (o >>> 5)] |= 1 << (o & 31);
      }
    }
  }
  return poolAndFlip(pre, h, w, wpp, l.maxPool, l.flip);
}

/** Copies an h×w map of bits into a zero-bordered buffer for a k×k conv. */
function padBits(bits: Uint32Array, h: number, w: number, wpp: number, r: number): Uint32Array {
  const out = new Uint32Array((h + 2 * r) * (w + 2 * r) * wpp);
  for (let y = 0; y < h; y++) out.set(bits.subarray(y * w * wpp, (y + 1) * w * wpp), paddedIndex(y, 0, w, r, wpp));
  return out;
}

/** Binary conv on one image's input bits [h][w][wordsPerPixel(cin)]. */
function binaryConvReference(l: BinaryConvLayer, input: Uint32Array, z?: Int32Array): Uint32Array {
  const { height: h, width: w, k, cin, cout } = l;
  const r = (k - 1) / 2;
  const wIn = wordsPerPixel(cin);
  const wOut = wordsPerPixel(cout);
  const padded = padBits(input, h, w, wIn, r);
  const rowWords = k * wIn;
  const pre = new Uint32Array(h * w * wOut);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const cls = l.positionClass[y * w + x];
      for (let o = 0; o < cout; o++) {
        let count = 0;
        for (let dy = 0; dy < k; dy++) {
          const a = paddedIndex(y + dy - r, x - r, w, r, wIn);
          const b = (o * k + dy) * rowWords;
          for (let j = 0; j < rowWords; j++) count += popcount32(padded[a + j] ^ l.weights[b + j]);
        }
        if (count <= l.thresholds[cls * cout + o]) pre[(y * w + x) * wOut + (o >>> 5)] |= 1 << (o & 31);
        if (z) {
          // The dot product over the inside taps: n − 2·(count − ones of the weights at outside taps).
          const taps = l.classTaps[cls];
          let inside = 0;
          let outsideOnes = 0;
          for (let t = 0; t < k * k; t++) {
            if (taps & (1 << t)) inside++;
            else for (let j = 0; j < wIn; j++) outsideOnes += popcount32(l.weights[(o * k * k + t) * wIn + j]);
          }
          z[(y * w + x) * cout + o] = inside * cin - 2 * (count - outsideOnes);
        }
      }
    }
  }
  return poolAndFlip(pre, h, w, wOut, l.maxPool, l.flip);
}

function denseCounts(l: BinaryDenseLayer | OutputLayer, input: Uint32Array): Int32Array {
  const counts = new Int32Array(l.units);
  for (let u = 0; u < l.units; u++) {
    let count = 0;
    const b = u * l.inputWords;
    for (let j = 0; j < l.inputWords; j++) count += popcount32(input[j] ^ l.weights[b + j]);
    counts[u] = count;
  }
  return counts;
}

function binaryDenseReference(l: BinaryDenseLayer, input: Uint32Array, z?: Int32Array): Uint32Array {
  const out = new Uint32Array(wordsPerPixel(l.units));
  const counts = denseCounts(l, input);
  for (let u = 0; u < l.units; u++) {
    if (counts[u] <= l.thresholds[u]) out[u >>> 5] |= 1 << (u & 31);
    if (z) z[u] = l.inputs - 2 * counts[u];
  }
  for (let j = 0; j < out.length; j++) out[j] = (out[j] ^ l.flip[j]) >>> 0;
  return out;
}

/** Logits in float32, as the float network's batch norm computes them from the exact integer dot product. */
function outputReference(l: OutputLayer, input: Uint32Array, logits: Float32Array, z?: Int32Array): void {
  const counts = denseCounts(l, input);
  for (let u = 0; u < l.units; u++) {
    const zu = l.inputs - 2 * counts[u];
    if (z) z[u] = zu;
    logits[u] = batchNormFloat32(zu, l.mean[u], l.scale[u], l.offset[u]);
  }
}

function zSize(l: PackedLayer): number {
  return l.kind === 'float-conv' || l.kind === 'binary-conv' ? l.height * l.width * l.cout : l.units;
}

/**
 * Runs the packed network on `count` images (NHWC float32) with the reference kernels; returns
 * logits [count][classes]. With `trace`, each image's per-layer results are pushed to it.
 */
export function runReference(model: PackedModel, images: Float32Array, count: number, trace?: ReferenceTrace[][]): Float32Array {
  const [h, w, c] = model.config.inputShape;
  const size = h * w * c;
  const classes = model.config.classes;
  const logits = new Float32Array(count * classes);
  for (let n = 0; n < count; n++) {
    const image = images.subarray(n * size, (n + 1) * size);
    const layerTrace: ReferenceTrace[] = [];
    let bits = new Uint32Array(0);
    for (const l of model.layers) {
      const t: ReferenceTrace | undefined = trace
        ? { name: l.name, z: l.kind === 'float-conv' ? new Float32Array(zSize(l)) : new Int32Array(zSize(l)) }
        : undefined;
      switch (l.kind) {
        case 'float-conv':
          bits = floatConvReference(l, image, t?.z as Float32Array | undefined);
          break;
        case 'binary-conv':
          bits = binaryConvReference(l, bits, t?.z as Int32Array | undefined);
          break;
        case 'binary-dense':
          bits = binaryDenseReference(l, bits, t?.z as Int32Array | undefined);
          break;
        case 'output':
          outputReference(l, bits, logits.subarray(n * classes, (n + 1) * classes), t?.z as Int32Array | undefined);
          break;
      }
      if (t) {
        if (l.kind !== 'output') t.bits = bits;
        layerTrace.push(t);
      }
    }
    trace?.push(layerTrace);
  }
  return logits;
}

/** Unpacks bits of `count` items of `channels` channels each ([count][wordsPerPixel(channels)]) to ±1. */
export function unpackSigns(bits: Uint32Array, items: number, channels: number): Float32Array {
  const wpp = wordsPerPixel(channels);
  const out = new Float32Array(items * channels);
  for (let p = 0; p < items; p++) {
    for (let ch = 0; ch < channels; ch++) out[p * channels + ch] = bits[p * wpp + (ch >>> 5)] & (1 << (ch & 31)) ? 1 : -1;
  }
  return out;
}

/** Output items (pixels, or 1 for a vector) and channels of a layer's bits. */
export function outputItems(l: PackedLayer): { items: number; channels: number } {
  if (l.kind === 'float-conv' || l.kind === 'binary-conv') {
    const [oh, ow] = convOutputSize(l);
    return { items: oh * ow, channels: l.cout };
  }
  return { items: 1, channels: l.units };
}
