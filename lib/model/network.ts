/**
 * The binary / ternary network: parameters and forward pass, as the original `add_binary_layer`
 * stacks them. Each layer: quantized weights W^b from latent W^c → conv (k×k, stride 1, 'same',
 * no bias) or matMul → optional 2×2 max-pool → batch norm (centre, no scale) → quantized
 * activation; the output layer stops at batch norm and gives logits. The input is not quantized.
 */
import * as tf from '@tensorflow/tfjs';
import { createRng } from '../stats/random';
import { BATCH_NORM_EPSILON, BATCH_NORM_MOMENTUM, normalizeWithBatchStatistics } from './batch-norm';
import { NetworkConfig, validateConfig } from './config';
import { latentWeightQuantizer, steQuantizer } from './quantize';
import { graphInference } from './graph-inference';
import { runsTensorflowOps } from '../backend/tensorflow-ops';

export type LayerKind = 'conv' | 'fc';

export interface Layer {
  /** 'conv1', 'conv2', …, 'fc1', …, 'output'. */
  name: string;
  kind: LayerKind;
  /** Latent full-precision weights W^c: [k, k, C_in, C_out] or [D_in, D_out]. */
  weights: tf.Variable;
  /** Batch-norm offset β (the layer has no bias and no scale). */
  offset: tf.Variable;
  movingMean: tf.Variable;
  movingVariance: tf.Variable;
  maxPool: boolean;
  quantizeWeights: boolean;
  /** False for the output layer, which gives logits. */
  quantizeActs: boolean;
}

export interface Network {
  config: NetworkConfig;
  layers: Layer[];
  /** Quantizer with the straight-through gradient, masked to |x| ≤ 1: the activations' (and W^b's for inference). */
  quantize: (x: tf.Tensor) => tf.Tensor;
  /** The same quantizer with the gradient unmasked, for the latent weights in training (which keeps them in [−1, 1]). */
  quantizeLatent: (x: tf.Tensor) => tf.Tensor;
}

/** Tensors of one layer for a batch, as `inspect` returns them. */
export interface LayerTrace {
  name: string;
  kind: LayerKind;
  /** The layer's input A (the raw image for conv1; quantized activations after it, when binActs). */
  input: tf.Tensor;
  /** Latent weights W^c. */
  wc: tf.Tensor;
  /** Weights the forward pass uses, W^b (W^c itself where weights are not quantized). */
  wb: tf.Tensor;
  /** After batch norm, before quantization. */
  preAct: tf.Tensor;
  /** After quantization (equal to preAct where activations are not quantized, and for the output). */
  postAct: tf.Tensor;
}

let networkCount = 0;

/** Glorot-uniform initial weights (TF1's `get_variable` default) drawn from the seeded Rng. */
function glorotUniform(shape: number[], fanIn: number, fanOut: number, uniform: () => number): tf.Tensor {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const size = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = (2 * uniform() - 1) * limit;
  return tf.tensor(values, shape);
}

/** Shapes of every layer's weights, in order, for a config. */
export function weightShapes(config: NetworkConfig): { name: string; kind: LayerKind; shape: number[] }[] {
  const [h0, w0, c0] = config.inputShape;
  const k = config.filterSize;
  const out: { name: string; kind: LayerKind; shape: number[] }[] = [];
  let [h, w, c] = [h0, w0, c0];
  config.conv.forEach((maps, i) => {
    out.push({ name: `conv${i + 1}`, kind: 'conv', shape: [k, k, c, maps] });
    c = maps;
    // 2×2 max-pool, stride 2, 'same' padding.
    if (config.maxPool[i]) [h, w] = [Math.ceil(h / 2), Math.ceil(w / 2)];
  });
  let dim = h * w * c;
  config.fc.forEach((units, i) => {
    out.push({ name: `fc${i + 1}`, kind: 'fc', shape: [dim, units] });
    dim = units;
  });
  out.push({ name: 'output', kind: 'fc', shape: [dim, config.classes] });
  return out;
}

/** Creates a network with seeded Glorot-uniform weights, β = 0 and unit moving variance. */
export function createNetwork(config: NetworkConfig, seed: number): Network {
  validateConfig(config);
  const rng = createRng(seed);
  const id = ++networkCount;
  const shapes = weightShapes(config);
  const layers = shapes.map(({ name, kind, shape }, i): Layer => {
    const receptive = shape.length === 4 ? shape[0] * shape[1] : 1;
    const fanIn = receptive * shape[shape.length - 2];
    const fanOut = receptive * shape[shape.length - 1];
    const units = shape[shape.length - 1];
    const isOutput = i === shapes.length - 1;
    const v = (init: tf.Tensor, trainable: boolean, suffix: string) => {
      const variable = tf.variable(init, trainable, `bnn${id}/${name}/${suffix}`);
      init.dispose(); // tf.variable copies its initial value
      return variable;
    };
    return {
      name,
      kind,
      weights: v(glorotUniform(shape, fanIn, fanOut, rng.uniform), true, 'W'),
      offset: v(tf.zeros([units]), true, 'beta'),
      movingMean: v(tf.zeros([units]), false, 'moving_mean'),
      movingVariance: v(tf.ones([units]), false, 'moving_variance'),
      maxPool: kind === 'conv' && config.maxPool[i],
      quantizeWeights: kind === 'conv' ? config.binWeights[i] : config.quantizeFc,
      quantizeActs: isOutput ? false : kind === 'conv' ? config.binActs[i] : config.quantizeFc,
    };
  });
  return {
    config,
    layers,
    quantize: steQuantizer(config.levels, config.threshold),
    quantizeLatent: latentWeightQuantizer(config.levels, config.threshold),
  };
}

