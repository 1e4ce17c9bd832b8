/** The packed network against its float twin on the same images: predictions and logits, bit for bit. */
import * as tf from '@tensorflow/tfjs';
import { LabeledImages, forEachBatch, imageBatch } from '../model/batches';
import { Network, forward } from '../model/network';
import { inspectBatches } from '../model/evaluate';
import { argMax } from './classify';
import { PackedEngine } from './engine';
import { PackedModel, outputItems, planesOf } from './model';
import { ReferenceTrace, runReference, unpackValues } from './reference';

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

/**
 * Per layer, the output values of the packed network (reference kernels) that differ from the float
 * network's quantized activations on the same images (counted as 'bits', one per value). Only the float first layer can differ, where
 * its float32 sum lands on the threshold differently from the float network's own summation order.
 */
export function compareLayerBits(net: Network, model: PackedModel, set: LabeledImages, batchSize = 100): { name: string; bits: number; differ: number }[] {
  const result = model.layers.filter((l) => l.kind !== 'output').map((l) => ({ name: l.name, bits: 0, differ: 0 }));
  const planes = planesOf(model.config.levels);
  const [h, w, c] = set.shape;
  const size = h * w * c;
  inspectBatches(net, set, batchSize, (traces, start, end) => {
    const packed: ReferenceTrace[][] = [];
    runReference(model, set.images.subarray(start * size, end * size), end - start, packed);
    result.forEach((r, li) => {
      const post = traces[li].postAct.dataSync();
      const { items, channels } = outputItems(model.layers[li]);
      const per = items * channels;
      for (let i = 0; i < end - start; i++) {
        const values = unpackValues(packed[i][li].bits!, items, channels, planes);
        for (let j = 0; j < per; j++) if (values[j] !== post[i * per + j]) r.differ++;
        r.bits += per;
      }
    });
  });
  return result;
}
