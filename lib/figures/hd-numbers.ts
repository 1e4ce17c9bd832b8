/**
 * The numbers hd_figures.ipynb reproduces, each Monte-Carlo value with its standard error beside its
 * closed form: built from the experiment results, recorded for the report and tabulated in the
 * notebook's last cell (lib/figures/numbers.ts). Standard errors are analytic where the statistic's
 * sampling law is known (means, variances, standard deviations, proportions) and a seeded bootstrap
 * otherwise (medians, KDE peaks). Angles are in degrees; each number names the figure it belongs to.
 */
import { HD_FIGURE_KDE_WIDTH } from '../hd/experiments';
import {
  ternaryEntry, type AngleSpreadResult, type BinarizationResult, type ExponentialCovarianceResult, type RandomBinaryVectorResult,
  type TernaryResult, type WeightShapeResult, type ZeroFractionResult,
} from '../hd/figure-data';
import { generalizedNormalMoments, marginalAngle } from '../hd/theory-marginal';
import { BINARY_LIMIT_ANGLE, binaryCosineMean, unrotatedBinarizationAngle } from '../hd/theory-binary';
import { ternaryAngleSd, ternaryZeroFraction } from '../hd/theory-ternary';
import { ANGLE_SPREAD_SLOPE, EMPIRICAL_TERNARY_THRESHOLD } from '../paper-constants';
import { arange } from '../stats/grid';
import { gaussianKde, kdePeakStandardError, peak } from '../stats/kde';
import {
  bootstrapStandardError, meanStandardError, proportionStandardError, slopeStandardError, standardDeviationStandardError,
  varianceStandardError,
} from '../stats/standard-error';
import { mean, median, standardDeviation, variance } from '../stats/summary';
import { degrees, DEGREE } from '../util/degrees';
import type { ReproducedNumber } from './numbers';

/** Grid step for locating a KDE peak (the curve itself is smooth on this scale). */
const PEAK_GRID_STEP = 0.001;

/** Why a finite-d value need not equal a d → ∞ limit within its (small) Monte-Carlo error. */
const LIMIT_AT_FINITE_D = 'a finite-d value against the d → ∞ limit';
/** Why a value need not equal a delta-method law within its error. */
const FIRST_ORDER = 'the closed form is first order in 1/√d (delta method)';

/** Key segment of a threshold without a dot (keys are dotted paths): 0.1111 → "t0_111". */
const thresholdKey = (t: number): string => `t${t.toPrecision(3).replace('.', '_')}`;

/** Cosines of the given angles. */
const cosines = (angles: ArrayLike<number>): Float64Array => Float64Array.from(angles, Math.cos);

/** Median of sampled angles in degrees, with its bootstrap standard error. */
function medianDegrees(angles: ArrayLike<number>): { measured: number; se: number } {
  return { measured: degrees(median(angles)), se: degrees(bootstrapStandardError(angles, median)) };
}

/** The peak of a KDE of width HD_FIGURE_KDE_WIDTH on [0, π) (as the figures draw it), with its standard error. */
function kdePeakDegrees(angles: ArrayLike<number>): { measured: number; se: number } {
  const grid = arange(0, Math.PI, PEAK_GRID_STEP);
  const at = peak(grid, gaussianKde(angles, { width: HD_FIGURE_KDE_WIDTH }).evaluate(grid)).x;
  return { measured: degrees(at), se: degrees(kdePeakStandardError(angles, HD_FIGURE_KDE_WIDTH, at, PEAK_GRID_STEP)) };
}

/**
 * Per d: mean cos∠(u, sign u) against its exact value and Var cos∠(u, v) against the exact 1/d;
 * for the largest d also the median ∠(u, sign u) against the limit arccos √(2/π) (the median has no
 * closed form at finite d, and at d = 3 it is far from the limit).
 */
export function binarizationNumbers(result: BinarizationResult): ReproducedNumber[] {
  const figure = 'hd-binarization-angles';
  const largest = result.byDimension.reduce((a, b) => (b.d > a.d ? b : a));
  const largestMedian: ReproducedNumber = {
    key: `hd.binary.d${largest.d}.medianAngle`, figure, quantity: `median ∠(u, sign u), d = ${largest.d} (d → ∞ limit arccos √(2/π))`,
    ...medianDegrees(largest.selfAngles), theory: degrees(BINARY_LIMIT_ANGLE), approximation: LIMIT_AT_FINITE_D, unit: DEGREE,
    paper: '≈ 37° for large d',
  };
  const perDimension = result.byDimension.flatMap(({ d, selfAngles, pairAngles }): ReproducedNumber[] => [
    {
      key: `hd.binary.d${d}.meanCosine`, figure, quantity: `mean cos∠(u, sign u), d = ${d} (exact √(d/π)Γ(d/2)/Γ((d+1)/2))`,
      measured: mean(cosines(selfAngles)), se: meanStandardError(cosines(selfAngles)), theory: binaryCosineMean(d),
    },
    {
      key: `hd.randomPair.d${d}.cosineVariance`, figure, quantity: `Var cos∠(u, v), d = ${d} (exact 1/d)`,
      measured: variance(cosines(pairAngles), 1), se: varianceStandardError(cosines(pairAngles)), theory: 1 / d,
    },
  ]);
  return [largestMedian, ...perDimension];
}

