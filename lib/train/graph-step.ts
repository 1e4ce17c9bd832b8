/**
 * The training step of {@link trainStep} as one TensorFlow graph, for tfjs-node: forward pass,
 * loss, the backward pass written out layer by layer, gradient clipping, Adam and the weight clip,
 * run in one session call with the network's variables and Adam's moments fed in and their new
 * values fetched. Eager tfjs dispatches about 240 kernels per step one by one from JavaScript and
 * keeps a gradient tape; here TensorFlow's executor runs them, independent ones side by side.
 * Each value is computed by the same kernels in the same order as the eager step, so the two give
 * the same weights; the binary convs' forward pass may run on the native XNOR–popcount kernel
 * (model/graph-network.ts), whose values are the float conv's exactly.
 */
import * as tf from '@tensorflow/tfjs';
import type { Output } from '../backend/graph/graph-builder';
import { binaryConvOp } from '../backend/binary-conv';
import { GraphSession } from '../backend/graph/graph-session';
import { CONV, FLOAT, GraphOps, POOL, forwardNodes, type, type LayerNodes } from '../model/graph-network';
import { BATCH_NORM_EPSILON, BATCH_NORM_MOMENTUM } from '../model/batch-norm';
import { checkInputShape, type Network } from '../model/network';
import type { LossName } from '../model/loss';
import { ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON, type ScheduledAdam } from './optimizer';

const BATCH_NORM = { ...FLOAT, U: type('float32'), epsilon: { f: BATCH_NORM_EPSILON }, data_format: { s: 'NHWC' }, is_training: { b: true } };

/** A trained variable's value and Adam's two moments of it. */
type AdamPorts = [value: Output, m: Output, v: Output];

/** The graph's placeholders for one layer. */
interface LayerFeeds {
  weights: AdamPorts;
  offset: AdamPorts;
  movingMean: Output;
  movingVariance: Output;
}

interface StepGraph {
  session: GraphSession;
  feeds: { images: Output; labels: Output; learningRate: Output; beta1Power: Output; beta2Power: Output; layers: LayerFeeds[] };
  /**
   * The new values, per layer: W, its m and v, β, its m and v, moving mean, moving variance
   * ({@link FETCHES_PER_LAYER}); then the summary [loss, correct predictions, Σ logits].
   */
  fetches: Output[];
  dispose(): void;
}

const FETCHES_PER_LAYER = 8;

/** FusedBatchNormV3's input (NHWC) and reserve spaces: what its gradient needs. */
interface BatchNormTape {
  input: Output;
  reserve: Output[];
}

/** dy where |x| ≤ 1, else 0: the straight-through estimator's mask. */
function steGradient(o: GraphOps, dy: Output, x: Output): Output {
  return o.f('Mul', dy, o.toFloat(o.f('LessEqual', o.f('Abs', x), o.scalar(1)), 'bool'));
}

/**
 * The loss and dL/dlogits, rounded as tfjs's gradients of model/loss.ts round them. Squared hinge:
 * tfjs's chain gives −(1/(N·C))·2h·y, and scaling by 2 is exact, so −(2/(N·C))·h·y is the same value.
 * Softmax: dy − Σdy·softmax with dy = −1/N at the label (tfjs's logSoftmax gradient).
 */
function lossAndGradient(o: GraphOps, logits: Output, labels: Output, batch: number, classes: number, loss: LossName): { value: Output; gradient: Output } {
  if (loss === 'hinge') {
    const y = o.oneHot(labels, classes, 1, -1);
    const margin = o.f('Relu', o.f('Sub', o.scalar(1), o.f('Mul', logits, y)));
    const value = o.reduce('Mean', o.f('Square', margin), [0, 1]);
    return { value, gradient: o.f('Mul', o.f('Mul', margin, o.scalar(-2 / (batch * classes))), y) };
  }
  const shifted = o.f('Sub', logits, o.reduce('Max', logits, [1], true));
  const logSoftmax = o.f('Sub', shifted, o.f('Log', o.reduce('Sum', o.f('Exp', shifted), [1], true)));
  const hot = o.oneHot(labels, classes, 1, 0);
  const value = o.f('Neg', o.reduce('Mean', o.reduce('Sum', o.f('Mul', hot, logSoftmax), [1]), [0]));
  const dy = o.f('Mul', hot, o.scalar(-1 / batch));
  return { value, gradient: o.f('Sub', dy, o.f('Mul', o.f('Exp', logSoftmax), o.scalar(-1 / batch))) };
}

