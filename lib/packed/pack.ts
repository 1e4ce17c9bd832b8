/**
 * packNetwork: a trained binary or ternary network → its packed form (model.ts). Reads W^b (W^t)
 * through the network's own quantizer and the batch-norm scale through the active backend, so the
 * thresholds reproduce the float network's rounding.
 */
import * as tf from '@tensorflow/tfjs';
import { BATCH_NORM_EPSILON } from '../model/batch-norm';
import { Layer, Network } from '../model/network';
import { floatThresholds, integerThreshold, integerThresholds } from './fold';
import {
  BinaryConvLayer,
  ConvGeometry,
  DenseLayer,
  FloatConvLayer,
  PackedLayer,
  PackedModel,
  TernaryConvLayer,
  channelWord,
  convOutputSize,
  wordsPerPixel,
} from './model';
import { popcount32 } from './reference';
import { validatePackedModel } from './validate';

export const SUPPORTED =
  'binary and ternary networks (levels 2 or 3) whose every layer after the first conv has quantized weights and quantized inputs: ' +
  'binWeights true from conv2 on, binActs true for every conv layer, quantizeFc true (what `npm run train -- --mode binary` or `--mode ternary` trains)';

/** Throws unless the network can be packed; names what is not supported. */
export function checkPackable(net: Network): void {
  const c = net.config;
  const unsupported = (what: string) => new Error(`Cannot pack this network: ${what}. Packing supports ${SUPPORTED}.`);
  const continuous = !c.quantizeFc && c.binWeights.every((b) => !b) && c.binActs.every((b) => !b);
  if (continuous) throw unsupported('it is continuous (no quantized layer), so it has no bits to pack');
  if (c.conv.length === 0) {
    throw unsupported('it has no conv layer: the first layer, which takes the real-valued image, must be a conv layer (kept in float)');
  }
  c.binActs.forEach((b, i) => {
    if (!b) throw unsupported(`conv${i + 1} has real-valued activations (binActs[${i}] false)`);
  });
  c.binWeights.forEach((b, i) => {
    if (!b && i > 0) throw unsupported(`conv${i + 1} has real-valued weights (binWeights[${i}] false)`);
  });
  if (!c.quantizeFc) throw unsupported('its fully connected layers are not quantized (quantizeFc false)');
}

interface LayerValues {
  weights: Float32Array;
  mean: Float32Array;
  scale: Float32Array;
  offset: Float32Array;
}

/** W^b (or W^c), moving mean, 1/√(var + ε) as the backend computes it, and β. */
function layerValues(net: Network, layer: Layer): LayerValues {
  return tf.tidy(() => {
    const w = layer.quantizeWeights ? net.quantize(layer.weights) : layer.weights;
    const scale = tf.rsqrt(tf.add(layer.movingVariance, BATCH_NORM_EPSILON));
    return {
      weights: w.dataSync() as Float32Array,
      mean: layer.movingMean.dataSync() as Float32Array,
      scale: scale.dataSync() as Float32Array,
      offset: layer.offset.dataSync() as Float32Array,
    };
  });
}

function setBit(words: Uint32Array, index: number): void {
  words[index >>> 5] |= 1 << (index & 31);
}

function flipWords(flips: boolean[]): Uint32Array {
  const out = new Uint32Array(wordsPerPixel(flips.length));
  flips.forEach((f, i) => f && setBit(out, i));
  return out;
}

/** Stores a quantized weight of channel c in the pixel (or tap) whose words start at `base`: binary, its bit; ternary, sign and non-zero. */
function putValue(words: Uint32Array, base: number, c: number, v: number, levels: number, layer: string): void {
  const planes = levels === 3 ? 2 : 1;
  if (levels === 2 ? v !== 1 && v !== -1 : v !== 1 && v !== -1 && v !== 0) {
    throw new Error(`Cannot pack ${layer}: a quantized weight is ${v}, not ${levels === 2 ? '±1' : '−1, 0 or +1'}.`);
  }
  if (v > 0) words[base + channelWord(c, 0, planes)] |= 1 << (c & 31);
  if (planes === 2 && v !== 0) words[base + channelWord(c, 1, planes)] |= 1 << (c & 31);
}

