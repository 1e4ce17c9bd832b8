/**
 * The network's forward pass as TensorFlow graph nodes (backend/graph/), shared by the training
 * step's graph (train/graph-step.ts) and the inference graph (graph-inference.ts). Every value is
 * computed by the kernel tfjs-node runs for the eager op of network.ts, in the same order, so the
 * graphs give the eager pass's values bit for bit; convs of ±1 inputs and weights may run on the
 * native binary conv (backend/binary-conv.ts), whose values are the float conv's exactly.
 */
import type { BinaryConvOp } from '../backend/binary-conv';
import { GraphBuilder, type Attr, type GraphDtype, type Output } from '../backend/graph/graph-builder';
import type { Layer, Network } from './network';

export const type = (t: GraphDtype): Attr => ({ type: t });
export const FLOAT = { T: type('float32') };
export const CONV = { ...FLOAT, strides: { ints: [1, 1, 1, 1] }, padding: { s: 'SAME' }, data_format: { s: 'NHWC' } };
export const POOL = { ...FLOAT, ksize: { ints: [1, 2, 2, 1] }, strides: { ints: [1, 2, 2, 1] }, padding: { s: 'SAME' }, data_format: { s: 'NHWC' } };

/** Node-writing shorthands over a GraphBuilder, with float scalars made once. */
export class GraphOps {
  readonly g = new GraphBuilder();
  private readonly scalars = new Map<number, Output>();

  /** `binaryConv`: the op the forward pass's binary convs run on, or undefined for Conv2D. */
  constructor(readonly binaryConv: BinaryConvOp | undefined) {}

  scalar(value: number): Output {
    const key = Math.fround(value);
    let out = this.scalars.get(key);
    if (out === undefined) this.scalars.set(key, (out = this.g.constant('scalar', 'float32', value)));
    return out;
  }

  ints(values: number[]): Output {
    return this.g.constant('ints', 'int32', values, [values.length]);
  }

  /** A float op named after itself. */
  f(op: string, ...inputs: Output[]): Output {
    return this.g.op(op, op, inputs, FLOAT);
  }

  toFloat(x: Output, from: GraphDtype): Output {
    return this.g.op('Cast', 'Cast', [x], { SrcT: type(from), DstT: type('float32') });
  }

  reshape(x: Output, shape: number[]): Output {
    return this.g.op('Reshape', 'Reshape', [x, this.ints(shape)], { ...FLOAT, Tshape: type('int32') });
  }

  reduce(op: 'Sum' | 'Mean' | 'Max', x: Output, axes: number[], keepDims = false): Output {
    return this.g.op(op, op, [x, this.ints(axes)], { ...FLOAT, Tidx: type('int32'), keep_dims: { b: keepDims } });
  }

  /** BatchMatMulV2, the kernel tfjs-node runs for tf.matMul (MatMul's rounds differently for some sizes). */
  matMul(a: Output, b: Output, transposeA: boolean, transposeB: boolean): Output {
    return this.g.op('BatchMatMulV2', 'MatMul', [a, b], { ...FLOAT, adj_x: { b: transposeA }, adj_y: { b: transposeB } });
  }

  oneHot(labels: Output, classes: number, on: number, off: number): Output {
    const depth = this.g.constant('depth', 'int32', classes);
    const attrs = { ...FLOAT, TI: type('int32'), axis: { i: -1 } };
    return this.g.op('OneHot', 'OneHot', [labels, depth, this.scalar(on), this.scalar(off)], attrs);
  }

  clip(x: Output): Output {
    return this.g.op('ClipByValue', 'ClipByValue', [x, this.scalar(-1), this.scalar(1)], FLOAT);
  }

