/**
 * The figures of hd_figures.ipynb (Anderson & Berg 2018), each from an experiment result of lib/hd
 * to a Vega-Lite spec, with its closed-form theory drawn over the Monte Carlo: KDEs (width
 * HD_FIGURE_KDE_WIDTH, as the original) are evaluated on grids here, and every dashed density is
 * the exact law smoothed by the same kernel (the KDE's expected value), so the two are comparable.
 */
import type { TopLevelSpec } from 'vega-lite';
import { densityChart, functionPlot, lineChart, logLogChart, piTicks, type ReferenceRule, type Series } from '../charts';
import {
  angleSpreadExperiment, binarizationExperiment, exponentialCovarianceExperiment,
  HD_FIGURE_KDE_WIDTH, randomBinaryVectorExperiment, ternaryExperiment, zeroFractionExperiment,
} from '../hd/experiments';
import { BINARY_LIMIT_ANGLE, unrotatedBinarizationAngle } from '../hd/theory-binary';
import { binaryVectorAngleKernelDensity, gaussianPairAngleDensity } from '../hd/theory-random-pairs';
import { optimalTernaryThreshold, ternaryAngleSd, ternaryLimitAngle, ternaryZeroFraction } from '../hd/theory-ternary';
import { binarize, clipSte, ternarize } from '../hd/vectors';
import { EMPIRICAL_TERNARY_THRESHOLD } from '../paper-constants';
import { arange, linspace } from '../stats/grid';
import { gaussianKde } from '../stats/kde';
import { kernelSmoothedDensity } from '../stats/kernel-smoothing';
import { normalPdf } from '../stats/normal';

export type BinarizationResult = ReturnType<typeof binarizationExperiment>;
export type ExponentialCovarianceResult = ReturnType<typeof exponentialCovarianceExperiment>;
export type TernaryResult = ReturnType<typeof ternaryExperiment>;
export type ZeroFractionResult = ReturnType<typeof zeroFractionExperiment>;
export type RandomBinaryVectorResult = ReturnType<typeof randomBinaryVectorExperiment>;
export type AngleSpreadResult = ReturnType<typeof angleSpreadExperiment>;

/** The original's KDE grid, np.arange(0, π, 0.01): fine for laws wider than the kernel. */
const ANGLE_GRID_STEP = 0.01;
/** Finer grid where the law is as narrow as the kernel (d, n ≥ 1000; the n = 10 lattice). */
const FINE_ANGLE_GRID_STEP = 0.005;
/** Points of closed-form curves drawn against a threshold. */
const CURVE_POINTS = 201;
/** Grid points of the ternarize illustration: step 0.0025 on [−1.5, 1.5], so the ±0.02 dead zone shows. */
const QUANTIZER_SAMPLES = 1201;
/** Axis range of the ternarize illustration (the original's xlim/ylim ±1.5). */
const QUANTIZER_DOMAIN: readonly [number, number] = [-1.5, 1.5];
/** Panel size when a density figure has one panel per dimension. */
const PANEL = { width: 250, height: 180 };

const ANGLE_TICKS = piTicks([0, 1 / 4, 1 / 2, 3 / 4, 1]);
const ANGLE_DOMAIN: readonly [number, number] = [0, Math.PI];
/** Zoom of the ternary density figure: both peaks (≈ 0.6 and π/2 at d = 1000) with room around them. */
const TERNARY_DENSITY_DOMAIN: readonly [number, number] = [Math.PI / 8, (5 * Math.PI) / 8];
const LIMIT_RULE_LABEL = 'arccos √(2/π)';

function angleGrid(step: number): Float64Array {
  return arange(0, Math.PI, step);
}

/** KDE of angle samples with the figures' fixed kernel width, on the grid. */
function angleKde(samples: ArrayLike<number>, grid: Float64Array): Float64Array {
  return gaussianKde(samples, { width: HD_FIGURE_KDE_WIDTH }).evaluate(grid);
}