function geometry(layer: Layer, height: number, width: number, k: number, cin: number, cout: number): ConvGeometry {
  return { name: layer.name, height, width, k, cin, cout, maxPool: layer.maxPool };
}

function packFloatConv(net: Network, layer: Layer, v: LayerValues, h: number, w: number, k: number, cin: number): FloatConvLayer {
  const cout = v.mean.length;
  const { levels, threshold } = net.config;
  const folded = Array.from({ length: cout }, (_, o) => floatThresholds(levels, threshold, v.mean[o], v.scale[o], v.offset[o]));
  return {
    kind: 'float-conv',
    ...geometry(layer, h, w, k, cin, cout),
    weights: Float32Array.from(v.weights),
    thresholds: Float32Array.from(folded.flatMap((x) => x.t)),
    flip: flipWords(folded.map((x) => x.flip)),
  };
}

/** Which taps (dy·k + dx) of a k×k window centred at (y, x) fall inside an h×w image. */
function insideTaps(y: number, x: number, h: number, w: number, k: number): number {
  const r = (k - 1) / 2;
  let mask = 0;
  for (let dy = 0; dy < k; dy++) {
    for (let dx = 0; dx < k; dx++) {
      const yy = y + dy - r;
      const xx = x + dx - r;
      if (yy >= 0 && yy < h && xx >= 0 && xx < w) mask |= 1 << (dy * k + dx);
    }
  }
  return mask >>> 0;
}

/** Conv weights [cout][k][k][wordsPerPixel(cin, planes)] from W [k][k][cin][cout]. */
function convWeights(name: string, v: LayerValues, k: number, cin: number, levels: number): Uint32Array {
  const cout = v.mean.length;
  const wpp = wordsPerPixel(cin, levels === 3 ? 2 : 1);
  const weights = new Uint32Array(cout * k * k * wpp);
  for (let t = 0; t < k * k; t++) {
    for (let i = 0; i < cin; i++) {
      for (let o = 0; o < cout; o++) putValue(weights, (o * k * k + t) * wpp, i, v.weights[(t * cin + i) * cout + o], levels, name);
    }
  }
  return weights;
}

/** A ternary conv: zero padding is exact on two planes (a zero's non-zero bit is 0), so one pair of thresholds per channel. */
function packTernaryConv(net: Network, layer: Layer, v: LayerValues, h: number, w: number, k: number, cin: number): TernaryConvLayer {
  const cout = v.mean.length;
  const folded = Array.from({ length: cout }, (_, o) => integerThresholds(3, net.config.threshold, v.mean[o], v.scale[o], v.offset[o], k * k * cin));
  return {
    kind: 'ternary-conv',
    ...geometry(layer, h, w, k, cin, cout),
    weights: convWeights(layer.name, v, k, cin, 3),
    thresholds: Int32Array.from(folded.flatMap((x) => x.t)),
    flip: flipWords(folded.map((x) => x.flip)),
  };
}

function packBinaryConv(layer: Layer, v: LayerValues, h: number, w: number, k: number, cin: number): BinaryConvLayer {
  if (k * k > 32) throw new Error(`Cannot pack ${layer.name}: filter size ${k} has more than 32 taps; packing supports k ≤ 5.`);
  const cout = v.mean.length;
  const wpp = wordsPerPixel(cin);
  const weights = convWeights(layer.name, v, k, cin, 2);
  // Position classes: distinct sets of inside taps.
  const classOfMask = new Map<number, number>();
  const positionClass = new Uint8Array(h * w);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const mask = insideTaps(y, x, h, w, k);
      let cls = classOfMask.get(mask);
      if (cls === undefined) {
        cls = classOfMask.size;
        if (cls > 255) throw new Error(`Cannot pack ${layer.name}: more than 256 border classes.`);
        classOfMask.set(mask, cls);
      }
      positionClass[y * w + x] = cls;
    }
  }
  const classTaps = Uint32Array.from(classOfMask.keys());
  const thresholds = new Int32Array(classTaps.length * cout);
  const flips: boolean[] = [];
  const bound = k * k * cin;
  for (let o = 0; o < cout; o++) {
    const { t, flip } = integerThreshold(v.mean[o], v.scale[o], v.offset[o], bound);
    flips.push(flip);
    classTaps.forEach((mask, cls) => {
      // Over the inside taps z = n − 2·mismatches; outside taps read 0 bits, so each of their
      // weight bits adds a mismatch: count = mismatches + outside. z ≥ t ⇔ mismatches ≤ (n − t)/2.
      let inside = 0;
      let outsideOnes = 0;
      for (let tap = 0; tap < k * k; tap++) {
        if (mask & (1 << tap)) inside++;
        else for (let j = 0; j < wpp; j++) outsideOnes += popcount32(weights[(o * k * k + tap) * wpp + j]);
      }
      const maxMismatches = Math.floor((inside * cin - t) / 2);
      thresholds[cls * cout + o] = maxMismatches < 0 ? -1 : maxMismatches + outsideOnes;
    });
  }
  return {
    kind: 'binary-conv',
    ...geometry(layer, h, w, k, cin, cout),
    weights,
    positionClass,
    classTaps,
    thresholds,
    flip: flipWords(flips),
  };
}