  /** binarize / ternarize: model/quantize.ts's tensorflow formulation, kernel for kernel. */
  quantize(net: Network, x: Output): Output {
    const { levels, threshold } = net.config;
    if (levels === 2) return this.f('Sign', this.f('AddV2', this.f('Sign', x), this.scalar(0.5)));
    const above = this.toFloat(this.f('Greater', this.f('Abs', x), this.scalar(threshold)), 'bool');
    return this.f('AddV2', this.f('Mul', this.f('Sign', x), above), this.scalar(0));
  }
}

/** A layer's nodes in the forward pass. */
export interface LayerNodes {
  layer: Layer;
  input: Output;
  inputShape: number[];
  /** The input's shape before it was flattened for a fully connected layer. */
  unflattened?: number[];
  /** The weights the layer multiplies by (W^b, or W^c where weights are not quantized). */
  weights: Output;
  conv: Output;
  pooled: Output;
  /** The pooled output's shape. */
  shape: number[];
  /** After batch norm, before the activation's quantizer. */
  pre: Output;
}

/** True when layer i's conv multiplies ±1 inputs (the previous conv's binary activations) by ±1 weights. */
function isBinaryConv(net: Network, i: number): boolean {
  const layer = net.layers[i];
  const previous = i > 0 ? net.layers[i - 1] : undefined;
  return net.config.levels === 2 && layer.kind === 'conv' && layer.quantizeWeights && previous?.kind === 'conv' && previous.quantizeActs;
}

/**
 * Layer i's conv: BnnBinaryConv2D where its inputs and weights are ±1 and the op runs, else Conv2D.
 * (Fully connected layers keep BatchMatMulV2: packing their weights into bits on every call costs
 * more than the float product, 1.6 M weights for the small network's fc1.)
 */
function convNode(o: GraphOps, net: Network, i: number, input: Output, weights: Output): Output {
  const name = net.layers[i].name;
  if (o.binaryConv && isBinaryConv(net, i)) return o.g.op('BnnBinaryConv2D', `${name}/BinaryConv2D`, [input, weights], { avx512: { b: o.binaryConv.avx512 } });
  return o.g.op('Conv2D', `${name}/Conv2D`, [input, weights], CONV);
}

/**
 * The forward pass from `images` ([batch, H, W, C]; batch −1 for any) to the logits, as network.ts's
 * `forward`: `weightsOf(i)` gives layer i's multiplier and `normalize(i, pooled, shape)` its batch norm.
 */
export function forwardNodes(
  o: GraphOps,
  net: Network,
  images: Output,
  batch: number,
  weightsOf: (i: number) => Output,
  normalize: (i: number, pooled: Output, shape: number[]) => Output,
): { layers: LayerNodes[]; logits: Output } {
  const { g } = o;
  const layers: LayerNodes[] = [];
  let a = images;
  let aShape = [batch, ...net.config.inputShape];
  net.layers.forEach((layer, i) => {
    const units = layer.weights.shape[layer.weights.shape.length - 1];
    let unflattened: number[] | undefined;
    if (layer.kind === 'fc' && aShape.length === 4) {
      unflattened = aShape;
      aShape = [batch, aShape[1] * aShape[2] * aShape[3]];
      a = o.reshape(a, aShape);
    }
    const weights = weightsOf(i);
    const conv = layer.kind === 'conv' ? convNode(o, net, i, a, weights) : o.matMul(a, weights, false, false);
    let shape = layer.kind === 'conv' ? [batch, aShape[1], aShape[2], units] : [batch, units];
    const pooled = layer.maxPool ? g.op('MaxPool', `${layer.name}/MaxPool`, [conv], POOL) : conv;
    if (layer.maxPool) shape = [batch, Math.ceil(shape[1] / 2), Math.ceil(shape[2] / 2), units];
    const pre = normalize(i, pooled, shape);
    layers.push({ layer, input: a, inputShape: aShape, unflattened, weights, conv, pooled, shape, pre });
    a = layer.quantizeActs ? o.quantize(net, pre) : pre;
    aShape = shape;
  });
  return { layers, logits: a };
}
