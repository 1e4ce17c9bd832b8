/**
 * Re-estimating batch-norm statistics: every layer's moving mean and variance replaced by the
 * exact population statistics of its pre-norm response over a set of images, as inference sees
 * them (each layer's input computed with the new statistics of the layers before it). Changing
 * which layers quantize their weights changes every later layer's input distribution; without this
 * step the stored statistics no longer match (why the original's `test_w_bin_pattern` was left
 * broken: "need to refit batch norm weights").
 *
 * Layer by layer, the inputs of the current layer for all images are kept in memory (as Int8 when
 * quantized), so the cost is about two forward passes rather than one per layer.
 */
import * as tf from '@tensorflow/tfjs';
import { LabeledImages, checkImageShape, forEachBatch, imageBatch } from '../model/batches';
import { Layer, Network, forward } from '../model/network';
import type { ProgressCallback } from '../display/progress';
import { yieldToEventLoop } from '../util/yield';
import { createChannelMoments } from './channel-moments';
import { checkBatchSize } from './images';
import { preNormalization } from './layers';

export interface BatchNormStatistics {
  layer: string;
  mean: Float32Array;
  variance: Float32Array;
}

export interface BatchNormOptions {
  /** Images per batch (default 100); the statistics do not depend on it beyond rounding. */
  batchSize?: number;
  onProgress?: ProgressCallback;
  /** Stage name shown in progress reports (default 'batch norm'). */
  stage?: string;
}

/** One batch of a layer's input for every image: quantized activations stored as Int8. */
interface StoredBatch {
  values: Float32Array | Int8Array;
  shape: number[];
}

function toTensor(batch: StoredBatch): tf.Tensor {
  const values = batch.values instanceof Float32Array ? batch.values : Float32Array.from(batch.values);
  return tf.tensor(values, batch.shape);
}

/** The layer applied alone (with its current statistics), through `forward` itself so the numbers are inference's. */
function applyLayer(net: Network, layer: Layer, input: tf.Tensor): tf.Tensor {
  const x = (input.rank === 4 ? input : tf.reshape(input, [input.shape[0], 1, 1, -1])) as tf.Tensor4D;
  const [, h, w, c] = x.shape;
  const single: Network = { ...net, config: { ...net.config, inputShape: [h, w, c] }, layers: [layer] };
  return forward(single, x, 'infer');
}

/**
 * Sets every layer's moving mean and variance to the population mean and variance (over images,
 * and positions for conv layers) of its pre-norm response on `images`, in inference mode, and
 * returns them. Deterministic: the same network and images give identical statistics. It changes
 * `net` in place; to keep the stored statistics, run it on `withUnquantizedWeights(net, []).net`.
 */
export async function reestimateBatchNorm(net: Network, images: LabeledImages, options: BatchNormOptions = {}): Promise<BatchNormStatistics[]> {
  const { batchSize = 100, onProgress, stage = 'batch norm' } = options;
  checkBatchSize(batchSize, 'reestimateBatchNorm');
  checkImageShape(images, net.config.inputShape, 'reestimateBatchNorm');
  if (images.count < 1) throw new Error('reestimateBatchNorm: the image set is empty; pass at least one image.');
  const batches: [number, number][] = [];
  forEachBatch(images.count, batchSize, (start, end) => batches.push([start, end]));
  let stored: StoredBatch[] | undefined; // undefined: the current layer reads the images
  const inputOf = (b: number): tf.Tensor => (stored ? toTensor(stored[b]) : imageBatch(images, ...batches[b]));
  const result: BatchNormStatistics[] = [];
  for (const [index, layer] of net.layers.entries()) {
    onProgress?.({ stage, done: index, total: net.layers.length });
    await yieldToEventLoop();
    const moments = createChannelMoments(layer.movingMean.shape[0]);
    batches.forEach((_, b) => {
      const z = tf.tidy(() => preNormalization(net, layer, inputOf(b)));
      const m = tf.tidy(() => tf.moments(z, z.rank === 4 ? [0, 1, 2] : [0]));
      moments.add(z.size / z.shape[z.rank - 1], m.mean.dataSync(), m.variance.dataSync());
      tf.dispose([z, m.mean, m.variance]);
    });
    const stats = { layer: layer.name, mean: Float32Array.from(moments.mean()), variance: Float32Array.from(moments.variance()) };
    tf.tidy(() => {
      layer.movingMean.assign(tf.tensor1d(stats.mean));
      layer.movingVariance.assign(tf.tensor1d(stats.variance));
    });
    result.push(stats);
    if (index < net.layers.length - 1) {
      stored = batches.map((_, b) => {
        const out = tf.tidy(() => applyLayer(net, layer, inputOf(b)));
        const values = out.dataSync() as Float32Array;
        out.dispose();
        return { values: layer.quantizeActs ? Int8Array.from(values) : values, shape: out.shape };
      });
    }
  }
  onProgress?.({ stage, done: net.layers.length, total: net.layers.length });
  return result;
}