/** Expected KDE of ∠(u, v) for independent Gaussian u, v in R^d: the exact density, smoothed by the kernel. */
function pairAngleTheory(grid: Float64Array, d: number): Float64Array {
  return kernelSmoothedDensity(grid, (points) => gaussianPairAngleDensity(points, d), HD_FIGURE_KDE_WIDTH, ANGLE_DOMAIN);
}

/** "d = 27" style facet name. */
const dimensionPanel = (d: number): string => `d = ${d}`;

function formatAngle(radians: number): string {
  return `${((radians * 180) / Math.PI).toFixed(2)}°`;
}

/** ternarize(x, t) against the straight-through clip, on one square panel (the original's first figure). */
export function ternarizeQuantizerChart(threshold: number): TopLevelSpec {
  return functionPlot({
    title: `Ternarization with threshold ${threshold} and the straight-through clip`,
    subtitle: 'forward: τ(x) = sign(x)·1{|x| > t}; backward: the gradient of clip(x, −1, 1)',
    domain: QUANTIZER_DOMAIN,
    samples: QUANTIZER_SAMPLES,
    size: 260,
    panels: [{
      title: `t = ${threshold}`,
      curves: [
        { label: `ternarize(x, ${threshold})`, fn: (x) => ternarize([x], threshold)[0] },
        { label: 'clip(x, −1, 1)', fn: (x) => clipSte([x])[0] },
      ],
    }],
  });
}

/** KDEs of ∠(u, v) and ∠(u, θ(u)) for one dimension, with the exact ∠(u, v) law, on the given panel. */
function binarizationSeries(entry: BinarizationResult['byDimension'][number], grid: Float64Array, panel?: string) {
  const series: Series[] = [
    { label: '∠(u, v)', x: grid, y: angleKde(entry.pairAngles, grid), panel },
    { label: '∠(u, θ(u))', x: grid, y: angleKde(entry.selfAngles, grid), panel },
  ];
  const theory: Series[] = [{ label: `exact ∠(u, v), ${dimensionPanel(entry.d)}`, x: grid, y: pairAngleTheory(grid, entry.d), panel }];
  return { series, theory };
}

const BINARIZATION_TEXT = {
  xLabel: 'angle (rad)',
  dataLabel: 'Monte Carlo (KDE)',
  theoryLabel: 'exact ∠(u, v) law',
  xDomain: ANGLE_DOMAIN,
  xTicks: ANGLE_TICKS,
  verticalRules: [{ at: BINARY_LIMIT_ANGLE, label: LIMIT_RULE_LABEL }],
};

/**
 * Figure "Binary Network Analysis": densities of the angle between two random Gaussian vectors and
 * between a vector and its sign, one panel per d, with the exact random-pair density and the
 * d → ∞ binarization angle arccos √(2/π).
 */
export function binarizationAnglesChart(result: BinarizationResult): TopLevelSpec {
  const parts = result.byDimension.map((entry) => binarizationSeries(entry, angleGrid(ANGLE_GRID_STEP), dimensionPanel(entry.d)));
  return densityChart({
    title: 'Binarization keeps a vector close; a random vector is nearly orthogonal',
    subtitle: `u, v ~ N(0, I_d), θ = sign, ${result.samples} samples per d; dashed: exact law of ∠(u, v) and the d → ∞ angle ${formatAngle(BINARY_LIMIT_ANGLE)}`,
    ...BINARIZATION_TEXT,
    ...PANEL,
    series: parts.flatMap((p) => p.series),
    theory: parts.flatMap((p) => p.theory),
  });
}

/** The binarization figure for one dimension (default the largest, as the original's d = 27 panel). */
export function binarizationAngleChart(result: BinarizationResult, d?: number): TopLevelSpec {
  const entry = d === undefined ? result.byDimension[result.byDimension.length - 1] : result.byDimension.find((e) => e.d === d);
  if (entry === undefined) {
    throw new Error(`binarizationAngleChart: d = ${d} is not in the experiment (d = ${result.byDimension.map((e) => e.d).join(', ')}); pick one of those`);
  }
  const { series, theory } = binarizationSeries(entry, angleGrid(ANGLE_GRID_STEP));
  return densityChart({
    title: `d = ${entry.d}: ∠(u, θ(u)) already sits near arccos √(2/π)`,
    subtitle: `${result.samples} samples; dashed: exact law of ∠(u, v) and ${LIMIT_RULE_LABEL} = ${formatAngle(BINARY_LIMIT_ANGLE)}`,
    ...BINARIZATION_TEXT,
    series,
    theory,
  });
}

