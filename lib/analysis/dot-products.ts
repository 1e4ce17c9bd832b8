/**
 * The dot-product figures of gen_plots.ipynb, streamed over batches. For each conv layer, every
 * filter's dot product with every input patch — conv2d(A, W, stride 1, 'same'), before pooling and
 * batch norm — is computed two ways and the two compared:
 * - 'weights' (weight binarization, the "weight_bin" figure): A·W^b against A·W^c, where A is the
 *   layer's input: the raw image for the first layer, the previous layer's quantized activations after;
 * - 'activations' (activation binarization, "activ_bin", second layer on): A^c·W^b against A^b·W^b,
 *   A^c being the previous layer's output after its max-pool and batch norm but before quantization
 *   and A^b its quantized version (the original's pre_bin_act / post_bin_act, both after the pool);
 * - 'permuted' (the control, "weight_random_perm_bin"): 'weights' with A's values randomly permuted.
 *   The original permuted all values of all images at once; here each batch's values (all its images,
 *   positions and channels) are permuted, which keeps memory bounded and samples the same marginal.
 * Two passes over the images: the first finds each comparison's ranges and regression, the second
 * fills 50×50 histograms from min to max, as matplotlib's hist2d does.
 */
import * as tf from '@tensorflow/tfjs';
import { LabeledImages, checkImageShape, imageBatch } from '../model/batches';
import { LayerTrace, Network, disposeTraces, forward } from '../model/network';
import { Rng, createRng, shuffleInPlace } from '../stats/random';
import { Histogram2D, createHistogram2d } from '../stats/histogram';
import type { ProgressCallback } from '../display/progress';
import { yieldToEventLoop } from '../util/yield';
import { checkBatchSize, leadingImages } from './images';
import { convDotProducts, convLayerIndices } from './layers';
import { DOT_PRODUCT_BINS, PairAccumulator, PairSummary, createPairAccumulator, histogramEdges } from './pair-summary';

export type ComparisonKind = 'weights' | 'activations' | 'permuted';
export const COMPARISON_KINDS: readonly ComparisonKind[] = ['weights', 'activations', 'permuted'];

/** Test images analysed by default (gen_plots.ipynb: `n_imgs = 500`). */
export const DEFAULT_ANALYSIS_IMAGES = 500;
export const DEFAULT_ANALYSIS_BATCH_SIZE = 50;

/** The dot products computed per layer: A the input, Ac its continuous version, Aperm its permutation. */
type Product = 'A·Wb' | 'A·Wc' | 'Ac·Wb' | 'Aperm·Wb' | 'Aperm·Wc';

const COMPARISONS: Record<ComparisonKind, { x: Product; y: Product; firstConvLayer: number }> = {
  weights: { x: 'A·Wb', y: 'A·Wc', firstConvLayer: 0 },
  activations: { x: 'Ac·Wb', y: 'A·Wb', firstConvLayer: 1 },
  permuted: { x: 'Aperm·Wb', y: 'Aperm·Wc', firstConvLayer: 0 },
};

export interface DotProductHistogram {
  /** DOT_PRODUCT_BINS + 1 edges from the smallest x to the largest. */
  xEdges: Float64Array;
  yEdges: Float64Array;
  /** Counts, row-major: counts[i · bins + j] for x bin i and y bin j. */
  counts: Float64Array;
}

export interface DotProductComparison {
  layer: string;
  kind: ComparisonKind;
  /** The horizontal quantity: 'A·Wb', 'Ac·Wb' or 'Aperm·Wb' (A the layer input, Ac before quantization, Aperm permuted). */
  x: string;
  /** The vertical quantity: 'A·Wc', 'A·Wb' or 'Aperm·Wc'. */
  y: string;
  /** Dot products compared: images × output positions (before pooling) × filters; the histogram's total. */
  count: number;
  /** Pearson correlation of x and y. */
  r: number;
  /** Standard error of r, by batch means over the batches of images (NaN with a single batch). */
  rSe: number;
  /** Least-squares line y ≈ slope·x + intercept. */
  slope: number;
  /** Standard error of slope, as rSe. */
  slopeSe: number;
  intercept: number;
  /** Fraction of pairs with opposite signs (x·y < 0). */
  signDisagreement: number;
  histogram: DotProductHistogram;
}

export type DotProductComparisons = Partial<Record<ComparisonKind, DotProductComparison[]>>;

export interface DotProductOptions {
  /** How many of the set's first images to use (default 500). */
  images?: number;
  batchSize?: number;
  /** Seeds the permutation control (default 0). */
  seed?: number;
  onProgress?: ProgressCallback;
}