/** Per d: median angle without rotation against the first-order angle, with a random rotation against arccos √(2/π). */
export function exponentialCovarianceNumbers(result: ExponentialCovarianceResult): ReproducedNumber[] {
  const figure = 'hd-exponential-covariance-rotation';
  return result.byDimension.flatMap(({ d, direct, rotated }): ReproducedNumber[] => [
    {
      key: `hd.expCov.d${d}.medianUnrotated`, figure,
      quantity: `median ∠(u, θ(u)), exp. covariance k = ${result.k}, d = ${d} (first order √(2/π)Σσᵢ/√(dΣσᵢ²))`,
      ...medianDegrees(direct), theory: degrees(unrotatedBinarizationAngle(d, result.k)), unit: DEGREE,
      approximation: 'the first-order angle neglects the spread of the few coordinates that carry the variance',
    },
    {
      key: `hd.expCov.d${d}.medianRotated`, figure, quantity: `median ∠(u, θᵣ(u)), exp. covariance k = ${result.k}, d = ${d} (d → ∞: arccos √(2/π))`,
      ...medianDegrees(rotated), theory: degrees(BINARY_LIMIT_ANGLE), approximation: LIMIT_AT_FINITE_D, unit: DEGREE,
    },
  ]);
}

/** Median ternary angle per threshold against the d → ∞ angle arccos(√2φ(t)/√Q(t)). */
export function ternaryMedianNumbers(result: TernaryResult): ReproducedNumber[] {
  return result.byThreshold.map((e) => ({
    key: `hd.ternary.${thresholdKey(e.threshold)}.medianAngle`, figure: 'hd-ternary-angle-vs-threshold',
    quantity: `median ∠(u, τₜ(u)), t = ${e.threshold.toPrecision(3)}σ, d = ${result.d} (d → ∞: arccos(√2φ(t)/√Q(t)))`,
    ...medianDegrees(e.angles), theory: degrees(e.limitAngle), approximation: LIMIT_AT_FINITE_D, unit: DEGREE,
  }));
}

/**
 * At one threshold (default 0.02/0.18, the trained networks' value): the KDE peak of the ternary
 * angle against its d → ∞ value, and its sd against the delta-method C(t)/√d.
 */
export function ternaryDensityNumbers(result: TernaryResult, threshold = EMPIRICAL_TERNARY_THRESHOLD): ReproducedNumber[] {
  const figure = 'hd-ternary-angle-density';
  const entry = ternaryEntry(result, threshold);
  const t = entry.threshold.toPrecision(3);
  return [
    {
      key: `hd.ternary.${thresholdKey(entry.threshold)}.kdePeak`, figure, quantity: `peak of the ∠(u, τₜ(u)) KDE, t = ${t}σ, d = ${result.d} (d → ∞ angle)`,
      ...kdePeakDegrees(entry.angles),
      theory: degrees(entry.limitAngle), approximation: LIMIT_AT_FINITE_D, unit: DEGREE,
    },
    {
      key: `hd.ternary.${thresholdKey(entry.threshold)}.angleSd`, figure, quantity: `sd of ∠(u, τₜ(u)), t = ${t}σ, d = ${result.d} (delta method C(t)/√d)`,
      measured: degrees(standardDeviation(entry.angles, 1)), se: degrees(standardDeviationStandardError(entry.angles)),
      theory: degrees(ternaryAngleSd(entry.threshold, result.d)), approximation: FIRST_ORDER, unit: DEGREE,
    },
  ];
}

/**
 * The zero fraction of the ternary experiment at one threshold (default 0.02/0.18) against
 * Φ(t) − Φ(−t), and over the sweep the largest gap to Φ(t) − Φ(−t) (theory: 0) with the standard
 * error at that threshold, √(z(1 − z)/(d·samples)) (each mean counts d·samples independent coordinates).
 */
