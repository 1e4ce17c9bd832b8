/**
 * Fused TensorFlow kernels that tfjs does not expose, run on tfjs-node through its binding's
 * `executeMultipleOutputs` (TensorFlow's own op names and attributes):
 * - batch norm in training mode as one FusedBatchNormV3 forward and one FusedBatchNormGradV3
 *   backward, where written with tfjs ops it is about ten kernels each way (a tenth of a step
 *   on the paper network);
 * - Adam as one ResourceApplyAdam per variable on TensorFlow resource variables, updated in
 *   place, where tfjs's Adam is fifteen element-wise kernels over every parameter (a third of a
 *   paper-network step: 14 M parameters).
 */
import * as tf from '@tensorflow/tfjs';

interface Attr {
  name: string;
  type: number;
  value: unknown;
}

/** The parts of tfjs-node's NodeJSKernelBackend used here. */
export interface NodeBackend {
  binding: Record<'TF_ATTR_TYPE' | 'TF_ATTR_INT' | 'TF_ATTR_FLOAT' | 'TF_ATTR_STRING' | 'TF_ATTR_BOOL' | 'TF_ATTR_SHAPE' | 'TF_FLOAT', number>;
  executeMultipleOutputs(name: string, attrs: Attr[], inputs: tf.TensorInfo[], numOutputs: number): tf.Tensor[];
}

/** True when the active backend is tfjs-node's and so runs TensorFlow ops by name. */
export function runsTensorflowOps(): boolean {
  return tf.getBackend() === 'tensorflow';
}

export function nodeBackend(): NodeBackend {
  if (!runsTensorflowOps()) throw new Error(`TensorFlow ops need the tensorflow backend; the active one is ${tf.getBackend()}.`);
  return tf.backend() as unknown as NodeBackend;
}

/** A per-channel batch as NHWC, the layout of the fused kernels: [N, C] becomes [N, 1, 1, C]. */
export function asNhwc(x: tf.Tensor): tf.Tensor4D {
  if (x.rank === 4) return x as tf.Tensor4D;
  if (x.rank === 2) return x.reshape([x.shape[0], 1, 1, x.shape[1] as number]);
  throw new Error(`The fused batch-norm kernels take a rank-2 or rank-4 batch, not rank ${x.rank}.`);
}

function batchNormAttrs(b: NodeBackend, epsilon: number): Attr[] {
  const { binding: t } = b;
  return [
    { name: 'T', type: t.TF_ATTR_TYPE, value: t.TF_FLOAT },
    { name: 'U', type: t.TF_ATTR_TYPE, value: t.TF_FLOAT },
    { name: 'epsilon', type: t.TF_ATTR_FLOAT, value: epsilon },
    { name: 'data_format', type: t.TF_ATTR_STRING, value: 'NHWC' },
    { name: 'is_training', type: t.TF_ATTR_BOOL, value: true },
  ];
}

/** What the backward pass needs from the forward one: TensorFlow's opaque reserve spaces. */
export interface FusedBatchNormSaved {
  x: tf.Tensor4D;
  reserve: tf.Tensor[];
}

/**
 * (x − μ_B)/√(σ²_B + ε) over N, H, W of an NHWC batch, with μ_B and the biased σ²_B (per channel).
 * The returned tensors are new; `saved` is for {@link fusedBatchNormGrad}.
 */
export function fusedBatchNorm(
  x: tf.Tensor4D,
  epsilon: number,
): { y: tf.Tensor4D; mean: tf.Tensor1D; variance: tf.Tensor1D; saved: FusedBatchNormSaved } {
  const b = nodeBackend();
  const channels = x.shape[3];
  const count = x.size / channels;
  const [scale, offset, none] = [tf.ones([channels]), tf.zeros([channels]), tf.tensor1d([])];
  const attrs = [...batchNormAttrs(b, epsilon), { name: 'exponential_avg_factor', type: b.binding.TF_ATTR_FLOAT, value: 1 }];
  const [y, mean, unbiased, ...reserve] = b.executeMultipleOutputs('FusedBatchNormV3', attrs, [x, scale, offset, none, none], 6);
  tf.dispose([scale, offset, none]);
  // The op's batch variance is Bessel-corrected (for TensorFlow's moving averages); the reserve
  // spaces differ between CPU and GPU builds, so the biased variance is taken from it.
  const variance = tf.mul<tf.Tensor1D>(unbiased, count > 1 ? (count - 1) / count : 1);
  unbiased.dispose();
  return { y: y as tf.Tensor4D, mean: mean as tf.Tensor1D, variance, saved: { x, reserve } };
}

