/**
 * Running a trained network on many images, batch by batch: per-example correctness (the
 * original's `classify`), loss and accuracy, and the per-layer tensors (`inspect`).
 */
import * as tf from '@tensorflow/tfjs';
import { LabeledImages, checkImageShape, checkLabels, forEachBatch, imageBatch } from './batches';
import { LayerTrace, Network, disposeTraces, forward } from './network';
import { LossName, lossFunction } from './loss';

/** Per-example correctness (1 = the arg-max logit is the label) in inference mode. */
export function classify(net: Network, set: LabeledImages, batchSize = 500): Uint8Array {
  checkImageShape(set, net.config.inputShape, 'classify');
  checkLabels(set, net.config.classes, 'classify');
  const correct = new Uint8Array(set.count);
  forEachBatch(set.count, batchSize, (start, end) => {
    const predicted = tf.tidy(() => tf.argMax(forward(net, imageBatch(set, start, end), 'infer'), 1).dataSync());
    for (let i = start; i < end; i++) correct[i] = predicted[i - start] === set.labels[i] ? 1 : 0;
  });
  return correct;
}

export interface Score {
  loss: number;
  accuracy: number;
}

/** Mean loss and accuracy over a set, in inference mode. */
export function evaluate(net: Network, set: LabeledImages, loss: LossName, batchSize = 500): Score {
  checkImageShape(set, net.config.inputShape, 'evaluate');
  checkLabels(set, net.config.classes, 'evaluate');
  const lossFn = lossFunction(loss);
  let lossSum = 0;
  let correct = 0;
  forEachBatch(set.count, batchSize, (start, end) => {
    const [l, c] = tf.tidy(() => {
      const logits = forward(net, imageBatch(set, start, end), 'infer');
      const labels = tf.tensor1d(Array.from(set.labels).slice(start, end), 'int32');
      const hits = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'float32'));
      return [tf.mul(lossFn(logits, labels, net.config.classes), end - start).dataSync()[0], hits.dataSync()[0]];
    });
    lossSum += l;
    correct += c;
  });
  return { loss: lossSum / set.count, accuracy: correct / set.count };
}

/** One layer of {@link inspect}'s result, as typed arrays with shapes. */
export interface LayerArrays {
  name: string;
  kind: 'conv' | 'fc';
  wc: { values: Float32Array; shape: number[] };
  wb: { values: Float32Array; shape: number[] };
  input: { values: Float32Array; shape: number[] };
  preAct: { values: Float32Array; shape: number[] };
  postAct: { values: Float32Array; shape: number[] };
}

/**
 * Per layer: W^c, W^b, the layer's input, and the activation before and after quantization, for
 * every image (inference mode). Holds all of it in memory: for many images or a large network
 * stream with {@link inspectBatches} instead.
 */
export function inspect(net: Network, set: LabeledImages, batchSize = 100): { input: Float32Array; layers: LayerArrays[] } {
  const parts: Float32Array[][][] = net.layers.map(() => [[], [], []]);
  let shapes: number[][][] = [];
  let weights: { wc: Float32Array; wb: Float32Array; wcShape: number[]; wbShape: number[] }[] = [];
  inspectBatches(net, set, batchSize, (traces) => {
    if (weights.length === 0) {
      weights = traces.map((t) => ({ wc: t.wc.dataSync() as Float32Array, wb: t.wb.dataSync() as Float32Array, wcShape: t.wc.shape, wbShape: t.wb.shape }));
      shapes = traces.map((t) => [t.input.shape, t.preAct.shape, t.postAct.shape]);
    }
    traces.forEach((t, i) => {
      parts[i][0].push(t.input.dataSync() as Float32Array);
      parts[i][1].push(t.preAct.dataSync() as Float32Array);
      parts[i][2].push(t.postAct.dataSync() as Float32Array);
    });
  });
  const withCount = (shape: number[]) => [set.count, ...shape.slice(1)];
  const layers = net.layers.map((l, i): LayerArrays => ({
    name: l.name,
    kind: l.kind,
    wc: { values: weights[i].wc, shape: weights[i].wcShape },
    wb: { values: weights[i].wb, shape: weights[i].wbShape },
    input: { values: concat(parts[i][0]), shape: withCount(shapes[i][0]) },
    preAct: { values: concat(parts[i][1]), shape: withCount(shapes[i][1]) },
    postAct: { values: concat(parts[i][2]), shape: withCount(shapes[i][2]) },
  }));
  const [h, w, c] = set.shape;
  return { input: set.images.slice(0, set.count * h * w * c), layers };
}

/** Calls fn with every layer's tensors for each batch; the tensors are disposed after fn returns. */
export function inspectBatches(
  net: Network,
  set: LabeledImages,
  batchSize: number,
  fn: (traces: LayerTrace[], start: number, end: number) => void,
): void {
  checkImageShape(set, net.config.inputShape, 'inspect');
  forEachBatch(set.count, batchSize, (start, end) => {
    const traces: LayerTrace[] = [];
    const x = imageBatch(set, start, end);
    try {
      forward(net, x, 'infer', traces).dispose();
      fn(traces, start, end);
    } finally {
      disposeTraces(traces);
      x.dispose();
    }
  });
}

function concat(chunks: Float32Array[]): Float32Array {
  const out = new Float32Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}
