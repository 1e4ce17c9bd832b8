/**
 * Inference (`forward` in the 'infer' phase) as one TensorFlow graph on tfjs-node: one session per
 * architecture, for batches of any size, with the weights, batch-norm statistics and offsets fed
 * in. TensorFlow's executor then runs the layer's kernels without a trip through JavaScript for
 * each, and its graph passes choose the oneDNN kernels; convs of ±1 inputs and weights run on the
 * native binary conv (graph-network.ts). The values are the eager pass's, bit for bit.
 */
import * as tf from '@tensorflow/tfjs';
import type { Output } from '../backend/graph/graph-builder';
import { binaryConvOp } from '../backend/binary-conv';
import { GraphSession } from '../backend/graph/graph-session';
import { BATCH_NORM_EPSILON } from './batch-norm';
import { GraphOps, forwardNodes } from './graph-network';
import type { Network } from './network';

interface InferenceGraph {
  session: GraphSession;
  images: Output;
  /** Per layer: the weights it multiplies by, moving mean, moving variance, offset β. */
  layers: [Output, Output, Output, Output][];
  logits: Output;
}

/** Graphs by architecture; kept for the process (they hold no weights, only the architecture's kernels). */
const graphs = new Map<string, InferenceGraph>();

/**
 * What the graph's nodes depend on: the input, the quantizer and each layer's kind, shape and flags
 * (the analyses run single layers and variants whose layers differ from their config's lists).
 */
function architectureKey(net: Network): string {
  const { inputShape, levels, threshold } = net.config;
  const layers = net.layers.map((l) => [l.name, l.kind, l.weights.shape, l.maxPool, l.quantizeActs, l.quantizeWeights]);
  return JSON.stringify({ inputShape, levels, threshold, layers });
}

function buildInferenceGraph(net: Network): InferenceGraph {
  const o = new GraphOps(binaryConvOp());
  const { g } = o;
  const images = g.placeholder('images', 'float32', [-1, ...net.config.inputShape]);
  const layers = net.layers.map((l): [Output, Output, Output, Output] => {
    const units = [l.weights.shape[l.weights.shape.length - 1]];
    const p = (suffix: string, shape: number[]) => g.placeholder(`${l.name}_${suffix}`, 'float32', shape);
    return [p('weights', l.weights.shape), p('moving_mean', units), p('moving_variance', units), p('beta', units)];
  });
  // (x − μ)·rsqrt(σ² + ε) + β with the moving statistics, as network.ts's batchNorm in the 'infer' phase.
  const normalize = (i: number, pooled: Output): Output => {
    const [, mean, variance, offset] = layers[i];
    const scale = o.f('Rsqrt', o.f('AddV2', variance, o.scalar(BATCH_NORM_EPSILON)));
    return o.f('AddV2', o.f('Mul', o.f('Sub', pooled, mean), scale), offset);
  };
  const { logits } = forwardNodes(o, net, images, -1, (i) => layers[i][0], normalize);
  return { session: new GraphSession(g), images, layers, logits };
}

/** The network's inference graph, built on the first call for its architecture. */
function inferenceGraphOf(net: Network): InferenceGraph {
  const key = architectureKey(net);
  let graph = graphs.get(key);
  if (graph === undefined) graphs.set(key, (graph = buildInferenceGraph(net)));
  return graph;
}

/** Logits of `net` for images x, given the weights each layer multiplies by (W^b, or W^c where not quantized). */
export function graphInference(net: Network, x: tf.Tensor4D, weights: tf.Tensor[]): tf.Tensor2D {
  const graph = inferenceGraphOf(net);
  const feeds: [Output, tf.Tensor][] = [[graph.images, x]];
  net.layers.forEach((layer, i) => {
    const [w, mean, variance, offset] = graph.layers[i];
    feeds.push([w, weights[i]], [mean, layer.movingMean], [variance, layer.movingVariance], [offset, layer.offset]);
  });
  return graph.session.run(feeds, [graph.logits])[0] as tf.Tensor2D;
}
