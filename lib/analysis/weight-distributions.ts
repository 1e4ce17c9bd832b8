/**
 * Distributions of the latent weights W^c per conv layer (gen_plots.ipynb: the weight histogram
 * figure, the printed standard deviations and "Proportion of weight values by layer").
 */
import { Network } from '../model/network';
import { arange } from '../stats/grid';
import { mean, standardDeviation } from '../stats/summary';
import { binnedKdeDensity } from '../stats/binned-kde';
import { convLayerIndices, layerWeightValues } from './layers';

/** Kernel width of the weight densities (plotting.weight_dist: `kde_scipy(w, x_grid, bandwidth=.1)`). */
export const WEIGHT_KDE_WIDTH = 0.1;
/** Step of the weight grid over [−1, 1) (weight_dist: `np.arange(-1, 1, 0.02)`); training clips weights to [−1, 1]. */
export const WEIGHT_GRID_STEP = 0.02;

export interface WeightDistribution {
  layer: string;
  /** Number of latent weights (all of them; the original's figure used the first 10 000). */
  count: number;
  mean: number;
  /** Population standard deviation (numpy's std) of the latent weights. */
  sd: number;
  /** KDE of the latent weights on [−1, 1) in steps of WEIGHT_GRID_STEP (binned: see binnedKdeDensity). */
  grid: Float64Array;
  density: Float64Array;
  /** The quantized levels, [−1, 1] or [−1, 0, 1]; null when the layer keeps full-precision weights. */
  levels: number[] | null;
  /** Fraction of W^b at each level; null when the layer keeps full-precision weights. */
  proportions: number[] | null;
}

/** Fraction of values equal to each level. */
export function levelProportions(values: ArrayLike<number>, levels: readonly number[]): number[] {
  const counts = levels.map(() => 0);
  for (let i = 0; i < values.length; i++) {
    const k = levels.indexOf(values[i]);
    if (k < 0) throw new Error(`levelProportions: value ${values[i]} at index ${i} is not one of the levels ${levels.join(', ')}.`);
    counts[k]++;
  }
  return counts.map((c) => c / values.length);
}

/** Latent-weight density, mean, sd and quantized-level proportions of every conv layer. */
export function weightDistributions(net: Network): WeightDistribution[] {
  const levels = net.config.levels === 2 ? [-1, 1] : [-1, 0, 1];
  const grid = arange(-1, 1, WEIGHT_GRID_STEP);
  return convLayerIndices(net).map((index) => {
    const layer = net.layers[index];
    const { latent, quantized } = layerWeightValues(net, layer);
    return {
      layer: layer.name,
      count: latent.length,
      mean: mean(latent),
      sd: standardDeviation(latent),
      grid,
      density: binnedKdeDensity(latent, WEIGHT_KDE_WIDTH, grid),
      levels: layer.quantizeWeights ? levels : null,
      proportions: layer.quantizeWeights ? levelProportions(quantized, levels) : null,
    };
  });
}