let slotCount = 0;

/** Adam's scalars for ResourceApplyAdam, in its order: β₁ᵗ, β₂ᵗ, lr (fed each step), β₁, β₂, ε. */
type AdamScalars = [Output, Output, Output, Output, Output, Output];

/**
 * Adam as TensorFlow's ResourceApplyAdam kernel: the fed value and moments are copied into
 * resource variables of the session, which the kernel updates in place in one pass (written
 * out, Adam is twelve passes over every weight), and read back.
 */
function adam(o: GraphOps, ports: AdamPorts, shape: number[], gradient: Output, scalars: AdamScalars): AdamPorts {
  const { g } = o;
  const handles = ports.map(() => {
    const name = `adam_slot_${++slotCount}`; // the node's name and the resource's, unique in the process
    return g.op('VarHandleOp', name, [], { dtype: type('float32'), shape: { shape }, container: { s: '' }, shared_name: { s: name } });
  });
  const copied = handles.map((handle, i) => g.action('AssignVariableOp', 'adam_slot_assign', [handle, ports[i]], { dtype: type('float32') }));
  const attrs = { ...FLOAT, use_locking: { b: false }, use_nesterov: { b: false } };
  const applied = g.action('ResourceApplyAdam', 'ResourceApplyAdam', [...handles, ...scalars, gradient, ...copied], attrs);
  const [w, m, v] = handles.map((handle) => g.op('ReadVariableOp', 'adam_slot_read', [handle, applied], { dtype: type('float32') }));
  return [w, m, v];
}

/** dL/dW and dL/dβ of every layer, from dL/dlogits back through the forward pass's nodes. */
function backwardNodes(
  o: GraphOps,
  layers: LayerNodes[],
  batchNorms: BatchNormTape[],
  dLogits: Output,
  batch: number,
): { weights: Output; offset: Output }[] {
  const { g } = o;
  const gradients: { weights: Output; offset: Output }[] = [];
  let dy = dLogits;
  for (let i = layers.length - 1; i >= 0; i--) {
    const t = layers[i];
    const { layer } = t;
    const units = layer.weights.shape[layer.weights.shape.length - 1];
    const dPre = layer.quantizeActs ? steGradient(o, dy, t.pre) : dy;
    const dOffset = o.reduce('Sum', dPre, layer.kind === 'conv' ? [0, 1, 2] : [0]);
    const dBn = layer.kind === 'conv' ? dPre : o.reshape(dPre, [batch, 1, 1, units]);
    const bnGradInputs = [dBn, batchNorms[i].input, g.constant('ones', 'float32', 1, [units]), ...batchNorms[i].reserve];
    const [dNormalized] = g.node('FusedBatchNormGradV3', `${layer.name}/FusedBatchNormGradV3`, bnGradInputs, BATCH_NORM, 5);
    const dPooled = layer.kind === 'conv' ? dNormalized : o.reshape(dNormalized, [batch, units]);
    const dConv = layer.maxPool ? g.op('MaxPoolGrad', `${layer.name}/MaxPoolGrad`, [t.conv, t.pooled, dPooled], POOL) : dPooled;
    let dWeights: Output;
    if (layer.kind === 'conv') {
      dWeights = g.op('Conv2DBackpropFilter', `${layer.name}/Conv2DBackpropFilter`, [t.input, o.ints(layer.weights.shape), dConv], CONV);
      if (i > 0) dy = g.op('Conv2DBackpropInput', `${layer.name}/Conv2DBackpropInput`, [o.ints(t.inputShape), t.weights, dConv], CONV);
    } else {
      dWeights = o.matMul(t.input, dConv, true, false);
      if (i > 0) dy = o.matMul(dConv, t.weights, false, true);
      if (i > 0 && t.unflattened) dy = o.reshape(dy, t.unflattened);
    }
    gradients[i] = { weights: dWeights, offset: dOffset };
  }
  return gradients;
}

