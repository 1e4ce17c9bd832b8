/**
 * The packed (bit-level) form of a trained binary or ternary network: what {@link packNetwork}
 * produces, the file format stores, and lib/packed/plan.ts turns into the operations every engine runs.
 *
 * Bit layout. A binary value (±1) is one bit: 1 for +1, 0 for −1. A ternary value (−1, 0, +1) is two
 * bits, on two bit-planes: sign (1 for +1) and non-zero (1 for ±1); a 0 has both bits 0. The C
 * channels of a pixel take ceil(C/64) 64-bit words per plane; a ternary pixel interleaves its planes
 * word by word (sign word, non-zero word, next 64 channels' sign word, …). 64-bit words are stored as
 * pairs of little-endian 32-bit words, so channel c of plane p is bit c & 31 of 32-bit word
 * {@link channelWord}(c, p, planes); the bits past C are 0. A feature map is its pixels in row-major
 * order (NHWC, as the float network stores it), so the flattened input of a dense layer is the same
 * memory, with each pixel padded to whole 64-bit words. A conv layer reads its input from a copy with
 * a zero border of (k−1)/2 pixels. For ternary values those zeros are exactly the float network's
 * zero padding; for binary ones a zero bit reads as −1, and the threshold of each "position class"
 * (which taps fall outside the image) corrects that exactly.
 *
 * Batch norm and the activation are folded into integer thresholds on the dot product z (for the
 * float first layer, on its float32 z). With levels − 1 thresholds t_1 ≤ … per channel, the level
 * before pooling is the number of thresholds z reaches (z ≥ t_j); a 2×2 max-pool is the maximum
 * level, an OR of each threshold's bits. The output value is the level mapped to ±1 (binary: −1, +1;
 * ternary: −1, 0, +1), reversed when the channel's flip bit is set: flip is 1 only for a negative
 * batch-norm scale (which this project's networks, having no γ, never have).
 *
 * Binary conv and dense layers store their thresholds as counts (a larger popcount of
 * input XOR weights means a smaller z): output bit = (count ≤ threshold) XOR flip.
 */
import { Levels, NetworkConfig } from '../model/config';

export const PACKED_FORMAT = 'bnn-geometry-packed';
/** 1: binary networks; 2: binary and ternary networks (a version 1 file reads as version 2). */
export const PACKED_VERSION = 2;
export const PACKED_VERSIONS_READ: readonly number[] = [1, 2];

/** Bit-planes of a value: 1 for binary, 2 (sign, non-zero) for ternary. */
export function planesOf(levels: Levels): 1 | 2 {
  return levels === 3 ? 2 : 1;
}

/** 32-bit words that hold one pixel's C channels on `planes` bit-planes, padded to whole 64-bit words. */
export function wordsPerPixel(channels: number, planes = 1): number {
  return 2 * planes * Math.ceil(channels / 64);
}

/** The 32-bit word of a pixel that holds channel c of plane p (bit c & 31). */
export function channelWord(c: number, plane: number, planes: number): number {
  return ((c >>> 6) * planes + plane) * 2 + ((c >>> 5) & 1);
}

/** What every conv layer has: input (= output before pooling) height and width, kernel side, channels. */
export interface ConvGeometry {
  name: string;
  height: number;
  width: number;
  k: number;
  cin: number;
  cout: number;
  maxPool: boolean;
}

/** First layer: real-valued input, float weights (W^b or W^t, or W^c if weights are not quantized). */
export interface FloatConvLayer extends ConvGeometry {
  kind: 'float-conv';
  /** [k][k][cin][cout], as the float network stores it. */
  weights: Float32Array;
  /** [cout][levels − 1]: threshold j is reached when z ≥ t_j (float32 z). NaN: never. */
  thresholds: Float32Array;
  /** [wordsPerPixel(cout)]: output values reversed after pooling. */
  flip: Uint32Array;
}

