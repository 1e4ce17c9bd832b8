/** Small seeded data sets for tests. */
import { Dataset } from '../../lib/data';
import { LabeledImages } from '../../lib/model/batches';
import { createRng } from '../../lib/stats/random';

/** n images of N(0, 1) noise with uniform random labels (nothing to learn: the original's bnn_test data). */
export function randomImages(n: number, shape: [number, number, number] = [28, 28, 1], classes = 10, seed = 1): LabeledImages {
  const rng = createRng(seed);
  const size = shape[0] * shape[1] * shape[2];
  const images = new Float32Array(n * size);
  for (let i = 0; i < images.length; i++) images[i] = rng.normal();
  const labels = Int32Array.from({ length: n }, () => rng.int(classes));
  return { images, labels, count: n, shape };
}

/**
 * A learnable 2-class problem: label 1 when the top half of the image is brighter than the bottom
 * half (noise plus a ±0.5 offset between the halves).
 */
export function brightHalfImages(n: number, seed = 2): LabeledImages {
  const rng = createRng(seed);
  const [h, w] = [12, 12];
  const images = new Float32Array(n * h * w);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = rng.int(2);
    for (let p = 0; p < h * w; p++) {
      const top = p < (h * w) / 2;
      images[i * h * w + p] = rng.normal() + (top === (labels[i] === 1) ? 0.5 : -0.5);
    }
  }
  return { images, labels, count: n, shape: [h, w, 1] };
}

/** A 10-class data set of N(0, 1) images in the shape loadDataset returns: train, validation and test of `n` each. */
export function syntheticDataset(n = 60, shape: [number, number, number] = [12, 12, 1]): Dataset {
  const split = (seed: number) => {
    const set = randomImages(n, shape, 10, seed);
    return { ...set, labels: Int32Array.from(set.labels) };
  };
  return {
    name: 'synthetic', train: split(1), validation: split(2), test: split(3),
    classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], sources: { dataset: 'synthetic', files: [], rejected: [] },
  };
}
