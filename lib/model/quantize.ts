/**
 * Quantizers with the straight-through estimator (STE).
 *
 * Forward: binarize(x) = sign(x) with sign(0) = +1, so values are exactly ±1 (tf.sign returns 0
 * at 0, which would make a "binary" weight ternary); ternarize(x, t) = sign(x)·[|x| > t].
 * Backward: the gradient of clip(x, −1, 1), i.e. dy where |x| ≤ 1 and 0 elsewhere (Courbariaux
 * et al. 2016, "Binarized Neural Networks"; the original's `change_forward_backward(x, sign, clip)`).
 * tfjs gives `Sign` a zero gradient, hence tf.customGrad.
 */
import * as tf from '@tensorflow/tfjs';

/** sign(x) with sign(0) = +1 (no gradient). */
export function signNonZero(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.sub(tf.mul(tf.cast(tf.greaterEqual(x, 0), 'float32'), 2), 1));
}

/** sign(x)·[|x| > t] (no gradient); zeros are +0, never −0. */
export function ternaryForward(x: tf.Tensor, threshold: number): tf.Tensor {
  return tf.tidy(() => tf.where(tf.greater(tf.abs(x), threshold), tf.sign(x), tf.zerosLike(x)));
}

/** The STE mask's gradient: dy where |x| ≤ 1, 0 elsewhere. */
function clipGradient(dy: tf.Tensor, x: tf.Tensor): tf.Tensor {
  return tf.mul(dy, tf.cast(tf.lessEqual(tf.abs(x), 1), 'float32'));
}

/** Returns the quantizer for `levels` (2 or 3) whose backward pass is the straight-through estimator. */
export function steQuantizer(levels: 2 | 3, threshold: number): (x: tf.Tensor) => tf.Tensor {
  const forward = levels === 2 ? signNonZero : (x: tf.Tensor) => ternaryForward(x, threshold);
  return tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
    save([x]);
    return { value: forward(x), gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => clipGradient(dy, saved[0]) };
  });
}
