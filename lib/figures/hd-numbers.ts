/**
 * The numbers hd_figures.ipynb reproduces, each Monte-Carlo value beside its closed form: built from
 * the experiment results, recorded for the report (lib/notebook recordResult, as { measured,
 * theory, unit, paper }) and tabulated in the notebook's last cell. Angles are in degrees.
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
import { gaussianKde, peak } from '../stats/kde';
import { mean, median, standardDeviation, variance } from '../stats/summary';
import { degrees, DEGREE } from '../util/degrees';
import type { ReproducedNumber } from './numbers';

/** Grid step for locating a KDE peak (the curve itself is smooth on this scale). */
const PEAK_GRID_STEP = 0.001;

/** Key segment of a threshold without a dot (keys are dotted paths): 0.1111 → "t0_111". */
const thresholdKey = (t: number): string => `t${t.toPrecision(3).replace('.', '_')}`;

/** Cosines of the given angles. */
const cosines = (angles: ArrayLike<number>): Float64Array => Float64Array.from(angles, Math.cos);

/**
 * Per d: mean cos∠(u, sign u) against its exact value and Var cos∠(u, v) against the exact 1/d;
 * for the largest d also the median ∠(u, sign u) against the limit arccos √(2/π) (the median has no
 * closed form at finite d, and at d = 3 it is far from the limit).
 */
export function binarizationNumbers(result: BinarizationResult): ReproducedNumber[] {
  const largest = result.byDimension.reduce((a, b) => (b.d > a.d ? b : a));
  const largestMedian: ReproducedNumber = {
    key: `hd.binary.d${largest.d}.medianAngle`, quantity: `median ∠(u, sign u), d = ${largest.d} (d → ∞ limit arccos √(2/π))`,
    measured: degrees(median(largest.selfAngles)), theory: degrees(BINARY_LIMIT_ANGLE), unit: DEGREE, paper: '≈ 37° for large d',
  };
  const perDimension = result.byDimension.flatMap(({ d, selfAngles, pairAngles }) => [
    {
      key: `hd.binary.d${d}.meanCosine`, quantity: `mean cos∠(u, sign u), d = ${d} (exact √(d/π)Γ(d/2)/Γ((d+1)/2))`,
      measured: mean(cosines(selfAngles)), theory: binaryCosineMean(d),
    },
    {
      key: `hd.randomPair.d${d}.cosineVariance`, quantity: `Var cos∠(u, v), d = ${d} (exact 1/d)`,
      measured: variance(cosines(pairAngles), 1), theory: 1 / d,
    },
  ]);
  return [largestMedian, ...perDimension];
}

/** Per d: median angle without rotation against the first-order angle, with a random rotation against arccos √(2/π). */
export function exponentialCovarianceNumbers(result: ExponentialCovarianceResult): ReproducedNumber[] {
  return result.byDimension.flatMap(({ d, direct, rotated }) => [
    {
      key: `hd.expCov.d${d}.medianUnrotated`, quantity: `median ∠(u, θ(u)), exp. covariance k = ${result.k}, d = ${d} (first order √(2/π)Σσᵢ/√(dΣσᵢ²))`,
      measured: degrees(median(direct)), theory: degrees(unrotatedBinarizationAngle(d, result.k)), unit: DEGREE,
    },
    {
      key: `hd.expCov.d${d}.medianRotated`, quantity: `median ∠(u, θᵣ(u)), exp. covariance k = ${result.k}, d = ${d} (d → ∞: arccos √(2/π))`,
      measured: degrees(median(rotated)), theory: degrees(BINARY_LIMIT_ANGLE), unit: DEGREE,
    },
  ]);
}

/** Median ternary angle per threshold against the d → ∞ angle arccos(√2φ(t)/√Q(t)). */
export function ternaryMedianNumbers(result: TernaryResult): ReproducedNumber[] {
  return result.byThreshold.map((e) => ({
    key: `hd.ternary.${thresholdKey(e.threshold)}.medianAngle`,
    quantity: `median ∠(u, τₜ(u)), t = ${e.threshold.toPrecision(3)}σ, d = ${result.d} (d → ∞: arccos(√2φ(t)/√Q(t)))`,
    measured: degrees(e.medianAngle), theory: degrees(e.limitAngle), unit: DEGREE,
  }));
}

/**
 * At one threshold (default 0.02/0.18, the trained networks' value): the KDE peak of the ternary
 * angle against its d → ∞ value, and its sd against the delta-method C(t)/√d.
 */
export function ternaryDensityNumbers(result: TernaryResult, threshold = EMPIRICAL_TERNARY_THRESHOLD): ReproducedNumber[] {
  const entry = ternaryEntry(result, threshold);
  const t = entry.threshold.toPrecision(3);
  const grid = arange(0, Math.PI, PEAK_GRID_STEP);
  const kdePeak = peak(grid, gaussianKde(entry.angles, { width: HD_FIGURE_KDE_WIDTH }).evaluate(grid)).x;
  return [
    {
      key: `hd.ternary.${thresholdKey(entry.threshold)}.kdePeak`, quantity: `peak of the ∠(u, τₜ(u)) KDE, t = ${t}σ, d = ${result.d} (d → ∞ angle)`,
      measured: degrees(kdePeak), theory: degrees(entry.limitAngle), unit: DEGREE,
    },
    {
      key: `hd.ternary.${thresholdKey(entry.threshold)}.angleSd`, quantity: `sd of ∠(u, τₜ(u)), t = ${t}σ, d = ${result.d} (delta method C(t)/√d)`,
      measured: degrees(standardDeviation(entry.angles, 1)), theory: degrees(ternaryAngleSd(entry.threshold, result.d)), unit: DEGREE,
    },
  ];
}