/** dL/dx of {@link fusedBatchNorm} given dL/dy. */
export function fusedBatchNormGrad(dy: tf.Tensor4D, saved: FusedBatchNormSaved, epsilon: number): tf.Tensor4D {
  const b = nodeBackend();
  const scale = tf.ones([saved.x.shape[3]]);
  const [dx, ...rest] = b.executeMultipleOutputs('FusedBatchNormGradV3', batchNormAttrs(b, epsilon), [dy, saved.x, scale, ...saved.reserve], 5);
  tf.dispose([scale, ...rest]);
  return dx as tf.Tensor4D;
}

const floatType = (b: NodeBackend, name: string): Attr => ({ name, type: b.binding.TF_ATTR_TYPE, value: b.binding.TF_FLOAT });

let resourceCount = 0;

/** A new float32 TensorFlow resource variable holding a copy of `initial`; returns its handle. */
export function createResourceVariable(initial: tf.Tensor): tf.Tensor {
  const b = nodeBackend();
  const attrs = [
    { name: 'container', type: b.binding.TF_ATTR_STRING, value: '' },
    { name: 'shared_name', type: b.binding.TF_ATTR_STRING, value: `bnn_geometry_${process.pid}_${++resourceCount}` },
    floatType(b, 'dtype'),
    { name: 'shape', type: b.binding.TF_ATTR_SHAPE, value: initial.shape },
  ];
  const [handle] = b.executeMultipleOutputs('VarHandleOp', attrs, [], 1);
  assignResourceVariable(handle, initial);
  return tf.keep(handle); // lives until destroyResourceVariable, also when created inside tf.tidy
}

export function assignResourceVariable(handle: tf.Tensor, value: tf.Tensor): void {
  const b = nodeBackend();
  b.executeMultipleOutputs('AssignVariableOp', [floatType(b, 'dtype')], [handle, value], 0);
}

/** The variable's current value as a new tensor (TensorFlow copies it before the next in-place update). */
export function readResourceVariable(handle: tf.Tensor): tf.Tensor {
  const b = nodeBackend();
  return b.executeMultipleOutputs('ReadVariableOp', [floatType(b, 'dtype')], [handle], 1)[0];
}

/** Frees the variable's memory (TensorFlow keeps a named resource until it is destroyed) and its handle. */
export function destroyResourceVariable(handle: tf.Tensor): void {
  const b = nodeBackend();
  b.executeMultipleOutputs('DestroyResourceOp', [{ name: 'ignore_lookup_error', type: b.binding.TF_ATTR_BOOL, value: true }], [handle], 0);
  handle.dispose();
}

/** Adam's hyperparameters for one step t: βᵗ powers for the bias correction, as TensorFlow's ApplyAdam takes them. */
export interface AdamStep {
  beta1Power: number;
  beta2Power: number;
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

/** The step's scalars in the order ApplyAdam takes them; the caller disposes them after the step. */
export function adamStepScalars(step: AdamStep): tf.Tensor[] {
  return [step.beta1Power, step.beta2Power, step.learningRate, step.beta1, step.beta2, step.epsilon].map((value) => tf.scalar(value));
}

/**
 * One in-place Adam step on resource variables (TensorFlow's ApplyAdam, as TF1's AdamOptimizer
 * used it): m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², w ← w − lr·√(1−β₂ᵗ)/(1−β₁ᵗ) · m/(√v + ε).
 */
export function resourceApplyAdam(w: tf.Tensor, m: tf.Tensor, v: tf.Tensor, stepScalars: tf.Tensor[], gradient: tf.Tensor): void {
  const b = nodeBackend();
  const attrs = [
    floatType(b, 'T'),
    { name: 'use_locking', type: b.binding.TF_ATTR_BOOL, value: false },
    { name: 'use_nesterov', type: b.binding.TF_ATTR_BOOL, value: false },
  ];
  b.executeMultipleOutputs('ResourceApplyAdam', attrs, [w, m, v, ...stepScalars, gradient], 0);
}

/**
 * clip(x, lo, hi) as TensorFlow's single ClipByValue kernel, with the bounds given as scalar tensors
 * the caller makes once per step: tfjs-node's clipByValue runs Minimum then Maximum, two passes over
 * x, and uploads two new scalars on every call.
 */
export function clipByValueKernel(x: tf.Tensor, bounds: readonly [tf.Scalar, tf.Scalar]): tf.Tensor {
  const b = nodeBackend();
  return b.executeMultipleOutputs('ClipByValue', [floatType(b, 'T')], [x, ...bounds], 1)[0];
}