/** Binary conv (k×k, stride 1, 'same', zero padding) with ±1 input and weights. */
export interface BinaryConvLayer extends ConvGeometry {
  kind: 'binary-conv';
  /** [cout][k][k][wordsPerPixel(cin)] weight bits. */
  weights: Uint32Array;
  /** [height·width]: position class of each output pixel (which taps lie outside the image). */
  positionClass: Uint8Array;
  /** [classes]: bit t set when tap t = dy·k + dx lies inside the image. */
  classTaps: Uint32Array;
  /** [classes][cout]: bit = popcount(input XOR weights over the padded window) ≤ threshold. */
  thresholds: Int32Array;
  flip: Uint32Array;
}

/** Ternary conv (k×k, stride 1, 'same', zero padding) with input and weights in {−1, 0, +1}. */
export interface TernaryConvLayer extends ConvGeometry {
  kind: 'ternary-conv';
  /** [cout][k][k][wordsPerPixel(cin, 2)]: sign and non-zero planes of the weights. */
  weights: Uint32Array;
  /** [cout][2]: z ≥ t_1 (not −1 before flip), z ≥ t_2 (+1 before flip). */
  thresholds: Int32Array;
  flip: Uint32Array;
}

/** What every dense layer has: its input (a flattened feature map or a vector) and its units. */
export interface DenseGeometry {
  name: string;
  /** 32-bit words of the input (with each pixel's padding), and the number of real inputs. */
  inputWords: number;
  inputs: number;
  units: number;
  /** [units][inputWords], in the input's layout (binary: one plane; ternary: sign and non-zero), zero in the padding. */
  weights: Uint32Array;
}

/** Binary dense layer over the previous layer's bits. */
export interface BinaryDenseLayer extends DenseGeometry {
  kind: 'binary-dense';
  /** [units]: bit = popcount ≤ threshold. */
  thresholds: Int32Array;
  flip: Uint32Array;
}

/** Ternary dense layer over the previous layer's two bit-planes. */
export interface TernaryDenseLayer extends DenseGeometry {
  kind: 'ternary-dense';
  /** [units][2] on z, as in TernaryConvLayer. */
  thresholds: Int32Array;
  flip: Uint32Array;
}

/**
 * The logits layer: the exact integer dot product z of its binary or ternary inputs and weights
 * (binary: inputs − 2·popcount), then batch norm in float32 exactly as the float network evaluates
 * it: ((z − mean)·scale) + offset, each step rounded to float32.
 */
export interface OutputLayer extends DenseGeometry {
  kind: 'output';
  mean: Float32Array;
  /** 1/√(moving variance + ε) as the float network's backend computed it. */
  scale: Float32Array;
  offset: Float32Array;
}

export type ConvLayer = FloatConvLayer | BinaryConvLayer | TernaryConvLayer;
export type DenseLayer = BinaryDenseLayer | TernaryDenseLayer | OutputLayer;
export type PackedLayer = ConvLayer | DenseLayer;

export interface PackedModel {
  /** The float network's architecture (input shape, classes, layer widths, levels). */
  config: NetworkConfig;
  /** Layer 0 is the float conv, the last is the output; binary (levels 2) or ternary (levels 3) layers in between. */
  layers: PackedLayer[];
}

export function isConv(l: PackedLayer): l is ConvLayer {
  return l.kind === 'float-conv' || l.kind === 'binary-conv' || l.kind === 'ternary-conv';
}

/** Output height and width of a conv layer after its optional 2×2 'same' max-pool. */
export function convOutputSize(l: ConvLayer): [number, number] {
  return l.maxPool ? [Math.ceil(l.height / 2), Math.ceil(l.width / 2)] : [l.height, l.width];
}

/** Output items (pixels, or 1 for a vector) and channels of a layer. */
export function outputItems(l: PackedLayer): { items: number; channels: number } {
  if (isConv(l)) {
    const [oh, ow] = convOutputSize(l);
    return { items: oh * ow, channels: l.cout };
  }
  return { items: 1, channels: l.units };
}

/** 32-bit words of one image's output of a layer (before any padding border); 0 for the logits. */
export function outputWords(l: PackedLayer, planes: number): number {
  if (l.kind === 'output') return 0;
  const { items, channels } = outputItems(l);
  return items * wordsPerPixel(channels, planes);
}

export function outputLayer(model: PackedModel): OutputLayer {
  const last = model.layers[model.layers.length - 1];
  if (last.kind !== 'output') throw new Error('Packed model: the last layer must be the output layer.');
  return last;
}