/** Dense weights [D_in][D_out] → rows [D_out][inputWords] in the input's layout (pixels × padded channels, on the levels' planes). */
function denseWeights(v: LayerValues, name: string, pixels: number, channels: number, levels: number): { weights: Uint32Array; inputWords: number } {
  const units = v.mean.length;
  const wpp = wordsPerPixel(channels, levels === 3 ? 2 : 1);
  const inputWords = pixels * wpp;
  const weights = new Uint32Array(units * inputWords);
  for (let p = 0; p < pixels; p++) {
    for (let c = 0; c < channels; c++) {
      const row = (p * channels + c) * units;
      for (let u = 0; u < units; u++) putValue(weights, u * inputWords + p * wpp, c, v.weights[row + u], levels, name);
    }
  }
  return { weights, inputWords };
}

/** A hidden dense layer: thresholds as counts (binary: z = inputs − 2·count ≥ t ⇔ count ≤ (inputs − t)/2) or on z (ternary). */
function packDense(net: Network, name: string, v: LayerValues, geometry: { inputWords: number; inputs: number; units: number; weights: Uint32Array }): DenseLayer {
  const { levels, threshold } = net.config;
  const { inputs, units } = geometry;
  const folded = Array.from({ length: units }, (_, u) => integerThresholds(levels, threshold, v.mean[u], v.scale[u], v.offset[u], inputs));
  const flip = flipWords(folded.map((x) => x.flip));
  if (levels === 3) return { kind: 'ternary-dense', name, ...geometry, thresholds: Int32Array.from(folded.flatMap((x) => x.t)), flip };
  return { kind: 'binary-dense', name, ...geometry, thresholds: Int32Array.from(folded.map(({ t }) => Math.max(-1, Math.floor((inputs - t[0]) / 2)))), flip };
}

/** The packed form of a trained binary or ternary network; throws (see {@link checkPackable}) for others. */
export function packNetwork(net: Network): PackedModel {
  checkPackable(net);
  const c = net.config;
  const k = c.filterSize;
  let [h, w, ch] = c.inputShape;
  let flat = false; // after the first dense layer the input is a vector of `ch` values
  const layers: PackedLayer[] = [];
  for (const layer of net.layers) {
    const v = layerValues(net, layer);
    if (layer.kind === 'conv') {
      const packed =
        layers.length === 0 ? packFloatConv(net, layer, v, h, w, k, ch) : c.levels === 3 ? packTernaryConv(net, layer, v, h, w, k, ch) : packBinaryConv(layer, v, h, w, k, ch);
      layers.push(packed);
      [h, w] = convOutputSize(packed);
      ch = packed.cout;
      continue;
    }
    const pixels = flat ? 1 : h * w;
    const { weights, inputWords } = denseWeights(v, layer.name, pixels, ch, c.levels);
    const dense = { inputWords, inputs: pixels * ch, units: v.mean.length, weights };
    layers.push(
      layer.quantizeActs
        ? packDense(net, layer.name, v, dense)
        : { kind: 'output', name: layer.name, ...dense, mean: Float32Array.from(v.mean), scale: Float32Array.from(v.scale), offset: Float32Array.from(v.offset) },
    );
    ch = dense.units;
    flat = true;
  }
  return validatePackedModel({ config: structuredClone(c), layers });
}