/**
 * Figure "Exponential Covariance Matrix with and without Rotation": angle between u and its
 * binarization in the covariance's eigenbasis, θ(u), and in a random basis, θ_R(u), one panel per
 * d. Rules: arccos √(2/π), which the rotated angle follows (Ru is isotropic in law), and the
 * first-order angle of the unrotated case, which grows toward π/2 with d.
 */
export function exponentialCovarianceChart(result: ExponentialCovarianceResult): TopLevelSpec {
  const grid = angleGrid(ANGLE_GRID_STEP);
  const series: Series[] = result.byDimension.flatMap((entry) => [
    { label: '∠(u, θ(u))', x: grid, y: angleKde(entry.direct, grid), panel: dimensionPanel(entry.d) },
    { label: '∠(u, θ_R(u))', x: grid, y: angleKde(entry.rotated, grid), panel: dimensionPanel(entry.d) },
  ]);
  const first = dimensionPanel(result.byDimension[0].d);
  const last = dimensionPanel(result.byDimension[result.byDimension.length - 1].d);
  // Each rule is labelled in one panel only, so the two labels never overlap.
  const rules: ReferenceRule[] = result.byDimension.flatMap((entry) => {
    const panel = dimensionPanel(entry.d);
    return [
      { at: BINARY_LIMIT_ANGLE, panel, label: panel === first ? LIMIT_RULE_LABEL : '' },
      { at: unrotatedBinarizationAngle(entry.d, result.k), panel, label: panel === last ? 'no rotation' : '' },
    ];
  });
  return densityChart({
    title: 'Exponential covariance: binarize in a random basis, not the eigenbasis',
    subtitle: `variances exp(2k(i − d/2)), k = ${result.k}, ${result.samples} samples per d; dashed: ${LIMIT_RULE_LABEL} and √(2/π)Σσᵢ/√(dΣσᵢ²) (no rotation)`,
    xLabel: 'angle (rad)',
    dataLabel: 'Monte Carlo (KDE)',
    xDomain: ANGLE_DOMAIN,
    xTicks: ANGLE_TICKS,
    ...PANEL,
    series,
    verticalRules: rules,
  });
}

/** The entry of a ternary result whose threshold equals `threshold` (to rounding). */
export function ternaryEntry(result: TernaryResult, threshold: number): TernaryResult['byThreshold'][number] {
  const entry = result.byThreshold.find((e) => Math.abs(e.threshold - threshold) <= 1e-9 * Math.max(1, threshold));
  if (entry === undefined) {
    throw new Error(
      `ternary result has no threshold ${threshold} (it has ${result.byThreshold.map((e) => e.threshold).join(', ')}); ` +
        'add it to the experiment thresholds',
    );
  }
  return entry;
}

/**
 * Figure "Peak Angle vs Threshold": median ∠(u, τ_t(u)) at each threshold against the closed-form
 * limit arccos(√2·φ(t)/√Q(t)), with the optimal threshold t* (φ(t) = 2tQ(t)) marked.
 */
