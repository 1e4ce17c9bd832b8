/** One-line summaries of training, shared by the terminal (npm run train) and notebooks. */
import { EpochMetrics } from './checkpoint';

/** An accuracy as the summaries show it: "86.10%". */
export function accuracyPercent(fraction: number): string {
  return `${(100 * fraction).toFixed(2)}%`;
}

/** "epoch 2/3  lr 4.64e-4  train loss 0.1203 acc 86.10%  validation loss 0.0990 acc 86.95%  370.2 s  135 img/s" */
export function epochSummary(e: EpochMetrics & { epochs: number }): string {
  return (
    `epoch ${e.epoch}/${e.epochs}  lr ${e.learningRate.toExponential(2)}  train loss ${e.trainLoss.toFixed(4)} acc ${accuracyPercent(e.trainAccuracy)}` +
    `  validation loss ${e.validationLoss.toFixed(4)} acc ${accuracyPercent(e.validationAccuracy)}  ${e.seconds.toFixed(1)} s  ${Math.round(e.imagesPerSecond)} img/s`
  );
}

/** "test accuracy 87.12%": the line `npm run train` ends with. */
export function testAccuracyLine(accuracy: number): string {
  return `test accuracy ${accuracyPercent(accuracy)}`;
}
