/**
 * Angles between each conv filter's quantized and latent weights, ∠(W^b, W^c) with d = k·k·C_in
 * (gen_plots.ipynb "Angle Plots", plotting.angle_plot / stddev_angles), against the theory of
 * Anderson & Berg (2018, §3): for Gaussian weights the angle tends to arccos √(2/π) ≈ 37° under
 * binarization, and its spread shrinks as C/√d.
 */
import { NetworkConfig } from '../model/config';
import { Network } from '../model/network';
import { arange } from '../stats/grid';
import { gaussianKde, kdePeakStandardError, peak } from '../stats/kde';
import { normalPdf } from '../stats/normal';
import { LinearFit, linearRegression } from '../stats/regression';
import { mean, standardDeviation } from '../stats/summary';
import { meanStandardError, slopeStandardError, standardDeviationStandardError } from '../stats/standard-error';
import { angle } from '../hd/vectors';
import { BINARY_ANGLE_SPREAD_CONSTANT, BINARY_LIMIT_ANGLE } from '../hd/theory-binary';
import { ternaryAngleSpreadConstant, ternaryLimitAngle } from '../hd/theory-ternary';
import { empiricalMoments, fitGeneralizedNormalShape, marginalAngle, marginalKurtosis, marginalLimitCosine } from '../hd/theory-marginal';
import { convLayerIndices, layerWeightValues } from './layers';

/** Kernel width (radians) of the angle densities (plotting.angle_plot: `kde_scipy(angles, x_grid, bandwidth=0.01)`). */
export const ANGLE_KDE_WIDTH = 0.01;
/** Step of the density grid over [0, π) (angle_plot: `np.arange(0, np.pi, 0.005)`). */
export const ANGLE_GRID_STEP = 0.005;
/**
 * Step of the grid on [0, π/2) whose KDE argmax is the peak angle (gen_plots "Angles corresponding
 * to the peaks": `np.arange(0, np.pi/2., 0.001)`). W^b·W^c = Σ|w| over the kept weights is ≥ 0, so
 * no angle exceeds π/2.
 */
export const ANGLE_PEAK_GRID_STEP = 0.001;

/**
 * What a binary layer's own weights predict for its filter angles, without the Gaussian assumption:
 * the angle of i.i.d. weights with the layer's marginal (lib/hd/theory-marginal.ts) at its d.
 */
export interface WeightShapePrediction {
  /** E w⁴/(E w²)² of the latent weights: 3 for Gaussian weights, 1.8 uniform, 6 Laplace. */
  kurtosis: number;
  /** The generalised-normal shape β with the same E|w|/rms (Infinity: flatter than uniform). */
  shape: number;
  /** Mean angle (radians) of i.i.d. weights with this marginal at the layer's d, and its sd. */
  angle: number;
  sd: number;
  /** N(angle, sd²) smoothed by the KDE's kernel on the layer's grid: the density the angles show on average if the weights' shape explains them. */
  density: Float64Array;
}

/** The prediction for binary weights; null where the layer's weights are ternary or full precision. */
function weightShapePrediction(
  config: NetworkConfig, quantizesWeights: boolean, latent: ArrayLike<number>, d: number, grid: Float64Array,
): WeightShapePrediction | null {
  if (!quantizesWeights || config.levels !== 2) return null;
  const moments = empiricalMoments(latent);
  const { mean: predicted, sd } = marginalAngle(moments, d);
  return {
    kurtosis: marginalKurtosis(moments), shape: fitGeneralizedNormalShape(marginalLimitCosine(moments)), angle: predicted, sd,
    density: smoothedNormalLaw(grid, predicted, sd),
  };
}

export interface AngleTheory {
  /** Limiting angle (radians) for Gaussian latent weights: arccos √(2/π) (binary) or the ternary closed form at t/σ. */
  angle: number;
  /** C in sd(angle) ≈ C/√d. */
  spreadConstant: number;
  /** Ternary threshold in units of σ (the layer's latent-weight sd); null for binary. */
  thresholdOverSigma: number | null;
}

