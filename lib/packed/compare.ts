/** The packed network against its float twin on the same images: predictions and logits, bit for bit. */
import * as tf from '@tensorflow/tfjs';
import { LabeledImages, forEachBatch, imageBatch } from '../model/batches';
import { Network, forward } from '../model/network';
import { PackedEngine, argMax } from './classify';

export interface LogitComparison {
  floatPredictions: Int32Array;
  floatAccuracy: number;
  /** Images with a different arg-max. */
  predictionDifferences: number;
  /** Images with any logit not bit-identical. */
  logitDifferences: number;
}

export async function compareLogits(net: Network, engine: PackedEngine, set: LabeledImages, batchSize = 500): Promise<LogitComparison> {
  const classes = net.config.classes;
  const [h, w, c] = set.shape;
  const size = h * w * c;
  const floatPredictions = new Int32Array(set.count);
  let predictionDifferences = 0;
  let logitDifferences = 0;
  let correct = 0;
  const batches: [number, number][] = [];
  forEachBatch(set.count, batchSize, (s, e) => batches.push([s, e]));
  for (const [start, end] of batches) {
    const floatLogits = tf.tidy(() => forward(net, imageBatch(set, start, end), 'infer').dataSync() as Float32Array);
    const packedLogits = await engine.logits(set.images.subarray(start * size, end * size), end - start);
    for (let i = 0; i < end - start; i++) {
      const fp = argMax(floatLogits, i, classes);
      floatPredictions[start + i] = fp;
      if (fp === set.labels[start + i]) correct++;
      if (fp !== argMax(packedLogits, i, classes)) predictionDifferences++;
      for (let j = 0; j < classes; j++) {
        if (!Object.is(floatLogits[i * classes + j], packedLogits[i * classes + j])) {
          logitDifferences++;
          break;
        }
      }
    }
  }
  return { floatPredictions, floatAccuracy: correct / set.count, predictionDifferences, logitDifferences };
}
