/**
 * Accuracy impact of quantized weights (gen_plots.ipynb, "Look at impact of binarization of weights
 * on network performance"), done right: for each variant — no layer, each conv layer alone, all
 * conv layers using W^c instead of W^b — the batch-norm statistics are re-estimated on training
 * images before scoring, which the original skipped (its cell asserts "Broken, need to refit batch
 * norm weights"). The all-quantized network is re-estimated too, so every row compares like with like.
 */
import { LabeledImages } from '../model/batches';
import { classify } from '../model/evaluate';
import { Network } from '../model/network';
import { checkBatchSize } from './images';
import { reestimateBatchNorm } from './batch-norm';
import type { ProgressCallback } from '../display/progress';
import { withUnquantizedWeights } from './variant';

export interface UnquantizedWeightsScore {
  /** 'none', a conv layer's name, or 'all conv'. */
  label: string;
  /** Conv layers that use W^c instead of W^b. */
  unquantized: string[];
  /** Test accuracy after re-estimating batch norm. */
  accuracy: number;
  /**
   * Standard error of accuracy − the 'none' row's accuracy, paired over the same test images:
   * √(var(c_i − b_i)/n) for c_i, b_i = 1 when image i is classified correctly (0 for 'none').
   */
  differenceSe: number;
}

export interface QuantizationImpact {
  /** Test accuracy of the network as stored (its own batch-norm statistics). */
  storedAccuracy: number;
  rows: UnquantizedWeightsScore[];
  trainImages: number;
  testImages: number;
}

export interface QuantizationImpactOptions {
  /** Images whose population statistics replace the batch-norm statistics (training images). */
  train: LabeledImages;
  /** Images to score on. */
  test: LabeledImages;
  batchSize?: number;
  onProgress?: ProgressCallback;
}

function mean(values: ArrayLike<number>): number {
  return Array.from(values).reduce((sum, v) => sum + v, 0) / values.length;
}

function accuracy(net: Network, set: LabeledImages, batchSize: number): number {
  return mean(classify(net, set, batchSize));
}

/** Standard error of mean(correct − baseline) over the images. */
function pairedDifferenceSe(correct: Uint8Array, baseline: Uint8Array): number {
  const differences = Array.from(correct, (c, i) => c - baseline[i]);
  const m = mean(differences);
  return Math.sqrt((mean(differences.map((d) => d * d)) - m * m) / differences.length);
}

/** Scores the network with W^c in no layer, in each conv layer alone and in all of them (see the module comment). */
export async function weightQuantizationImpact(net: Network, options: QuantizationImpactOptions): Promise<QuantizationImpact> {
  const { train, test, batchSize = 100, onProgress } = options;
  checkBatchSize(batchSize, 'weightQuantizationImpact');
  const convNames = net.layers.filter((l) => l.kind === 'conv').map((l) => l.name);
  const variants: [string, string[]][] = [['none', []], ...convNames.map((n): [string, string[]] => [n, [n]]), ['all conv', convNames]];
  const rows: UnquantizedWeightsScore[] = [];
  let baseline: Uint8Array | undefined;
  for (const [label, unquantized] of variants) {
    const variant = withUnquantizedWeights(net, unquantized);
    try {
      await reestimateBatchNorm(variant.net, train, { batchSize, onProgress, stage: `batch norm (W^c in: ${label})` });
      const correct = classify(variant.net, test, batchSize);
      baseline ??= correct;
      rows.push({ label, unquantized, accuracy: mean(correct), differenceSe: pairedDifferenceSe(correct, baseline) });
    } finally {
      variant.dispose();
    }
  }
  return { storedAccuracy: accuracy(net, test, batchSize), rows, trainImages: train.count, testImages: test.count };
}