/** Every variable of a layer, in checkpoint order: W, β, moving mean, moving variance. */
export function layerVariables(layer: Layer): tf.Variable[] {
  return [layer.weights, layer.offset, layer.movingMean, layer.movingVariance];
}

/** Trainable variables (latent weights and batch-norm offsets), in layer order. */
export function trainableVariables(net: Network): tf.Variable[] {
  return net.layers.flatMap((l) => [l.weights, l.offset]);
}

/** Frees every tensor the network owns. */
export function disposeNetwork(net: Network): void {
  for (const l of net.layers) {
    inferenceWeights.get(l.weights)?.wb.dispose();
    inferenceWeights.delete(l.weights);
    tf.dispose(layerVariables(l));
  }
}

/**
 * W^b of each weight variable for inference, kept while W^c is unchanged: quantizing the weights
 * is the same work for every batch (on the paper network three kernels over 14 M parameters). A
 * variable gets a new dataId on every assign, which says when to quantize again. Keyed by the
 * variable, so networks that share weights (analysis variants) share the entry.
 */
const inferenceWeights = new WeakMap<tf.Variable, { source: object; quantize: Network['quantize']; wb: tf.Tensor }>();

/** The weights the forward pass uses: W^b (with its straight-through gradient when training) or W^c. */
function forwardWeights(net: Network, layer: Layer, phase: Phase): tf.Tensor {
  if (!layer.quantizeWeights) return layer.weights;
  if (phase === 'train') return net.quantizeLatent(layer.weights);
  const cached = inferenceWeights.get(layer.weights);
  if (cached?.source === layer.weights.dataId && cached.quantize === net.quantize) return cached.wb;
  cached?.wb.dispose();
  const wb = tf.keep(net.quantize(layer.weights));
  inferenceWeights.set(layer.weights, { source: layer.weights.dataId, quantize: net.quantize, wb });
  return wb;
}

/** Training (batch statistics, W^b recomputed) or inference (moving statistics, cached W^b). */
export type Phase = 'train' | 'infer';

/**
 * Batch norm without scale: (x − μ)/√(σ² + ε) + β. In the 'train' phase it normalises with the batch
 * statistics and moves the moving averages toward them; in the 'infer' phase it uses the moving
 * averages. (Written out because tf.batchNorm without a scale cannot be differentiated in tfjs 4.22.)
 */
function batchNorm(layer: Layer, x: tf.Tensor, phase: Phase): tf.Tensor {
  if (phase === 'infer') {
    const scale = tf.rsqrt(tf.add(layer.movingVariance, BATCH_NORM_EPSILON));
    return tf.add(tf.mul(tf.sub(x, layer.movingMean), scale), layer.offset);
  }
  const axes = x.rank === 4 ? [0, 1, 2] : [0];
  const m = BATCH_NORM_MOMENTUM;
  const normalized = normalizeWithBatchStatistics(x, axes, BATCH_NORM_EPSILON, (mean, variance) => {
    layer.movingMean.assign(tf.add(tf.mul(layer.movingMean, m), tf.mul(mean, 1 - m)));
    layer.movingVariance.assign(tf.add(tf.mul(layer.movingVariance, m), tf.mul(variance, 1 - m)));
  });
  return tf.add(normalized, layer.offset);
}

/** Throws unless `x` is a batch of images of the network's input shape. */
export function checkInputShape(net: Network, x: tf.Tensor4D): void {
  const [, h, w, c] = x.shape;
  const [eh, ew, ec] = net.config.inputShape;
  if (h !== eh || w !== ew || c !== ec) {
    throw new Error(`Input shape mismatch: got images of ${h}×${w}×${c}, the network expects ${eh}×${ew}×${ec}.`);
  }
}

/**
 * Runs the network on a batch [N, H, W, C] and returns logits [N, classes]. With `trace`, also
 * collects each layer's tensors (kept: the caller disposes them, see {@link disposeTraces}). On
 * tfjs-node, inference without a trace runs as one TensorFlow graph (graph-inference.ts).
 */
export function forward(net: Network, x: tf.Tensor4D, phase: Phase, trace?: LayerTrace[]): tf.Tensor2D {
  checkInputShape(net, x);
  if (phase === 'infer' && trace === undefined && runsTensorflowOps()) {
    return tf.tidy(() => graphInference(net, x, net.layers.map((layer) => forwardWeights(net, layer, phase))));
  }
  return tf.tidy(() => {
    let a: tf.Tensor = x;
    for (const layer of net.layers) {
      if (layer.kind === 'fc' && a.rank === 4) a = tf.reshape(a, [a.shape[0], -1]);
      const wb = forwardWeights(net, layer, phase);
      let z =
        layer.kind === 'conv'
          ? tf.conv2d(a as tf.Tensor4D, wb as tf.Tensor4D, 1, 'same')
          : tf.matMul(a, wb);
      if (layer.maxPool) z = tf.maxPool(z as tf.Tensor4D, 2, 2, 'same');
      const pre = batchNorm(layer, z, phase);
      const post = layer.quantizeActs ? net.quantize(pre) : pre;
      if (trace) {
        // Clones share data; they keep the caller's input, the variables and the returned logits safe from disposeTraces.
        const wc = tf.keep(layer.weights.clone());
        trace.push({
          name: layer.name,
          kind: layer.kind,
          input: tf.keep(a.clone()),
          wc,
          wb: layer.quantizeWeights ? tf.keep(wb.clone()) : wc,
          preAct: tf.keep(pre.clone()),
          postAct: tf.keep(post.clone()),
        });
      }
      a = post;
    }
    return a as tf.Tensor2D;
  });
}

/** Disposes the tensors of traces collected by {@link forward}. */
export function disposeTraces(traces: LayerTrace[]): void {
  for (const t of traces) tf.dispose([t.input, t.wc, t.wb, t.preAct, t.postAct]);
}