/** A tensor of `a`'s shape holding its values in a uniformly random order (seeded Fisher–Yates). */
export function permuteValues(a: tf.Tensor, rng: Rng): tf.Tensor {
  const values = a.dataSync();
  const order = new Int32Array(values.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  shuffleInPlace(rng, order);
  const out = new Float32Array(values.length);
  for (let i = 0; i < out.length; i++) out[i] = values[order[i]];
  return tf.tensor(out, a.shape);
}

/** The dot products of one conv layer for one batch, computed on first use and downloaded. */
function layerProducts(traces: LayerTrace[], layer: number, rng: Rng): { values(p: Product): Float32Array; dispose(): void } {
  const t = traces[layer];
  let permuted: tf.Tensor | undefined;
  const permutedInput = (): tf.Tensor => (permuted ??= permuteValues(t.input, rng));
  const operands: Record<Product, () => [tf.Tensor, tf.Tensor]> = {
    'A·Wb': () => [t.input, t.wb],
    'A·Wc': () => [t.input, t.wc],
    'Ac·Wb': () => [traces[layer - 1].preAct, t.wb],
    'Aperm·Wb': () => [permutedInput(), t.wb],
    'Aperm·Wc': () => [permutedInput(), t.wc],
  };
  const downloaded = new Map<Product, Float32Array>();
  return {
    values(p) {
      let v = downloaded.get(p);
      if (!v) {
        const z = convDotProducts(...operands[p]());
        v = z.dataSync() as Float32Array;
        z.dispose();
        downloaded.set(p, v);
      }
      return v;
    },
    dispose: () => permuted?.dispose(),
  };
}

/** Runs the network on each batch and calls fn with every layer's tensors (disposed afterwards). */
async function forEachTracedBatch(
  net: Network, set: LabeledImages, batchSize: number, stage: string, onProgress: ProgressCallback | undefined,
  fn: (traces: LayerTrace[]) => void,
): Promise<void> {
  const total = Math.ceil(set.count / batchSize);
  for (let b = 0; b < total; b++) {
    const x = imageBatch(set, b * batchSize, Math.min(set.count, (b + 1) * batchSize));
    const traces: LayerTrace[] = [];
    try {
      forward(net, x, 'infer', traces).dispose();
      fn(traces);
    } finally {
      disposeTraces(traces);
      x.dispose();
    }
    onProgress?.({ stage, done: b + 1, total });
    await yieldToEventLoop();
  }
}

function comparisonResult(layer: string, kind: ComparisonKind, s: PairSummary, h: Histogram2D): DotProductComparison {
  if (h.total !== s.count) {
    throw new Error(
      `${layer} ${kind}: ${s.count - h.total} of ${s.count} dot products (${h.nan} NaN) fell outside the ranges of the first pass; ` +
        'the network produces NaN or the backend did not reproduce its results between passes.',
    );
  }
  const { x, y } = COMPARISONS[kind];
  return {
    layer, kind, x, y, count: s.count, r: s.fit.r, rSe: s.rSe, slope: s.fit.slope, slopeSe: s.slopeSe, intercept: s.fit.intercept,
    signDisagreement: s.disagreements / s.count,
    histogram: { xEdges: h.xEdges, yEdges: h.yEdges, counts: h.counts },
  };
}

/** One comparison on one conv layer, with what its two passes accumulate. */
interface Job {
  kind: ComparisonKind;
  layer: number;
  ranges: PairAccumulator;
  summary?: PairSummary;
  histogram?: Histogram2D;
}

/**
 * The requested comparisons (see the module comment) for every conv layer they apply to, over the
 * first `options.images` images of `set`, in one pair of passes however many kinds are asked for.
 */
export async function compareDotProducts(
  net: Network, set: LabeledImages, kinds: readonly ComparisonKind[], options: DotProductOptions = {},
): Promise<DotProductComparisons> {
  const { images = DEFAULT_ANALYSIS_IMAGES, batchSize = DEFAULT_ANALYSIS_BATCH_SIZE, seed = 0, onProgress } = options;
  if (kinds.length === 0 || kinds.some((k) => !COMPARISON_KINDS.includes(k))) {
    throw new Error(`compareDotProducts: kinds = ${JSON.stringify(kinds)}; pass some of ${COMPARISON_KINDS.join(', ')}.`);
  }
  checkBatchSize(batchSize, 'compareDotProducts');
  if (!Number.isInteger(seed)) throw new Error(`compareDotProducts: seed = ${seed}; pass an integer.`);
  checkImageShape(set, net.config.inputShape, 'compareDotProducts');
  const subset = leadingImages(set, images, 'compareDotProducts');
  const convs = convLayerIndices(net);
  // One job per (comparison, layer): its range pass fills `ranges`, then its histogram pass `histogram`.
  const jobs: Job[] = kinds.flatMap((kind) =>
    convs.slice(COMPARISONS[kind].firstConvLayer).map((layer) => ({ kind, layer, ranges: createPairAccumulator() })),
  );

  const pass = async (stage: string, add: (job: Job, xs: Float32Array, ys: Float32Array) => void): Promise<void> => {
    const root = createRng(seed); // the same permutations in both passes
    const rngs = convs.map(() => root.fork());
    await forEachTracedBatch(net, subset, batchSize, stage, onProgress, (traces) => {
      convs.forEach((layer, c) => {
        const products = layerProducts(traces, layer, rngs[c]);
        try {
          for (const job of jobs.filter((j) => j.layer === layer)) {
            add(job, products.values(COMPARISONS[job.kind].x), products.values(COMPARISONS[job.kind].y));
          }
        } finally {
          products.dispose();
        }
      });
    });
  };

  await pass('dot products: ranges', (job, xs, ys) => job.ranges.add(xs, ys));
  for (const job of jobs) {
    const s = (job.summary = job.ranges.summary(`${net.layers[job.layer].name} ${job.kind}`));
    job.histogram = createHistogram2d(histogramEdges(s.xMin, s.xMax, DOT_PRODUCT_BINS), histogramEdges(s.yMin, s.yMax, DOT_PRODUCT_BINS));
  }
  await pass('dot products: histograms', (job, xs, ys) => job.histogram!.add(xs, ys));

  const result: DotProductComparisons = {};
  for (const job of jobs) {
    (result[job.kind] ??= []).push(comparisonResult(net.layers[job.layer].name, job.kind, job.summary!, job.histogram!));
  }
  return result;
}
