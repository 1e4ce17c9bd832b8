/** Labeled image sets as typed arrays, and the batched iteration the network runs on them. */
import * as tf from '@tensorflow/tfjs';

/** N images in NHWC order with their class labels (the data loader's split format). */
export interface LabeledImages {
  images: Float32Array;
  labels: ArrayLike<number>;
  count: number;
  shape: readonly [number, number, number];
}

/** Images [start, end) as a tensor: a view of the typed array, so no extra copy in JS. */
export function imageBatch(set: LabeledImages, start: number, end: number): tf.Tensor4D {
  const [h, w, c] = set.shape;
  const size = h * w * c;
  return tf.tensor4d(set.images.subarray(start * size, end * size), [end - start, h, w, c]);
}

/** Images at the given indices (a shuffled batch), gathered into one tensor. */
export function gatherImageBatch(set: LabeledImages, indices: ArrayLike<number>, scratch: Float32Array): tf.Tensor4D {
  const [h, w, c] = set.shape;
  const size = h * w * c;
  const n = indices.length;
  const out = scratch.subarray(0, n * size);
  for (let i = 0; i < n; i++) {
    const j = indices[i];
    out.set(set.images.subarray(j * size, (j + 1) * size), i * size);
  }
  return tf.tensor4d(out, [n, h, w, c]);
}

/** Checks labels are integers in [0, classes); names the first bad one. */
export function checkLabels(set: LabeledImages, classes: number, what: string): void {
  if (set.labels.length < set.count) {
    throw new Error(`${what}: ${set.count} images but only ${set.labels.length} labels.`);
  }
  for (let i = 0; i < set.count; i++) {
    const y = set.labels[i];
    if (!Number.isInteger(y) || y < 0 || y >= classes) {
      throw new Error(`${what}: label ${y} at index ${i} is out of range; labels must be integers in [0, ${classes - 1}].`);
    }
  }
}

/** Checks every pixel is a finite number (NaN inputs would silently poison binarized layers). */
export function checkFinite(set: LabeledImages, what: string): void {
  const [h, w, c] = set.shape;
  const size = h * w * c;
  const n = set.count * size;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(set.images[i])) {
      throw new Error(`${what}: image ${Math.floor(i / size)} has a non-finite pixel (${set.images[i]}) at offset ${i % size}; clean or re-download the data.`);
    }
  }
}

/** Checks the image shape matches the network's input. */
export function checkImageShape(set: LabeledImages, inputShape: readonly number[], what: string): void {
  if (set.shape.some((v, i) => v !== inputShape[i])) {
    throw new Error(
      `${what}: images are ${set.shape.join('×')} but the network expects ${inputShape.join('×')}; check the dataset or the config's inputShape.`,
    );
  }
  const size = set.shape[0] * set.shape[1] * set.shape[2];
  if (set.images.length < set.count * size) {
    throw new Error(`${what}: ${set.count} images of ${size} values need ${set.count * size} values, got ${set.images.length}.`);
  }
}

/** Calls fn on consecutive batches [start, end) covering `count` items. */
export function forEachBatch(count: number, batchSize: number, fn: (start: number, end: number) => void): void {
  for (let start = 0; start < count; start += batchSize) fn(start, Math.min(count, start + batchSize));
}
