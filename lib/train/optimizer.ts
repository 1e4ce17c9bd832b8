/** Adam whose learning rate can follow a schedule (tfjs keeps it protected). */
import * as tf from '@tensorflow/tfjs';

/** tf.train.AdamOptimizer's defaults, as the original used them. */
export const ADAM_BETA1 = 0.9;
export const ADAM_BETA2 = 0.999;
export const ADAM_EPSILON = 1e-8;

export class ScheduledAdam extends tf.AdamOptimizer {
  constructor(learningRate: number) {
    super(learningRate, ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON);
  }

  setLearningRate(lr: number): void {
    this.learningRate = lr;
  }
}

/**
 * Learning rate for a 0-based epoch: exponential decay from lrStart toward lrEnd, as run_bnn.py
 * sets `epoch_decay_rate = (lr_end / lr_start) ** (1 / epochs)`.
 */
export function learningRateAt(epoch: number, epochs: number, lrStart: number, lrEnd: number): number {
  return lrStart * Math.pow(lrEnd / lrStart, epoch / epochs);
}
