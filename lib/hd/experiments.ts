/**
 * Seeded Monte-Carlo samplers, one per figure of the original hd_figures.ipynb (Anderson & Berg
 * 2018), plus the spread-versus-dimension experiment. Each returns its parameters and plain typed
 * arrays of angles (radians), ready for KDEs, medians and charts. Defaults are the original's
 * sample sizes; each dimension / length draws from its own forked stream of the seed.
 */
import { createRng, type Rng } from '../stats/random';
import { linearRegression, type LinearFit } from '../stats/regression';
import { mean, median, standardDeviation } from '../stats/summary';
import { standardDeviationStandardError } from '../stats/standard-error';
import { requireInteger, requireNonEmpty, requireNonNegative } from '../stats/validate';
import { randomRotation, rotatedBinarize } from './rotation';
import { exponentialCovarianceVector, gaussianVector, generalizedNormalVector, randomSignVector } from './sampling';
import { BINARY_ANGLE_SPREAD_CONSTANT } from './theory-binary';
import { ternaryAngleSpreadConstant, ternaryLimitAngle } from './theory-ternary';
import { EMPIRICAL_TERNARY_THRESHOLD } from '../paper-constants';
import { angle, binarize, norm, ternarizationAngles, ternarize } from './vectors';

/** Kernel width (radians) of every angle KDE in hd_figures.ipynb (`kde_scipy(x, grid, bandwidth=0.02)`). */
export const HD_FIGURE_KDE_WIDTH = 0.02;

/** Exponential-covariance rate used in hd_figures.ipynb's "Exponential Covariance" figure (k = 0.1). */
export const EXPONENTIAL_COVARIANCE_RATE = 0.1;

const DEFAULT_SEED = 0;

function checkCommon(where: string, samples: number, seed: number): void {
  requireInteger(where, 'samples', samples, 1);
  requireInteger(where, 'seed', seed, -(2 ** 31));
}

function checkSizes(where: string, name: string, sizes: readonly number[]): void {
  requireNonEmpty(where, name, sizes);
  for (const s of sizes) requireInteger(where, name, s, 1);
}

/**
 * One draw of ∠(u, v) for independent u, v ~ N(0, I_d). Given u, the direction of v is uniform, so
 * ∠(u, v) has the law of ∠(e₁, v) = arccos(v₁/||v||): sampling v alone gives the same
 * distribution for half the normals.
 */
function randomPairAngle(rng: Rng, d: number): number {
  const v = gaussianVector(rng, d);
  const length = norm(v);
  return length === 0 ? 0 : Math.acos(v[0] / length);
}

/** n samples of f(rng), as a Float64Array. */
function sampleAngles(rng: Rng, samples: number, f: (rng: Rng) => number): Float64Array {
  const out = new Float64Array(samples);
  for (let i = 0; i < samples; i++) out[i] = f(rng);
  return out;
}

export interface BinarizationAngles {
  d: number;
  /** ∠(u, v) for independent u, v ~ N(0, I_d). */
  pairAngles: Float64Array;
  /** ∠(u, sign u) for u ~ N(0, I_d). */
  selfAngles: Float64Array;
}

/** Figure "Binary Network Analysis": random-pair versus binarization angles (defaults d ∈ {3, 10, 27}, 10 000 samples). */
export function binarizationExperiment(
  options: { dims?: readonly number[]; samples?: number; seed?: number } = {},
): { samples: number; seed: number; byDimension: BinarizationAngles[] } {
  const { dims = [3, 10, 27], samples = 10000, seed = DEFAULT_SEED } = options;
  checkCommon('binarizationExperiment', samples, seed);
  checkSizes('binarizationExperiment', 'dims', dims);
  const root = createRng(seed);
  const byDimension = dims.map((d) => {
    const rng = root.fork();
    return {
      d,
      pairAngles: sampleAngles(rng, samples, (r) => randomPairAngle(r, d)),
      selfAngles: sampleAngles(rng, samples, (r) => {
        const u = gaussianVector(r, d);
        return angle(u, binarize(u));
      }),
    };
  });
  return { samples, seed, byDimension };
}

export interface ExponentialCovarianceAngles {
  d: number;
  /** ∠(u, θ(u)) with θ = sign, u ~ N(0, diag(exp(2k(i − d/2)))). */
  direct: Float64Array;
  /** ∠(u, θ_R(u)) with θ_R(u) = Rᵀ sign(R u), one Haar rotation R per dimension (as the original). */
  rotated: Float64Array;
}

/**
 * Figure "Exponential Covariance Matrix with and without Rotation" (defaults d ∈ {10, 100, 500},
 * 100 samples, k = 0.1): binarizing along the covariance's eigenbasis loses more angle than
 * binarizing in a random basis.
 */
