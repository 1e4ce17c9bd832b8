/**
 * Fused TensorFlow kernels that tfjs does not expose, run on tfjs-node through its binding's
 * `executeMultipleOutputs` (TensorFlow's own op names and attributes):
 * batch norm in training mode as one FusedBatchNormV3 forward and one FusedBatchNormGradV3
 * backward, where written with tfjs ops it is about ten kernels each way. (The training step
 * itself runs as one graph on tfjs-node: train/graph-step.ts.)
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
  /** True for tfjs-node-gpu with a GPU it uses. */
  isUsingGpuDevice: boolean;
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