export function zeroFractionNumbers(
  sweep: ZeroFractionResult, ternary: TernaryResult, threshold = EMPIRICAL_TERNARY_THRESHOLD,
): ReproducedNumber[] {
  const figure = 'hd-zero-fraction';
  const entry = ternaryEntry(ternary, threshold);
  let gap = 0;
  let gapError = 0;
  sweep.thresholds.forEach((t, i) => {
    const z = ternaryZeroFraction(t);
    const off = Math.abs(sweep.zeroFractions[i] - z);
    if (off >= gap) {
      gap = off;
      gapError = proportionStandardError(z, sweep.d * sweep.samples);
    }
  });
  return [
    {
      key: `hd.zeroFraction.${thresholdKey(entry.threshold)}`, figure,
      quantity: `fraction of zeros, t = ${entry.threshold.toPrecision(3)}σ, d = ${ternary.d} (Φ(t) − Φ(−t))`,
      measured: mean(entry.zeroFractions), se: meanStandardError(entry.zeroFractions), theory: ternaryZeroFraction(entry.threshold),
    },
    {
      key: 'hd.zeroFraction.maxGap', figure,
      quantity: `max |zero fraction − (Φ(t) − Φ(−t))| over ${sweep.thresholds.length} thresholds (exact 0)`,
      measured: gap, se: gapError, theory: 0,
      approximation: `the largest of ${sweep.thresholds.length} gaps, each within its own error`,
    },
  ];
}

/** Per n: Var cos∠(x, y) of random ±1 vectors against the exact 1/n (x·y/n is a mean of n fair ±1). */
export function randomBinaryVectorNumbers(result: RandomBinaryVectorResult): ReproducedNumber[] {
  return result.byLength.map(({ n, angles }) => ({
    key: `hd.randomBinary.n${n}.cosineVariance`, figure: 'hd-random-binary-vectors',
    quantity: `Var cos∠(x, y), x, y ∈ {−1, +1}ⁿ, n = ${n} (exact 1/n)`,
    measured: variance(cosines(angles), 1), se: varianceStandardError(cosines(angles)), theory: 1 / n,
  }));
}

/**
 * The fitted spread constant sd·√d with the slope fixed at −1/2 (the geometric mean of sd·√d), and
 * its standard error from each sd's own (SE of log sd ≈ SE(sd)/sd).
 */
function fittedSpreadConstant(r: AngleSpreadResult): { measured: number; se: number } {
  const logs = Float64Array.from(r.sd, (s, i) => Math.log(s * Math.sqrt(r.dims[i])));
  const constant = Math.exp(mean(logs));
  const logErrors = Array.from(r.sd, (s, i) => r.sdStandardError[i] / s);
  return { measured: constant, se: (constant * Math.hypot(...logErrors)) / logErrors.length };
}

/** For the binary and the ternary result: fitted log–log slope against −1/2 and fitted C against the delta-method constant. */
export function angleSpreadNumbers(binary: AngleSpreadResult, ternary: AngleSpreadResult): ReproducedNumber[] {
  const figure = 'hd-angle-spread-vs-dimension';
  const results: [string, AngleSpreadResult][] = [['binary', binary], ['ternary', ternary]];
  return results.flatMap(([name, result]): ReproducedNumber[] => {
    const what = result.threshold === undefined ? 'sign' : `ternary, t = ${result.threshold.toFixed(3)}σ`;
    const logErrors = Float64Array.from(result.sd, (s, i) => result.sdStandardError[i] / s);
    return [
      {
        key: `hd.spread.${name}.slope`, figure, quantity: `log–log slope of sd(angle) vs d (${what})`,
        measured: result.logLogFit.slope, se: slopeStandardError(result.dims.map(Math.log), logErrors),
        theory: ANGLE_SPREAD_SLOPE, approximation: FIRST_ORDER,
      },
      {
        key: `hd.spread.${name}.constant`, figure, quantity: `C in sd(angle) = C/√d, slope fixed at −1/2 (${what}; delta method)`,
        ...fittedSpreadConstant(result), theory: result.spreadConstant, approximation: FIRST_ORDER,
      },
    ];
  });
}

/** Per shape β: the Monte-Carlo mean and sd of ∠(w, sign w) against the finite-d closed forms of theory-marginal.ts. */
export function weightShapeNumbers(result: WeightShapeResult): ReproducedNumber[] {
  const figure = 'hd-weight-shape';
  return result.byShape.flatMap(({ beta, angles, meanAngle, sdAngle }): ReproducedNumber[] => {
    const theory = marginalAngle(generalizedNormalMoments(beta), result.d);
    const key = `hd.shape.b${String(beta).replace('.', '_')}`;
    return [
      {
        key: `${key}.meanAngle`, figure, quantity: `mean ∠(w, sign w), shape β = ${beta}, d = ${result.d}`,
        measured: degrees(meanAngle), se: degrees(meanStandardError(angles)), theory: degrees(theory.mean), approximation: FIRST_ORDER, unit: DEGREE,
      },
      {
        key: `${key}.sdAngle`, figure, quantity: `sd ∠(w, sign w), shape β = ${beta}, d = ${result.d}`,
        measured: degrees(sdAngle), se: degrees(standardDeviationStandardError(angles)), theory: degrees(theory.sd), approximation: FIRST_ORDER, unit: DEGREE,
      },
    ];
  });
}