export function exponentialCovarianceExperiment(
  options: { dims?: readonly number[]; samples?: number; k?: number; seed?: number } = {},
): { k: number; samples: number; seed: number; byDimension: ExponentialCovarianceAngles[] } {
  const { dims = [10, 100, 500], samples = 100, k = EXPONENTIAL_COVARIANCE_RATE, seed = DEFAULT_SEED } = options;
  checkCommon('exponentialCovarianceExperiment', samples, seed);
  checkSizes('exponentialCovarianceExperiment', 'dims', dims);
  const root = createRng(seed);
  const byDimension = dims.map((d) => {
    const rng = root.fork();
    const rotation = randomRotation(rng, d);
    const direct = new Float64Array(samples);
    const rotated = new Float64Array(samples);
    for (let i = 0; i < samples; i++) {
      const u = exponentialCovarianceVector(rng, d, k);
      direct[i] = angle(u, binarize(u));
      const w = exponentialCovarianceVector(rng, d, k);
      rotated[i] = angle(w, rotatedBinarize(rotation, w));
    }
    return { d, direct, rotated };
  });
  return { k, samples, seed, byDimension };
}

export interface TernaryThresholdAngles {
  threshold: number;
  /** ∠(u, sign(u)·1{|u| > threshold}) for u ~ N(0, I_d). */
  angles: Float64Array;
  /** Fraction of zero entries of each ternarized sample. */
  zeroFractions: Float64Array;
  /** Median of `angles` (the original's "Peak Angle vs Threshold" plots this). */
  medianAngle: number;
  /** The d → ∞ angle ternaryLimitAngle(threshold). */
  limitAngle: number;
}

/**
 * Figure "Higher Order Quantization" (defaults d = 1000, 10 000 samples, thresholds 0.01,
 * 0.02/0.18, 0.2, 0.3, 0.5 in σ units). Every threshold ternarizes the same Gaussian samples
 * (common random numbers: smoother curves across thresholds, a fifth of the cost); the random-pair
 * baseline does not depend on the threshold and is sampled once.
 */
export function ternaryExperiment(
  options: { d?: number; samples?: number; thresholds?: readonly number[]; seed?: number } = {},
): { d: number; samples: number; seed: number; pairAngles: Float64Array; byThreshold: TernaryThresholdAngles[] } {
  const {
    d = 1000,
    samples = 10000,
    thresholds = [0.01, EMPIRICAL_TERNARY_THRESHOLD, 0.2, 0.3, 0.5],
    seed = DEFAULT_SEED,
  } = options;
  checkCommon('ternaryExperiment', samples, seed);
  requireInteger('ternaryExperiment', 'd', d, 1);
  thresholds.forEach((t) => requireNonNegative('ternaryExperiment', 'threshold', t));
  const root = createRng(seed);
  const pairRng = root.fork();
  const pairAngles = sampleAngles(pairRng, samples, (r) => randomPairAngle(r, d));
  const { angles, zeroFractions } = ternarySamples(root.fork(), d, samples, thresholds);
  const byThreshold = thresholds.map((threshold, j) => ({
    threshold,
    angles: angles[j],
    zeroFractions: zeroFractions[j],
    medianAngle: median(angles[j]),
    limitAngle: ternaryLimitAngle(threshold),
  }));
  return { d, samples, seed, pairAngles, byThreshold };
}

/** For each sample u ~ N(0, I_d) and each threshold: the ternarization angle and zero fraction. */
function ternarySamples(
  rng: Rng,
  d: number,
  samples: number,
  thresholds: readonly number[],
): { angles: Float64Array[]; zeroFractions: Float64Array[] } {
  const angles = thresholds.map(() => new Float64Array(samples));
  const zeroFractions = thresholds.map(() => new Float64Array(samples));
  for (let i = 0; i < samples; i++) {
    const result = ternarizationAngles(gaussianVector(rng, d), thresholds);
    for (let j = 0; j < thresholds.length; j++) {
      angles[j][i] = result.angles[j];
      zeroFractions[j][i] = result.zeroCounts[j] / d;
    }
  }
  return { angles, zeroFractions };
}

/**
 * The zero fraction of ternarized Gaussian vectors against the threshold (the original states
 * only Φ(t) − Φ(−t) at t = 0.02/0.18): mean empirical fraction per threshold (defaults d = 1000,
 * 200 samples, t = 0, 0.05, …, 1.5). Compare with ternaryZeroFraction(t).
 */
export function zeroFractionExperiment(
  options: { d?: number; samples?: number; thresholds?: readonly number[]; seed?: number } = {},
): { d: number; samples: number; seed: number; thresholds: Float64Array; zeroFractions: Float64Array } {
  const {
    d = 1000,
    samples = 200,
    thresholds = Array.from({ length: 31 }, (_, i) => i * 0.05),
    seed = DEFAULT_SEED,
  } = options;
  checkCommon('zeroFractionExperiment', samples, seed);
  requireInteger('zeroFractionExperiment', 'd', d, 1);
  thresholds.forEach((t) => requireNonNegative('zeroFractionExperiment', 'threshold', t));
  const { zeroFractions } = ternarySamples(createRng(seed), d, samples, thresholds);
  const means = Float64Array.from(zeroFractions, (z) => z.reduce((s, x) => s + x, 0) / samples);
  return { d, samples, seed, thresholds: Float64Array.from(thresholds), zeroFractions: means };
}

