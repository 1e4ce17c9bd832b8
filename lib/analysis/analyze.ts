/**
 * Everything gen_plots.ipynb computes for a trained network, in one call: dot-product comparisons
 * (weight binarization, activation binarization, permutation control), filter angles and their
 * spread, latent-weight distributions, and optionally the accuracy impact of full-precision weights.
 * Memory stays bounded: activations are streamed batch by batch into histograms and sums.
 */
import { NetworkConfig } from '../model/config';
import { LabeledImages, checkImageShape } from '../model/batches';
import { classify } from '../model/evaluate';
import { Network } from '../model/network';
import type { ProgressCallback } from '../display/progress';
import { yieldToEventLoop } from '../util/yield';
import { AngleSpread, LayerAngles, angleSpread, weightAngles } from './angles';
import { DEFAULT_ANALYSIS_BATCH_SIZE, DEFAULT_ANALYSIS_IMAGES, DotProductComparison, compareDotProducts } from './dot-products';
import { leadingImages } from './images';
import { LayerSummaryRow, layerSummary } from './layer-summary';
import { QuantizationImpact, weightQuantizationImpact } from './quantization-impact';
import { WeightDistribution, weightDistributions } from './weight-distributions';

export interface AnalysisOptions {
  /** How many of the test set's first images to analyse (default 500, as gen_plots). */
  images?: number;
  /** Images per batch (default 50). */
  batchSize?: number;
  /** Seeds the permutation control (default 0). */
  seed?: number;
  /** Training images for re-estimating batch norm in the accuracy-impact experiment; skipped without them. */
  trainImagesForBatchNorm?: LabeledImages;
  onProgress?: ProgressCallback;
}

export interface NetworkAnalysis {
  config: NetworkConfig;
  /** Test images analysed. */
  images: number;
  seed: number;
  /** Accuracy of the network as stored on those images. */
  testAccuracy: number;
  /** Conv layer names, in order. */
  layers: string[];
  weightBinarization: DotProductComparison[];
  /** From the second conv layer on. */
  activationBinarization: DotProductComparison[];
  permutationControl: DotProductComparison[];
  angles: LayerAngles[];
  angleSpread: AngleSpread;
  weightDistributions: WeightDistribution[];
  /** null when no trainImagesForBatchNorm were given. */
  quantizationImpact: QuantizationImpact | null;
  layerSummary: LayerSummaryRow[];
}

/** Runs every analysis of gen_plots.ipynb on `net` and the first `options.images` test images. */
export async function analyzeNetwork(net: Network, testImages: LabeledImages, options: AnalysisOptions = {}): Promise<NetworkAnalysis> {
  const { images = DEFAULT_ANALYSIS_IMAGES, batchSize = DEFAULT_ANALYSIS_BATCH_SIZE, seed = 0, trainImagesForBatchNorm, onProgress } = options;
  checkImageShape(testImages, net.config.inputShape, 'analyzeNetwork');
  const test = leadingImages(testImages, images, 'analyzeNetwork');

  onProgress?.({ stage: 'weights', done: 0, total: 1 });
  await yieldToEventLoop();
  const angles = weightAngles(net);
  const distributions = weightDistributions(net);
  onProgress?.({ stage: 'weights', done: 1, total: 1 });

  const dots = await compareDotProducts(net, test, ['weights', 'activations', 'permuted'], { images, batchSize, seed, onProgress });
  const weights = dots.weights ?? [];
  const correct = classify(net, test, batchSize);
  const impact = trainImagesForBatchNorm
    ? await weightQuantizationImpact(net, { train: trainImagesForBatchNorm, test, batchSize, onProgress })
    : null;
  return {
    config: net.config,
    images,
    seed,
    testAccuracy: correct.reduce((n, c) => n + c, 0) / test.count,
    layers: angles.map((a) => a.layer),
    weightBinarization: weights,
    activationBinarization: dots.activations ?? [],
    permutationControl: dots.permuted ?? [],
    angles,
    angleSpread: angleSpread(angles),
    weightDistributions: distributions,
    quantizationImpact: impact,
    layerSummary: layerSummary(weights, angles),
  };
}