/**
 * The zero fraction of the ternary experiment at one threshold (default 0.02/0.18) against
 * Φ(t) − Φ(−t), and over the sweep the largest gap to Φ(t) − Φ(−t) (theory: 0), stated beside the
 * largest standard error of those means, √(z(1 − z)/(d·samples)) (each mean counts d·samples
 * independent coordinates).
 */
export function zeroFractionNumbers(
  sweep: ZeroFractionResult, ternary: TernaryResult, threshold = EMPIRICAL_TERNARY_THRESHOLD,
): ReproducedNumber[] {
  const entry = ternaryEntry(ternary, threshold);
  let gap = 0;
  let standardError = 0;
  sweep.thresholds.forEach((t, i) => {
    const z = ternaryZeroFraction(t);
    gap = Math.max(gap, Math.abs(sweep.zeroFractions[i] - z));
    standardError = Math.max(standardError, Math.sqrt((z * (1 - z)) / (sweep.d * sweep.samples)));
  });
  return [
    {
      key: `hd.zeroFraction.${thresholdKey(entry.threshold)}`, quantity: `fraction of zeros, t = ${entry.threshold.toPrecision(3)}σ, d = ${ternary.d} (Φ(t) − Φ(−t))`,
      measured: mean(entry.zeroFractions), theory: ternaryZeroFraction(entry.threshold),
    },
    {
      key: 'hd.zeroFraction.maxGap',
      quantity: `max |zero fraction − (Φ(t) − Φ(−t))| over ${sweep.thresholds.length} thresholds (largest standard error ${standardError.toPrecision(2)})`,
      measured: gap, theory: 0,
    },
  ];
}

/** Per n: Var cos∠(x, y) of random ±1 vectors against the exact 1/n (x·y/n is a mean of n fair ±1). */
export function randomBinaryVectorNumbers(result: RandomBinaryVectorResult): ReproducedNumber[] {
  return result.byLength.map(({ n, angles }) => ({
    key: `hd.randomBinary.n${n}.cosineVariance`, quantity: `Var cos∠(x, y), x, y ∈ {−1, +1}ⁿ, n = ${n} (exact 1/n)`,
    measured: variance(cosines(angles), 1), theory: 1 / n,
  }));
}

/** Spread constant sd·√d fitted with the slope fixed at −1/2 (geometric mean of sd·√d). */
function fittedSpreadConstant(r: AngleSpreadResult): number {
  return Math.exp(mean(Float64Array.from(r.sd, (s, i) => Math.log(s * Math.sqrt(r.dims[i])))));
}

/** For the binary and the ternary result: fitted log–log slope against −1/2 and fitted C against the delta-method constant. */
export function angleSpreadNumbers(binary: AngleSpreadResult, ternary: AngleSpreadResult): ReproducedNumber[] {
  const results: [string, AngleSpreadResult][] = [['binary', binary], ['ternary', ternary]];
  return results.flatMap(([name, result]) => {
    const what = result.threshold === undefined ? 'sign' : `ternary, t = ${result.threshold.toFixed(3)}σ`;
    return [
      {
        key: `hd.spread.${name}.slope`, quantity: `log–log slope of sd(angle) vs d (${what})`,
        measured: result.logLogFit.slope, theory: ANGLE_SPREAD_SLOPE,
      },
      {
        key: `hd.spread.${name}.constant`, quantity: `C in sd(angle) = C/√d, slope fixed at −1/2 (${what}; delta method)`,
        measured: fittedSpreadConstant(result), theory: result.spreadConstant,
      },
    ];
  });
}

/** Per shape β: the Monte-Carlo mean and sd of ∠(w, sign w) against the finite-d closed forms of theory-marginal.ts. */
export function weightShapeNumbers(result: WeightShapeResult): ReproducedNumber[] {
  return result.byShape.flatMap(({ beta, meanAngle, sdAngle }) => {
    const theory = marginalAngle(generalizedNormalMoments(beta), result.d);
    const key = `hd.shape.b${String(beta).replace('.', '_')}`;
    return [
      { key: `${key}.meanAngle`, quantity: `mean ∠(w, sign w), shape β = ${beta}, d = ${result.d}`, measured: degrees(meanAngle), theory: degrees(theory.mean), unit: DEGREE },
      { key: `${key}.sdAngle`, quantity: `sd ∠(w, sign w), shape β = ${beta}, d = ${result.d}`, measured: degrees(sdAngle), theory: degrees(theory.sd), unit: DEGREE },
    ];
  });
}
