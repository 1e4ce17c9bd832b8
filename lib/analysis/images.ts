/** Choosing the images an analysis runs on. */
import { LabeledImages } from '../model/batches';

/**
 * The first `n` images of a set, the pixels as a view (no copy): the original gen_plots.ipynb analysed
 * `test_data[0:n_imgs]`.
 */
export function leadingImages(set: LabeledImages, n: number, where: string): LabeledImages {
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(`${where}: images = ${n}; pass a positive integer number of images, e.g. 500.`);
  }
  if (n > set.count) {
    throw new Error(`${where}: asked for ${n} images but the set has only ${set.count}; pass images: ${set.count} or a larger set.`);
  }
  const [h, w, c] = set.shape;
  const size = h * w * c;
  return {
    images: set.images.subarray(0, n * size),
    labels: Int32Array.from({ length: n }, (_, i) => set.labels[i]),
    count: n,
    shape: set.shape,
  };
}

/** Checks a batch size is a positive integer. */
export function checkBatchSize(batchSize: number, where: string): void {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new Error(`${where}: batchSize = ${batchSize}; pass a positive integer such as 50.`);
  }
}