/** Builds the training step of `net` for batches of `batch` images with the given loss, and loads it into a session. */
function buildStepGraph(net: Network, batch: number, loss: LossName): StepGraph {
  const o = new GraphOps(binaryConvOp());
  const { g } = o;
  const images = g.placeholder('images', 'float32', [batch, ...net.config.inputShape]);
  const labels = g.placeholder('labels', 'int32', [batch]);
  const learningRate = g.placeholder('learning_rate', 'float32', []);
  const beta1Power = g.placeholder('beta1_power', 'float32', []);
  const beta2Power = g.placeholder('beta2_power', 'float32', []);
  const layers = net.layers.map((l): LayerFeeds => {
    const shape = l.weights.shape;
    const units = [shape[shape.length - 1]];
    const p = (suffix: string, sh: number[]) => g.placeholder(`${l.name}_${suffix}`, 'float32', sh);
    return {
      weights: [p('W', shape), p('W_m', shape), p('W_v', shape)],
      offset: [p('beta', units), p('beta_m', units), p('beta_v', units)],
      movingMean: p('moving_mean', units),
      movingVariance: p('moving_variance', units),
    };
  });

  const batchNorms: BatchNormTape[] = [];
  const movingAverages: Output[][] = [];
  // Normalised as model/batch-norm.ts does: the fused kernel with unit scale and zero offset, then + β.
  const normalize = (i: number, pooled: Output, shape: number[]): Output => {
    const units = shape[shape.length - 1];
    const input = shape.length === 4 ? pooled : o.reshape(pooled, [batch, 1, 1, units]);
    const empty = g.constant('empty', 'float32', [], [0]);
    const inputs = [input, g.constant('ones', 'float32', 1, [units]), g.constant('zeros', 'float32', 0, [units]), empty, empty];
    const attrs = { ...BATCH_NORM, exponential_avg_factor: { f: 1 } };
    const [y, mean, unbiased, ...reserve] = g.node('FusedBatchNormV3', `${net.layers[i].name}/FusedBatchNormV3`, inputs, attrs, 6);
    batchNorms.push({ input, reserve: reserve.slice(0, 3) });
    const count = shape.slice(0, -1).reduce((x, y) => x * y, 1);
    // MulNoNan, which is Mul for a nonzero factor: TensorFlow's graph optimiser would reorder a chain of
    // Muls into unbiased·(correction·(1 − momentum)), rounded differently from the eager step.
    const variance = o.f('MulNoNan', unbiased, o.scalar(count > 1 ? (count - 1) / count : 1));
    const average = (old: Output, now: Output) =>
      o.f('AddV2', o.f('Mul', old, o.scalar(BATCH_NORM_MOMENTUM)), o.f('Mul', now, o.scalar(1 - BATCH_NORM_MOMENTUM)));
    movingAverages.push([average(layers[i].movingMean, mean), average(layers[i].movingVariance, variance)]);
    return o.f('AddV2', shape.length === 4 ? y : o.reshape(y, shape), layers[i].offset[0]);
  };
  const weightsOf = (i: number) => (net.layers[i].quantizeWeights ? o.quantize(net, layers[i].weights[0]) : layers[i].weights[0]);
  const forward = forwardNodes(o, net, images, batch, weightsOf, normalize);
  const { logits } = forward;
  const { value, gradient } = lossAndGradient(o, logits, labels, batch, net.config.classes, loss);

  const gradients = backwardNodes(o, forward.layers, batchNorms, gradient, batch);

  const scalars: AdamScalars = [beta1Power, beta2Power, learningRate, o.scalar(ADAM_BETA1), o.scalar(ADAM_BETA2), o.scalar(ADAM_EPSILON)];
  const fetches = layers.flatMap((feeds, i) => {
    const shape = net.layers[i].weights.shape;
    const [w1, ...wMoments] = adam(o, feeds.weights, shape, o.clip(gradients[i].weights), scalars);
    const offset = adam(o, feeds.offset, [shape[shape.length - 1]], o.clip(gradients[i].offset), scalars);
    return [o.clip(w1), ...wMoments, ...offset, ...movingAverages[i]];
  });
  const predicted = g.op('ArgMax', 'ArgMax', [logits, g.constant('axis', 'int32', 1)], { ...FLOAT, Tidx: type('int32'), output_type: type('int32') });
  const correct = o.toFloat(g.op('Equal', 'Equal', [predicted, labels], { T: type('int32') }), 'bool');
  const summary = [value, o.reduce('Sum', correct, [0]), o.reduce('Sum', logits, [0, 1])];
  fetches.push(g.op('Pack', 'summary', summary, { ...FLOAT, N: { i: summary.length }, axis: { i: 0 } }));
  const session = new GraphSession(g);
  return {
    session, feeds: { images, labels, learningRate, beta1Power, beta2Power, layers }, fetches, dispose: () => session.dispose(),
  };
}