export function ternaryMedianChart(result: TernaryResult): TopLevelSpec {
  const optimum = optimalTernaryThreshold();
  const thresholds = linspace(0, 1, CURVE_POINTS);
  return lineChart({
    title: 'Ternary quantization: angle vs threshold',
    subtitle: `${result.samples} samples; dashed: arccos(√2φ(t)/√Q(t)), least at t* = ${optimum.threshold.toFixed(3)}σ: ${formatAngle(optimum.angle)}`,
    xLabel: 'threshold t (units of σ)',
    yLabel: 'median ∠(u, τ_t(u)) (rad)',
    series: [{ label: `median, d = ${result.d}`, x: result.byThreshold.map((e) => e.threshold), y: result.byThreshold.map((e) => e.medianAngle) }],
    theory: [{ label: 'arccos(√2 φ(t)/√Q(t))', x: thresholds, y: thresholds.map(ternaryLimitAngle) }],
    theoryLabel: 'd → ∞ limit',
    marks: 'line+points',
    xDomain: [0, 1],
    yDomain: [0, Math.PI / 4],
    yTicks: piTicks([0, 1 / 16, 1 / 8, 3 / 16, 1 / 4]),
    verticalRules: [{ at: optimum.threshold, label: `t* = ${optimum.threshold.toFixed(3)}`, dashed: false }],
    width: 320,
    height: 240,
  });
}

/**
 * Figure "ternary angle distribution": KDEs of ∠(u, v) and ∠(u, τ_t(u)) at one threshold (default
 * 0.02/0.18, the trained networks' value), with the exact ∠(u, v) law and the delta-method normal
 * law N(arccos(√2φ/√Q), C(t)²/d) of the ternary angle, both smoothed by the kernel.
 */
export function ternaryAngleDensityChart(result: TernaryResult, threshold = EMPIRICAL_TERNARY_THRESHOLD): TopLevelSpec {
  const entry = ternaryEntry(result, threshold);
  const grid = angleGrid(FINE_ANGLE_GRID_STEP);
  const sd = ternaryAngleSd(entry.threshold, result.d);
  const normalLaw = (points: Float64Array): Float64Array => points.map((s) => normalPdf(s, entry.limitAngle, sd));
  return densityChart({
    title: `Ternary, t = ${entry.threshold.toPrecision(3)}σ: the angle distribution at d = ${result.d}`,
    subtitle: `${result.samples} samples; dashed: exact ∠(u, v) and normal ∠(u, τ(u)) laws ⊛ kernel, d → ∞ angle ${formatAngle(entry.limitAngle)}`,
    xLabel: 'angle (rad)',
    dataLabel: 'Monte Carlo (KDE)',
    series: [
      { label: '∠(u, v)', x: grid, y: angleKde(result.pairAngles, grid) },
      { label: '∠(u, τ(u))', x: grid, y: angleKde(entry.angles, grid) },
    ],
    theory: [
      { label: 'exact ∠(u, v)', x: grid, y: pairAngleTheory(grid, result.d) },
      { label: 'normal ∠(u, τ(u))', x: grid, y: kernelSmoothedDensity(grid, normalLaw, HD_FIGURE_KDE_WIDTH, ANGLE_DOMAIN) },
    ],
    xDomain: TERNARY_DENSITY_DOMAIN,
    xTicks: piTicks([1 / 8, 1 / 4, 3 / 8, 1 / 2, 5 / 8]),
    verticalRules: [{ at: entry.limitAngle, label: 'arccos(√2φ(t)/√Q(t))' }],
    width: 440,
  });
}

/**
 * Fraction of zeros after ternarizing a Gaussian vector, against the threshold, with
 * Φ(t) − Φ(−t); the trained networks' threshold and the optimal t* are marked.
 */
export function zeroFractionChart(result: ZeroFractionResult): TopLevelSpec {
  const optimum = optimalTernaryThreshold();
  const last = result.thresholds[result.thresholds.length - 1];
  const curve = linspace(0, Math.max(last, optimum.threshold), CURVE_POINTS);
  return lineChart({
    title: 'Fraction of zero weights under a Gaussian',
    subtitle: `d = ${result.d}, mean of ${result.samples} samples per threshold; dashed: Φ(t) − Φ(−t)`,
    xLabel: 'threshold t (units of σ)',
    yLabel: 'fraction of zeros',
    series: [{ label: `mean, d = ${result.d}`, x: result.thresholds, y: result.zeroFractions }],
    theory: [{ label: 'Φ(t) − Φ(−t)', x: curve, y: curve.map(ternaryZeroFraction) }],
    theoryLabel: 'Φ(t) − Φ(−t)',
    marks: 'points',
    yDomain: [0, 1],
    verticalRules: [
      { at: EMPIRICAL_TERNARY_THRESHOLD, label: '0.02/0.18', dashed: false },
      { at: optimum.threshold, label: 't*', dashed: false },
    ],
  });
}