export interface LayerAngles {
  layer: string;
  /** Filter dimension k·k·C_in. */
  d: number;
  /** Output filters (C_out). */
  filters: number;
  /** ∠(W^b_j, W^c_j) in radians for each filter j whose W^b and W^c are both non-zero. */
  angles: Float64Array;
  /** Filters left out because W^b (all weights ternarized to 0) or W^c is the zero vector. */
  zeroFilters: number;
  /** KDE of the angles on [0, π) in steps of ANGLE_GRID_STEP. */
  grid: Float64Array;
  density: Float64Array;
  /** The KDE's argmax (radians). */
  peak: number;
  /** Bootstrap standard error of the peak over the filters (NaN for a single filter). */
  peakSe: number;
  mean: number;
  /** Standard error of the mean, s/√filters (NaN for a single filter). */
  meanSe: number;
  /** Population standard deviation of the angles (numpy's std). */
  sd: number;
  /** Standard error of sd (NaN with fewer than four filters or no spread). */
  sdSe: number;
  /** Standard deviation of the layer's latent weights (σ of the ternary theory). */
  latentSd: number;
  theory: AngleTheory;
  /** theory.spreadConstant / √d. */
  theorySd: number;
  /**
   * The large-d law N(θ*, (C/√d)²) smoothed by the KDE's kernel, on `grid`: what `density` shows on
   * average under the theory. Null where the layer keeps full-precision weights (no angle to predict).
   */
  theoryDensity: Float64Array | null;
  /** What the layer's own weight marginal predicts (binary layers), where the theory assumes Gaussian weights. */
  weightShape: WeightShapePrediction | null;
}

/**
 * The closed-form angle and spread constant for a layer: binary → arccos √(2/π) and
 * √((π−3)/(π−2)); ternary → the closed forms at threshold/σ, σ the measured sd of the layer's
 * latent weights; full-precision weights → 0 and 0.
 */
export function angleTheory(config: NetworkConfig, quantizesWeights: boolean, latentSd: number): AngleTheory {
  if (!quantizesWeights) return { angle: 0, spreadConstant: 0, thresholdOverSigma: null };
  if (config.levels === 2) return { angle: BINARY_LIMIT_ANGLE, spreadConstant: BINARY_ANGLE_SPREAD_CONSTANT, thresholdOverSigma: null };
  const t = config.threshold / latentSd;
  return { angle: ternaryLimitAngle(t), spreadConstant: ternaryAngleSpreadConstant(t), thresholdOverSigma: t };
}

/**
 * ∠(quantized_j, latent_j) for each output j of weights laid out with the output index last
 * ([k, k, C_in, C_out] flattened). Filters where either vector is zero have no angle and are
 * counted instead.
 */
export function filterAngles(latent: ArrayLike<number>, quantized: ArrayLike<number>, outputs: number): { angles: Float64Array; zeroFilters: number } {
  if (latent.length !== quantized.length || latent.length % outputs !== 0) {
    throw new Error(`filterAngles: ${latent.length} latent and ${quantized.length} quantized weights do not split into ${outputs} filters.`);
  }
  const d = latent.length / outputs;
  const c = new Float64Array(d);
  const b = new Float64Array(d);
  const angles: number[] = [];
  let zeroFilters = 0;
  for (let j = 0; j < outputs; j++) {
    let cc = 0;
    let bb = 0;
    for (let i = 0; i < d; i++) {
      c[i] = latent[i * outputs + j];
      b[i] = quantized[i * outputs + j];
      cc += c[i] * c[i];
      bb += b[i] * b[i];
    }
    if (cc === 0 || bb === 0) zeroFilters++;
    else angles.push(angle(b, c));
  }
  return { angles: Float64Array.from(angles), zeroFilters };
}

/**
 * KDE of angles (kernel width ANGLE_KDE_WIDTH) on [0, π) in steps of ANGLE_GRID_STEP, and its argmax
 * on the finer peak grid, as gen_plots.ipynb computes them.
 */
export function angleDensity(angles: ArrayLike<number>): { grid: Float64Array; density: Float64Array; peak: number } {
  const kde = gaussianKde(angles, { width: ANGLE_KDE_WIDTH });
  const grid = arange(0, Math.PI, ANGLE_GRID_STEP);
  const peakGrid = arange(0, Math.PI / 2, ANGLE_PEAK_GRID_STEP);
  return { grid, density: kde.evaluate(grid), peak: peak(peakGrid, kde.evaluate(peakGrid)).x };
}