/** What one step reports, read back in one transfer. */
export interface StepSummary {
  loss: number;
  correct: number;
  /** False when an output was NaN or infinite (the hinge's relu can hide those from the loss). */
  outputsFinite: boolean;
}

/**
 * One training step of `net` on a batch, in its graph (built on the first step of each batch size
 * and loss, and kept by the optimizer): updates the variables and Adam's moments in place.
 */
export function graphTrainStep(net: Network, optimizer: ScheduledAdam, x: tf.Tensor4D, labels: tf.Tensor1D, loss: LossName): StepSummary {
  checkInputShape(net, x);
  const batch = x.shape[0];
  const graph = optimizer.owning(net, `train-step/${batch}/${loss}`, () => buildStepGraph(net, batch, loss));
  const step = optimizer.nextStep();
  const scalars = [step.learningRate, step.beta1Power, step.beta2Power].map((v) => tf.scalar(v));
  const f = graph.feeds;
  const feeds: [Output, tf.Tensor][] = [[f.images, x], [f.labels, labels], [f.learningRate, scalars[0]], [f.beta1Power, scalars[1]], [f.beta2Power, scalars[2]]];
  net.layers.forEach((layer, i) => {
    const ports = f.layers[i];
    const trained = [[ports.weights, layer.weights], [ports.offset, layer.offset]] as const;
    for (const [[value, m, v], variable] of trained) {
      const moments = optimizer.momentsOf(variable);
      feeds.push([value, variable], [m, moments[0]], [v, moments[1]]);
    }
    feeds.push([ports.movingMean, layer.movingMean], [ports.movingVariance, layer.movingVariance]);
  });
  let out: tf.Tensor[];
  try {
    out = graph.session.run(feeds, graph.fetches);
  } finally {
    tf.dispose(scalars);
  }
  net.layers.forEach((layer, i) => {
    const [w, wm, wv, offset, om, ov, movingMean, movingVariance] = out.slice(FETCHES_PER_LAYER * i, FETCHES_PER_LAYER * (i + 1));
    optimizer.replaceMoments(layer.weights, [wm, wv]);
    optimizer.replaceMoments(layer.offset, [om, ov]);
    const updates = [[layer.weights, w], [layer.offset, offset], [layer.movingMean, movingMean], [layer.movingVariance, movingVariance]] as const;
    for (const [variable, value] of updates) {
      variable.assign(value); // the variable takes a reference to the value's data
      value.dispose();
    }
  });
  optimizer.finishStep();
  return readStepSummary(out[out.length - 1]);
}

/** A step's [loss, correct predictions, Σ logits], read back in one transfer and disposed. */
export function readStepSummary(summary: tf.Tensor): StepSummary {
  const [loss, correct, outputSum] = summary.dataSync();
  summary.dispose();
  return { loss, correct, outputsFinite: Number.isFinite(outputSum) };
}
