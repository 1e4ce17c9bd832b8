/**
 * classifyPacked: the packed network on a labeled set, batch by batch, with the same result as
 * `classify` (per-example correctness, 1 where the arg-max logit is the label). No TensorFlow.js.
 */
import { LabeledImages, checkImageShape, checkLabels, forEachBatch } from '../model/batches';
import { PackedEngine } from './engine';
import { PackedModel } from './model';
import { referenceEngine } from './reference';

/** Index of the largest logit (the first on ties, as tf.argMax). */
export function argMax(logits: Float32Array, row: number, classes: number): number {
  let best = 0;
  for (let j = 1; j < classes; j++) if (logits[row * classes + j] > logits[row * classes + best]) best = j;
  return best;
}

export interface ClassifyPackedOptions {
  batchSize?: number;
  /** Defaults to the reference engine. */
  engine?: PackedEngine;
  /** Receives every batch's predictions (e.g. to compare with the float network). */
  onPredictions?: (predicted: Int32Array, start: number) => void;
}

/** Per-example correctness of the packed network, like `classify` (1 = the arg-max logit is the label). */
export async function classifyPacked(model: PackedModel, set: LabeledImages, options: ClassifyPackedOptions = {}): Promise<Uint8Array> {
  checkImageShape(set, model.config.inputShape, 'classifyPacked');
  checkLabels(set, model.config.classes, 'classifyPacked');
  const engine = options.engine ?? referenceEngine(model);
  const batchSize = options.batchSize ?? 500;
  const [h, w, c] = model.config.inputShape;
  const size = h * w * c;
  const classes = model.config.classes;
  const correct = new Uint8Array(set.count);
  const batches: [number, number][] = [];
  forEachBatch(set.count, batchSize, (start, end) => batches.push([start, end]));
  for (const [start, end] of batches) {
    const logits = await engine.logits(set.images.subarray(start * size, end * size), end - start);
    const predicted = new Int32Array(end - start);
    for (let i = start; i < end; i++) {
      predicted[i - start] = argMax(logits, i - start, classes);
      correct[i] = predicted[i - start] === set.labels[i] ? 1 : 0;
    }
    options.onPredictions?.(predicted, start);
  }
  return correct;
}
