/**
 * What binarization buys, measured on a trained network: model size, inference speed and test
 * accuracy of the float network (on the active TensorFlow.js backend) against its packed form.
 */
import * as tf from '@tensorflow/tfjs';
import { LabeledImages } from '../model/batches';
import { classify } from '../model/evaluate';
import { Network } from '../model/network';
import { classifyPacked } from './classify';
import { compareLogits } from './compare';
import { openEngine } from './open';
import { serializePacked } from './format';
import { checkPackable, packNetwork } from './pack';
import { floatWeightBytes } from './sizes';

export interface BinarizationGains {
  testImages: number;
  floatBytes: number;
  packedBytes: number;
  floatImagesPerSecond: number;
  packedImagesPerSecond: number;
  /** e.g. 'tensorflow' */
  floatBackend: string;
  /** e.g. 'native AVX-512 VPOPCNTDQ, 2 threads' */
  packedKernels: string;
  floatAccuracy: number;
  packedAccuracy: number;
  /** Test images whose predicted class differs between the two (expected: 0). */
  predictionDifferences: number;
}

/** Measures both networks over the whole test set, or says why the network cannot be packed. */
export async function measureBinarizationGains(net: Network, test: LabeledImages, batchSize = 500): Promise<BinarizationGains | { unsupported: string }> {
  try {
    checkPackable(net);
  } catch (err) {
    return { unsupported: (err as Error).message };
  }
  const model = packNetwork(net);
  const engine = await openEngine(model);
  try {
    classify(net, { ...test, count: Math.min(test.count, batchSize) }, batchSize); // warm-up
    let t0 = performance.now();
    const floatCorrect = classify(net, test, batchSize);
    const floatSeconds = (performance.now() - t0) / 1000;
    await classifyPacked(model, { ...test, count: Math.min(test.count, batchSize) }, { batchSize, engine });
    t0 = performance.now();
    const packedCorrect = await classifyPacked(model, test, { batchSize, engine });
    const packedSeconds = (performance.now() - t0) / 1000;
    const sum = (a: Uint8Array) => a.reduce((n, v) => n + v, 0);
    // Predicted classes, not just right/wrong: two different wrong answers count as a difference.
    const { predictionDifferences } = await compareLogits(net, engine, test, batchSize);
    return {
      testImages: test.count,
      floatBytes: floatWeightBytes(net.config),
      packedBytes: serializePacked(model).length,
      floatImagesPerSecond: test.count / floatSeconds,
      packedImagesPerSecond: test.count / packedSeconds,
      floatBackend: tf.getBackend(),
      packedKernels: engine.description,
      floatAccuracy: sum(floatCorrect) / test.count,
      packedAccuracy: sum(packedCorrect) / test.count,
      predictionDifferences,
    };
  } finally {
    await engine.close();
  }
}