/** Standard errors of a layer's angle statistics (the peak at `peakAt`); NaN where the filters are too few to have one. */
function angleStandardErrors(angles: Float64Array, peakAt: number): { peakSe: number; meanSe: number; sdSe: number } {
  if (angles.length < 2) return { peakSe: NaN, meanSe: NaN, sdSe: NaN };
  const spread = standardDeviation(angles) > 0;
  return {
    peakSe: kdePeakStandardError(angles, ANGLE_KDE_WIDTH, peakAt, ANGLE_PEAK_GRID_STEP),
    meanSe: meanStandardError(angles),
    sdSe: angles.length >= 4 && spread ? standardDeviationStandardError(angles) : NaN,
  };
}

/** A normal law N(μ, σ²) as a Gaussian KDE of width ANGLE_KDE_WIDTH shows it on average: N(μ, σ² + h²). */
function smoothedNormalLaw(grid: Float64Array, mu: number, sd: number): Float64Array {
  const width = Math.hypot(sd, ANGLE_KDE_WIDTH);
  return grid.map((x) => normalPdf(x, mu, width));
}

/** Angle figure data for every conv layer: all angles, their KDE, peak, mean, sd, and the theory. */
export function weightAngles(net: Network): LayerAngles[] {
  return convLayerIndices(net).map((index) => {
    const layer = net.layers[index];
    const { latent, quantized, shape } = layerWeightValues(net, layer);
    const filters = shape[shape.length - 1];
    const d = latent.length / filters;
    const { angles, zeroFilters } = filterAngles(latent, quantized, filters);
    if (angles.length === 0) {
      throw new Error(latent.every((w) => w === 0)
        ? `weightAngles: every latent weight of ${layer.name} is zero, so no filter has an angle, a kurtosis or a spread; load a trained or initialised network.`
        : `weightAngles: every filter of ${layer.name} has zero quantized weights; lower the ternary threshold (now ${net.config.threshold}).`);
    }
    const { grid, density, peak: layerPeak } = angleDensity(angles);
    const latentSd = standardDeviation(latent);
    const theory = angleTheory(net.config, layer.quantizeWeights, latentSd);
    const theorySd = theory.spreadConstant / Math.sqrt(d);
    return {
      layer: layer.name, d, filters, angles, zeroFilters, grid, density,
      peak: layerPeak, mean: mean(angles), sd: standardDeviation(angles), ...angleStandardErrors(angles, layerPeak),
      latentSd, theory, theorySd, theoryDensity: theory.angle > 0 ? smoothedNormalLaw(grid, theory.angle, theorySd) : null,
      weightShape: weightShapePrediction(net.config, layer.quantizeWeights, latent, d, grid),
    };
  });
}

export interface AngleSpread {
  /** Layers with a positive spread (log defined), in order. */
  layers: string[];
  d: Float64Array;
  sd: Float64Array;
  /** C/√d of each layer (the d^(−1/2) law with the closed-form constant). */
  theorySd: Float64Array;
  /** Least-squares line ln sd = slope·ln d + intercept (slope −½ under the law); null with fewer than two distinct d. */
  fit: LinearFit | null;
  /** Standard error of fit.slope from each layer's sd error (NaN where a layer's sd has none); null without a fit. */
  slopeSe: number | null;
}

/** Spread of the angles against d across layers, for the log–log figure (natural logs, as the original). */
export function angleSpread(layers: readonly LayerAngles[]): AngleSpread {
  const kept = layers.filter((l) => l.sd > 0);
  const d = Float64Array.from(kept, (l) => l.d);
  const sd = Float64Array.from(kept, (l) => l.sd);
  const logD = d.map(Math.log);
  const logSd = sd.map(Math.log);
  const fitted = new Set(d).size >= 2;
  return {
    layers: kept.map((l) => l.layer),
    d,
    sd,
    theorySd: Float64Array.from(kept, (l) => l.theorySd),
    fit: fitted ? linearRegression(logD, logSd) : null,
    slopeSe: fitted ? slopeStandardError(logD, Float64Array.from(kept, (l) => l.sdSe / l.sd)) : null,
  };
}
