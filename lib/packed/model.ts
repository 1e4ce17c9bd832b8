/**
 * The packed (bit-level) form of a trained binary network: what {@link packNetwork} produces, the
 * kernels run, and the file format stores.
 *
 * Bit layout. A ±1 value is one bit: 1 for +1, 0 for −1. The C channels of a pixel take
 * ceil(C/64) 64-bit words (stored as pairs of little-endian 32-bit words, so channel c is bit
 * c & 31 of 32-bit word c >> 5); the bits past C are 0. A feature map is its pixels in row-major
 * order (NHWC, as the float network stores it), so the flattened input of a dense layer is the
 * same memory, with each pixel's channels padded to whole 64-bit words. A binary conv layer reads
 * its input from a copy with a zero border of (k−1)/2 pixels: zero bits read as −1, but the float
 * network pads with 0, and the threshold of each "position class" (which taps fall outside the
 * image) corrects that exactly.
 *
 * Each layer's output bit is `(count ≤ threshold) XOR flip` — count being the popcount of
 * input XOR weights over the layer's window, so a larger count means a smaller dot product —
 * with batch norm and sign folded into the threshold. For a float first layer it is
 * `(z ≥ threshold) XOR flip` with z the float dot product. flip is 1 only for a negative batch-norm
 * scale (which this project's networks, having no γ, never have). A 2×2 max-pool on ±1 values is
 * the OR of the bits before the flip.
 */
import { NetworkConfig } from '../model/config';

export const PACKED_FORMAT = 'bnn-geometry-packed';
export const PACKED_VERSION = 1;

/** 32-bit words that hold one pixel's C channels, padded to whole 64-bit words. */
export function wordsPerPixel(channels: number): number {
  return 2 * Math.ceil(channels / 64);
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

/** First layer: real-valued input, float weights (W^b, or W^c if weights are not quantized). */
export interface FloatConvLayer extends ConvGeometry {
  kind: 'float-conv';
  /** [k][k][cin][cout], as the float network stores it. */
  weights: Float32Array;
  /** [cout]: bit = z ≥ threshold (float32 z). NaN: never. */
  thresholds: Float32Array;
  /** [wordsPerPixel(cout)]: output bits XORed after pooling. */
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

/** Binary dense layer over the previous layer's bits (a flattened feature map or a vector). */
export interface BinaryDenseLayer {
  kind: 'binary-dense';
  name: string;
  /** 32-bit words of the input (with each pixel's padding), and the number of real inputs. */
  inputWords: number;
  inputs: number;
  units: number;
  /** [units][inputWords], zero in the padding. */
  weights: Uint32Array;
  /** [units]: bit = popcount ≤ threshold. */
  thresholds: Int32Array;
  flip: Uint32Array;
}

/**
 * The logits layer: the dot product of ±1 inputs and ±1 weights is the integer
 * inputs − 2·popcount, then batch norm in float32 exactly as the float network evaluates it:
 * ((z − mean)·scale) + offset, each step rounded to float32.
 */
export interface OutputLayer {
  kind: 'output';
  name: string;
  inputWords: number;
  inputs: number;
  units: number;
  weights: Uint32Array;
  mean: Float32Array;
  /** 1/√(moving variance + ε) as the float network's backend computed it. */
  scale: Float32Array;
  offset: Float32Array;
}

export type PackedLayer = FloatConvLayer | BinaryConvLayer | BinaryDenseLayer | OutputLayer;

export interface PackedModel {
  /** The float network's architecture (input shape, classes, layer widths). */
  config: NetworkConfig;
  /** Layer 0 is the float conv, the last is the output; binary layers in between. */
  layers: PackedLayer[];
}

/** Output height and width of a conv layer after its optional 2×2 'same' max-pool. */
export function convOutputSize(l: FloatConvLayer | BinaryConvLayer): [number, number] {
  return l.maxPool ? [Math.ceil(l.height / 2), Math.ceil(l.width / 2)] : [l.height, l.width];
}

/** 32-bit words of one image's output bits of a layer (before any padding border). */
export function outputWords(l: PackedLayer): number {
  if (l.kind === 'float-conv' || l.kind === 'binary-conv') {
    const [h, w] = convOutputSize(l);
    return h * w * wordsPerPixel(l.cout);
  }
  return l.kind === 'output' ? 0 : wordsPerPixel(l.units);
}

export function outputLayer(model: PackedModel): OutputLayer {
  const last = model.layers[model.layers.length - 1];
  if (last.kind !== 'output') throw new Error('Packed model: the last layer must be the output layer.');
  return last;
}