/**
 * Figure "Binary random vectors": ∠(x, y) for independent uniform x, y ∈ {−1, +1}ⁿ (defaults
 * n ∈ {10, 100, 1000}, 5000 samples). Exact law: binaryVectorAnglePmf(n).
 */
export function randomBinaryVectorExperiment(
  options: { lengths?: readonly number[]; samples?: number; seed?: number } = {},
): { samples: number; seed: number; byLength: { n: number; angles: Float64Array }[] } {
  const { lengths = [10, 100, 1000], samples = 5000, seed = DEFAULT_SEED } = options;
  checkCommon('randomBinaryVectorExperiment', samples, seed);
  checkSizes('randomBinaryVectorExperiment', 'lengths', lengths);
  const root = createRng(seed);
  const byLength = lengths.map((n) => {
    const rng = root.fork();
    return { n, angles: sampleAngles(rng, samples, (r) => angle(randomSignVector(r, n), randomSignVector(r, n))) };
  });
  return { samples, seed, byLength };
}

/**
 * Spread of the quantization angle against dimension: the sample sd (ddof = 1) of ∠(u, q(u)) at
 * each d, with q = sign (no threshold) or ternarization at `threshold`, the delta-method law
 * C/√d, and the least-squares fit of log sd on log d (slope → −1/2), as the original's
 * `stddev_angles` plot. Defaults: d = 10, 20, 50, …, 5000 and 1000 samples per d.
 */
export function angleSpreadExperiment(
  options: { dims?: readonly number[]; samples?: number; threshold?: number; seed?: number } = {},
): {
  samples: number;
  seed: number;
  threshold: number | undefined;
  dims: Float64Array;
  sd: Float64Array;
  /** Standard error of each sd, from its sample's own fourth moment. */
  sdStandardError: Float64Array;
  theorySd: Float64Array;
  spreadConstant: number;
  logLogFit: LinearFit;
} {
  const { dims = [10, 20, 50, 100, 200, 500, 1000, 2000, 5000], samples = 1000, threshold, seed = DEFAULT_SEED } =
    options;
  checkCommon('angleSpreadExperiment', samples, seed);
  requireInteger('angleSpreadExperiment', 'samples', samples, 2);
  checkSizes('angleSpreadExperiment', 'dims', dims);
  if (threshold !== undefined) requireNonNegative('angleSpreadExperiment', 'threshold', threshold);
  const quantize = threshold === undefined ? binarize : (u: Float64Array) => ternarize(u, threshold);
  const spreadConstant = threshold === undefined ? BINARY_ANGLE_SPREAD_CONSTANT : ternaryAngleSpreadConstant(threshold);
  const root = createRng(seed);
  const angles = dims.map((d) => sampleAngles(root.fork(), samples, (r) => {
    const u = gaussianVector(r, d);
    return angle(u, quantize(u));
  }));
  const sd = Float64Array.from(angles, (a) => standardDeviation(a, 1));
  return {
    samples,
    seed,
    threshold,
    dims: Float64Array.from(dims),
    sd,
    sdStandardError: Float64Array.from(angles, standardDeviationStandardError),
    theorySd: Float64Array.from(dims, (d) => spreadConstant / Math.sqrt(d)),
    spreadConstant,
    logLogFit: linearRegression(Float64Array.from(dims, Math.log), sd.map(Math.log)),
  };
}

/** Shapes β of the weight-shape figure: Laplace (1) through Gaussian (2) towards uniform (β → ∞). */
export const WEIGHT_SHAPES: readonly number[] = [0.5, 0.75, 1, 1.5, 2, 3, 4, 6, 10, 20, 50];

/**
 * ∠(w, sign w) for w with i.i.d. generalised-normal coordinates of each shape β (density
 * ∝ exp(−|w|^β)), at one dimension d: how the binarization angle depends on the weights' shape.
 */
export function weightShapeExperiment(options: { d?: number; samples?: number; shapes?: readonly number[]; seed?: number } = {}) {
  const { d = 1000, samples = 1000, shapes = WEIGHT_SHAPES, seed = DEFAULT_SEED } = options;
  checkCommon('weightShapeExperiment', samples, seed);
  requireInteger('weightShapeExperiment', 'd', d, 1);
  requireNonEmpty('weightShapeExperiment', 'shapes', shapes);
  const root = createRng(seed);
  const byShape = shapes.map((beta) => {
    const angles = sampleAngles(root.fork(), samples, (r) => {
      const w = generalizedNormalVector(r, d, beta);
      return angle(w, binarize(w));
    });
    return { beta, angles, meanAngle: mean(angles), sdAngle: standardDeviation(angles) };
  });
  return { d, samples, seed, byShape };
}
