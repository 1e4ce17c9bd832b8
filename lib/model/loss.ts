/** The two losses of the original (`loss_mode`): squared hinge and softmax cross-entropy. */
import * as tf from '@tensorflow/tfjs';

export type LossName = 'hinge' | 'softmax';
export const LOSS_NAMES: readonly LossName[] = ['hinge', 'softmax'];

/** Mean over batch and classes of max(0, 1 − y·out)², with one-hot y in {−1, +1} (Courbariaux et al. 2016). */
export function squaredHinge(logits: tf.Tensor2D, labels: tf.Tensor1D, classes: number): tf.Scalar {
  return tf.tidy(() => {
    const y = tf.sub(tf.mul(tf.oneHot(labels, classes), 2), 1);
    return tf.mean(tf.square(tf.relu(tf.sub(1, tf.mul(logits, y)))));
  });
}

/** Mean over the batch of −log softmax(out)[label]. */
export function softmaxCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D, classes: number): tf.Scalar {
  return tf.tidy(() => tf.neg(tf.mean(tf.sum(tf.mul(tf.oneHot(labels, classes), tf.logSoftmax(logits)), 1))) as tf.Scalar);
}

export function lossFunction(name: LossName): (logits: tf.Tensor2D, labels: tf.Tensor1D, classes: number) => tf.Scalar {
  switch (name) {
    case 'hinge':
      return squaredHinge;
    case 'softmax':
      return softmaxCrossEntropy;
    default:
      throw new Error(`Unknown loss '${name as string}'; use one of: ${LOSS_NAMES.join(', ')}.`);
  }
}

/**
 * The loss of an all-zero output, a network that knows nothing: 1 for the squared hinge (every
 * margin is 0), ln(classes) for softmax (uniform probabilities).
 */
export function chanceLoss(name: LossName, classes: number): number {
  return name === 'hinge' ? 1 : Math.log(classes);
}
