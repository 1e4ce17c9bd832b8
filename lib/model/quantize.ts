/**
 * Quantizers with the straight-through estimator (STE).
 *
 * Forward: binarize(x) = sign(x) with sign(0) = +1, so values are exactly ±1 (tf.sign returns 0
 * at 0, which would make a "binary" weight ternary); ternarize(x, t) = sign(x)·[|x| > t].
 * Backward: the gradient of clip(x, −1, 1), i.e. dy where |x| ≤ 1 and 0 elsewhere (Courbariaux
 * et al. 2016, "Binarized Neural Networks"; the original's `change_forward_backward(x, sign, clip)`).
 * tfjs gives `Sign` a zero gradient, hence tf.customGrad.
 *
 * Each function has two exact formulations, chosen by backend (the forward ones propagate NaN,
 * so that a diverged network is noticed). On wasm and cpu the comparisons are written with `step`
 * (x > 0 ? 1 : α), about ten times faster there than the comparison, `sign` and `where` kernels,
 * using exact identities for float32: for finite a, b, a − b > 0 exactly when a > b (IEEE
 * subtraction with gradual underflow gives 0 only for a = b), and step outputs exactly 0, ±1.
 * On tfjs-node `step` is six TensorFlow ops (isNaN, greater, two fills, two selects), while
 * `sign` and comparisons are one each.
 */
import * as tf from '@tensorflow/tfjs';
import { runsTensorflowOps } from '../backend/tensorflow-ops';

/** sign(x) with sign(0) = +1 (no gradient). */
export function binarizeTensor(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() =>
    runsTensorflowOps()
      ? // sign(x) + ½ ∈ {−½, ½, 1½}, so its sign is −1 for x < 0 and +1 for x = ±0 and x > 0.
        tf.sign(tf.add(tf.sign(x), 0.5))
      : // −x > 0 exactly when x < 0 (also for x = −0), so −step(−x, −1) is −1 there and +1 elsewhere.
        tf.neg(tf.step(tf.neg(x), -1)),
  );
}

/** sign(x)·[|x| > t] for a threshold t ≥ 0 (no gradient); zeros are +0, never −0. */
export function ternarizeTensor(x: tf.Tensor, threshold: number): tf.Tensor {
  if (!(threshold >= 0)) throw new Error(`ternarizeTensor: threshold = ${threshold}; it must be ≥ 0.`);
  return tf.tidy(() =>
    runsTensorflowOps()
      ? // Adding +0 turns the −1·0 = −0 of negative small values into +0.
        tf.add(tf.mul(tf.sign(x), tf.cast(tf.greater(tf.abs(x), threshold), 'float32')), 0)
      : // [x > t] − [x < −t], each as step(·, 0); with t ≥ 0 at most one of them is 1.
        tf.sub(tf.step(tf.sub(x, threshold), 0), tf.step(tf.sub(tf.neg(x), threshold), 0)),
  );
}

/** The STE mask's gradient: dy where |x| ≤ 1, 0 elsewhere. */
function clipGradient(dy: tf.Tensor, x: tf.Tensor): tf.Tensor {
  return runsTensorflowOps()
    ? tf.mul(dy, tf.cast(tf.lessEqual(tf.abs(x), 1), 'float32'))
    : // [|x| ≤ 1] = 1 − [|x| − 1 > 0].
      tf.mul(dy, tf.sub(1, tf.step(tf.sub(tf.abs(x), 1), 0)));
}

/** The quantizer for `levels` (2 or 3) whose backward pass is `gradient(dy, x)`. */
function quantizerWithGradient(
  levels: 2 | 3,
  threshold: number,
  gradient: (dy: tf.Tensor, x: tf.Tensor) => tf.Tensor,
): (x: tf.Tensor) => tf.Tensor {
  const forward = levels === 2 ? binarizeTensor : (x: tf.Tensor) => ternarizeTensor(x, threshold);
  return tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
    save([x]);
    return { value: forward(x), gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => gradient(dy, saved[0]) };
  });
}

/** Returns the quantizer for `levels` (2 or 3) whose backward pass is the straight-through estimator. */
export function steQuantizer(levels: 2 | 3, threshold: number): (x: tf.Tensor) => tf.Tensor {
  return quantizerWithGradient(levels, threshold, clipGradient);
}

/**
 * The quantizer of the latent weights W^c, whose gradient passes through unmasked. For weights in
 * [−1, 1] that is the estimator of {@link steQuantizer}, whose mask is 1 there, and the training
 * loop keeps |W^c| ≤ 1 (clipped before the first step and after every step). The mask would cost
 * four passes over every weight per step: on the quick profile's 1.7 M weights, 3 ms of 50.
 */
export function latentWeightQuantizer(levels: 2 | 3, threshold: number): (x: tf.Tensor) => tf.Tensor {
  return quantizerWithGradient(levels, threshold, (dy) => dy);
}