/** Figure "Approximate Backprop": the forward function sign(x) and the backward clip(x, −1, 1) of binarization. */
export function straightThroughChart(): TopLevelSpec {
  return functionPlot({
    title: 'Binarization: forward sign, backward straight-through clip',
    subtitle: 'the backward pass differentiates clip(x, −1, 1): gradient 1 for |x| ≤ 1, else 0',
    panels: [
      { title: 'forward: f(x) = sign(x)', curves: [{ label: 'sign(x)', fn: (x) => binarize([x])[0] }] },
      { title: 'backward: f(x) = clip(x, −1, 1)', curves: [{ label: 'clip(x, −1, 1)', fn: (x) => clipSte([x])[0] }] },
    ],
  });
}

/**
 * Figure "Binary random vectors": KDEs of ∠(x, y) for random x, y ∈ {−1, +1}ⁿ, one panel per n,
 * with the exact pmf (arccos((2K − n)/n), K ~ Binomial(n, 1/2)) smoothed by the kernel.
 */
export function randomBinaryVectorChart(result: RandomBinaryVectorResult): TopLevelSpec {
  const grid = angleGrid(FINE_ANGLE_GRID_STEP);
  const panel = (n: number): string => `n = ${n}`;
  return densityChart({
    title: 'Random binary vectors are nearly orthogonal',
    subtitle: `x, y uniform on {−1, +1}ⁿ, ${result.samples} samples per n; dashed: exact pmf of ∠(x, y) ⊛ kernel`,
    xLabel: 'angle (rad)',
    dataLabel: 'Monte Carlo (KDE)',
    theoryLabel: 'exact pmf ⊛ kernel',
    series: result.byLength.map((e) => ({ label: '∠(x, y)', x: grid, y: angleKde(e.angles, grid), panel: panel(e.n) })),
    theory: result.byLength.map((e) => ({
      label: `exact, ${panel(e.n)}`, x: grid, y: binaryVectorAngleKernelDensity(grid, e.n, HD_FIGURE_KDE_WIDTH), panel: panel(e.n),
    })),
    xDomain: ANGLE_DOMAIN,
    xTicks: ANGLE_TICKS,
    ...PANEL,
  });
}

/**
 * Spread of the quantization angle against d on log–log axes: measured sd of ∠(u, θ(u)) and of
 * ∠(u, τ_t(u)) at the given ternary threshold, against the delta-method laws C/√d.
 */
export function angleSpreadChart(binary: AngleSpreadResult, ternary: AngleSpreadResult): TopLevelSpec {
  if (binary.threshold !== undefined || ternary.threshold === undefined) {
    throw new Error('angleSpreadChart: pass the binary result (no threshold) first and a ternary result (with a threshold) second');
  }
  const t = ternary.threshold.toFixed(3);
  const slope = (r: AngleSpreadResult): string => r.logLogFit.slope.toFixed(3).replace('-', '−');
  return logLogChart({
    title: 'The angle concentrates like 1/√d',
    subtitle: `${binary.samples} samples per d; fitted slopes ${slope(binary)} (binary), ${slope(ternary)} (ternary); dashed: C/√d, C = ${binary.spreadConstant.toFixed(4)} and ${ternary.spreadConstant.toFixed(4)}`,
    xLabel: 'dimension d',
    yLabel: 'sd of the angle (rad)',
    legendTitle: 'quantizer',
    series: [
      { label: 'binary', x: binary.dims, y: binary.sd },
      { label: `ternary, t = ${t}`, x: ternary.dims, y: ternary.sd },
    ],
    theory: [
      { label: '√((π−3)/(π−2))/√d', x: binary.dims, y: binary.theorySd },
      { label: `C(${t})/√d`, x: ternary.dims, y: ternary.theorySd },
    ],
  });
}
