/**
 * What each figure of hd_figures.ipynb plots, as plain data a notebook can print, save or change
 * before drawing it (lib/figures/hd.ts maps it to Vega-Lite): the Monte-Carlo curves (KDEs of width
 * HD_FIGURE_KDE_WIDTH, as the original), the closed-form curves beside them and the marker lines.
 * Every theory density is the exact law smoothed by the same kernel (the KDE's expected value), so
 * that dashed theory and solid KDE are comparable even where the law is as narrow as the kernel.
 */
import { EMPIRICAL_TERNARY_THRESHOLD } from '../paper-constants';
import { arange, linspace } from '../stats/grid';
import { gaussianKde } from '../stats/kde';
import { kernelSmoothedDensity } from '../stats/kernel-smoothing';
import { normalPdf } from '../stats/normal';
import {
  HD_FIGURE_KDE_WIDTH, type angleSpreadExperiment, type binarizationExperiment, type exponentialCovarianceExperiment,
  type randomBinaryVectorExperiment, type ternaryExperiment, type weightShapeExperiment, type zeroFractionExperiment,
} from './experiments';
import { generalizedNormalMoments, marginalAngle, marginalLimitAngle } from './theory-marginal';
import { BINARY_LIMIT_ANGLE, unrotatedBinarizationAngle } from './theory-binary';
import { binaryVectorAngleKernelDensity, gaussianPairAngleDensity } from './theory-random-pairs';
import { optimalTernaryThreshold, ternaryAngleSd, ternaryLimitAngle, ternaryZeroFraction } from './theory-ternary';

export type BinarizationResult = ReturnType<typeof binarizationExperiment>;
export type ExponentialCovarianceResult = ReturnType<typeof exponentialCovarianceExperiment>;
export type TernaryResult = ReturnType<typeof ternaryExperiment>;
export type ZeroFractionResult = ReturnType<typeof zeroFractionExperiment>;
export type RandomBinaryVectorResult = ReturnType<typeof randomBinaryVectorExperiment>;
export type AngleSpreadResult = ReturnType<typeof angleSpreadExperiment>;
export type WeightShapeResult = ReturnType<typeof weightShapeExperiment>;

/** One plotted curve or point set: y at x, in the facet panel `panel` when the figure has panels. */
export interface Curve {
  label: string;
  x: Float64Array;
  y: Float64Array;
  panel?: string;
}

/** A vertical line at x = at (a limit angle, a threshold); labelled, in one panel or in all. */
export interface Marker {
  at: number;
  label: string;
  panel?: string;
  /** Dashed for theory (the default), solid for a chosen value such as a threshold. */
  dashed?: boolean;
}

/** Everything one figure plots, with the default title and subtitle that describe it. */
export interface FigureData {
  title: string;
  subtitle: string;
  measured: Curve[];
  theory: Curve[];
  markers: Marker[];
}

/** The original's KDE grid, np.arange(0, π, 0.01): fine for laws wider than the kernel. */
const ANGLE_GRID_STEP = 0.01;
/** Finer grid where the law is as narrow as the kernel (d, n ≥ 1000; the n = 10 lattice). */
const FINE_ANGLE_GRID_STEP = 0.005;
/** Points of closed-form curves drawn against a threshold. */
const CURVE_POINTS = 201;
const ANGLE_DOMAIN: readonly [number, number] = [0, Math.PI];
const LIMIT_LABEL = 'arccos √(2/π)';

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
export const dimensionPanel = (d: number): string => `d = ${d}`;

/** An angle in degrees with two decimals, for titles: "37.07°". */
export function formatAngle(radians: number): string {
  return `${((radians * 180) / Math.PI).toFixed(2)}°`;
}

/** KDEs of ∠(u, v) and ∠(u, θ(u)) for one dimension and the exact ∠(u, v) law, in `panel`. */
function binarizationCurves(entry: BinarizationResult['byDimension'][number], panel?: string): Pick<FigureData, 'measured' | 'theory'> {
  const grid = angleGrid(ANGLE_GRID_STEP);
  return {
    measured: [
      { label: '∠(u, v)', x: grid, y: angleKde(entry.pairAngles, grid), panel },
      { label: '∠(u, θ(u))', x: grid, y: angleKde(entry.selfAngles, grid), panel },
    ],
    theory: [{ label: `exact ∠(u, v), ${dimensionPanel(entry.d)}`, x: grid, y: pairAngleTheory(grid, entry.d), panel }],
  };
}

/**
 * Figure "Binary Network Analysis": the angle between two random Gaussian vectors and between a
 * vector and its sign, one panel per d, with the exact random-pair law and the d → ∞ angle.
 */
export function binarizationAnglesData(result: BinarizationResult): FigureData {
  const parts = result.byDimension.map((entry) => binarizationCurves(entry, dimensionPanel(entry.d)));
  return {
    title: 'Binarization keeps a vector close; a random vector is nearly orthogonal',
    subtitle: `u, v ~ N(0, I) in ℝᵈ, θ = sign, ${result.samples} samples per d; dashed: exact law of ∠(u, v) and the d → ∞ angle ${formatAngle(BINARY_LIMIT_ANGLE)}`,
    measured: parts.flatMap((p) => p.measured),
    theory: parts.flatMap((p) => p.theory),
    markers: [{ at: BINARY_LIMIT_ANGLE, label: LIMIT_LABEL }],
  };
}

/** The binarization figure for one dimension (default the largest, as the original's d = 27 panel). */
export function binarizationAngleData(result: BinarizationResult, d?: number): FigureData {
  const entry = d === undefined ? result.byDimension[result.byDimension.length - 1] : result.byDimension.find((e) => e.d === d);
  if (entry === undefined) {
    throw new Error(`binarizationAngleData: d = ${d} is not in the experiment (d = ${result.byDimension.map((e) => e.d).join(', ')}); pick one of those`);
  }
  return {
    title: `d = ${entry.d}: ∠(u, θ(u)) already sits near arccos √(2/π)`,
    subtitle: `${result.samples} samples; dashed: exact law of ∠(u, v) and ${LIMIT_LABEL} = ${formatAngle(BINARY_LIMIT_ANGLE)}`,
    ...binarizationCurves(entry),
    markers: [{ at: BINARY_LIMIT_ANGLE, label: LIMIT_LABEL }],
  };
}

/**
 * Figure "Exponential Covariance Matrix with and without Rotation": the angle between u and its
 * binarization in the covariance's eigenbasis, θ(u), and in a random basis, θᵣ(u), one panel per
 * d. Markers: arccos √(2/π), which the rotated angle follows (Ru is isotropic in law), and the
 * first-order angle of the unrotated case, which grows toward π/2 with d.
 */
export function exponentialCovarianceData(result: ExponentialCovarianceResult): FigureData {
  const grid = angleGrid(ANGLE_GRID_STEP);
  const first = dimensionPanel(result.byDimension[0].d);
  const last = dimensionPanel(result.byDimension[result.byDimension.length - 1].d);
  return {
    title: 'Exponential covariance: binarize in a random basis, not the eigenbasis',
    subtitle: `variances exp(2k(i − d/2)), k = ${result.k}, ${result.samples} samples per d; dashed: ${LIMIT_LABEL} and √(2/π)Σσᵢ/√(dΣσᵢ²) (no rotation)`,
    measured: result.byDimension.flatMap((entry) => [
      { label: '∠(u, θ(u))', x: grid, y: angleKde(entry.direct, grid), panel: dimensionPanel(entry.d) },
      { label: '∠(u, θᵣ(u))', x: grid, y: angleKde(entry.rotated, grid), panel: dimensionPanel(entry.d) },
    ]),
    theory: [],
    // Each marker is labelled in one panel only, so the two labels never overlap.
    markers: result.byDimension.flatMap((entry) => {
      const panel = dimensionPanel(entry.d);
      return [
        { at: BINARY_LIMIT_ANGLE, panel, label: panel === first ? LIMIT_LABEL : '' },
        { at: unrotatedBinarizationAngle(entry.d, result.k), panel, label: panel === last ? 'no rotation' : '' },
      ];
    }),
  };
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
 * Figure "Peak Angle vs Threshold": median ∠(u, τₜ(u)) at each threshold against the closed-form
 * limit arccos(√2·φ(t)/√Q(t)), with the optimal threshold t* (φ(t) = 2tQ(t)) marked.
 */
export function ternaryMedianData(result: TernaryResult): FigureData {
  const optimum = optimalTernaryThreshold();
  const thresholds = linspace(0, 1, CURVE_POINTS);
  return {
    title: 'Ternary quantization: angle vs threshold',
    subtitle: `${result.samples} samples; dashed: arccos(√2φ(t)/√Q(t)), least at t* = ${optimum.threshold.toFixed(3)}σ: ${formatAngle(optimum.angle)}`,
    measured: [{
      label: `median, d = ${result.d}`,
      x: Float64Array.from(result.byThreshold, (e) => e.threshold),
      y: Float64Array.from(result.byThreshold, (e) => e.medianAngle),
    }],
    theory: [{ label: 'arccos(√2 φ(t)/√Q(t))', x: thresholds, y: thresholds.map(ternaryLimitAngle) }],
    markers: [{ at: optimum.threshold, label: `t* = ${optimum.threshold.toFixed(3)}`, dashed: false }],
  };
}

/**
 * Figure "ternary angle distribution": KDEs of ∠(u, v) and ∠(u, τₜ(u)) at one threshold (default
 * 0.02/0.18, the trained networks' value), with the exact ∠(u, v) law and the delta-method normal
 * law N(arccos(√2φ/√Q), C(t)²/d) of the ternary angle, both smoothed by the kernel.
 */
export function ternaryAngleDensityData(result: TernaryResult, threshold = EMPIRICAL_TERNARY_THRESHOLD): FigureData {
  const entry = ternaryEntry(result, threshold);
  const grid = angleGrid(FINE_ANGLE_GRID_STEP);
  const sd = ternaryAngleSd(entry.threshold, result.d);
  const normalLaw = (points: Float64Array): Float64Array => points.map((s) => normalPdf(s, entry.limitAngle, sd));
  return {
    title: `Ternary, t = ${entry.threshold.toPrecision(3)}σ: the angle distribution at d = ${result.d}`,
    subtitle: `${result.samples} samples; dashed: exact ∠(u, v) and normal ∠(u, τ(u)) laws ⊛ kernel, d → ∞ angle ${formatAngle(entry.limitAngle)}`,
    measured: [
      { label: '∠(u, v)', x: grid, y: angleKde(result.pairAngles, grid) },
      { label: '∠(u, τ(u))', x: grid, y: angleKde(entry.angles, grid) },
    ],
    theory: [
      { label: 'exact ∠(u, v)', x: grid, y: pairAngleTheory(grid, result.d) },
      { label: 'normal ∠(u, τ(u))', x: grid, y: kernelSmoothedDensity(grid, normalLaw, HD_FIGURE_KDE_WIDTH, ANGLE_DOMAIN) },
    ],
    markers: [{ at: entry.limitAngle, label: 'arccos(√2φ(t)/√Q(t))' }],
  };
}

/**
 * Fraction of zeros after ternarizing a Gaussian vector, against the threshold, with
 * Φ(t) − Φ(−t); the trained networks' threshold and the optimal t* are marked.
 */
export function zeroFractionData(result: ZeroFractionResult): FigureData {
  const optimum = optimalTernaryThreshold();
  const last = result.thresholds[result.thresholds.length - 1];
  const curve = linspace(0, Math.max(last, optimum.threshold), CURVE_POINTS);
  return {
    title: 'Fraction of zero weights under a Gaussian',
    subtitle: `d = ${result.d}, mean of ${result.samples} samples per threshold; dashed: Φ(t) − Φ(−t)`,
    measured: [{ label: `mean, d = ${result.d}`, x: Float64Array.from(result.thresholds), y: Float64Array.from(result.zeroFractions) }],
    theory: [{ label: 'Φ(t) − Φ(−t)', x: curve, y: curve.map(ternaryZeroFraction) }],
    markers: [
      { at: EMPIRICAL_TERNARY_THRESHOLD, label: '0.02/0.18', dashed: false },
      { at: optimum.threshold, label: 't*', dashed: false },
    ],
  };
}

/**
 * Figure "Binary random vectors": KDEs of ∠(x, y) for random x, y ∈ {−1, +1}ⁿ, one panel per n,
 * with the exact pmf (arccos((2K − n)/n), K ~ Binomial(n, 1/2)) smoothed by the kernel.
 */
export function randomBinaryVectorData(result: RandomBinaryVectorResult): FigureData {
  const grid = angleGrid(FINE_ANGLE_GRID_STEP);
  const panel = (n: number): string => `n = ${n}`;
  return {
    title: 'Random binary vectors are nearly orthogonal',
    subtitle: `x, y uniform on {−1, +1}ⁿ, ${result.samples} samples per n; dashed: exact pmf of ∠(x, y) ⊛ kernel`,
    measured: result.byLength.map((e) => ({ label: '∠(x, y)', x: grid, y: angleKde(e.angles, grid), panel: panel(e.n) })),
    theory: result.byLength.map((e) => ({
      label: `exact, ${panel(e.n)}`, x: grid, y: binaryVectorAngleKernelDensity(grid, e.n, HD_FIGURE_KDE_WIDTH), panel: panel(e.n),
    })),
    markers: [],
  };
}

/**
 * Spread of the quantization angle against d: measured sd of ∠(u, θ(u)) and of ∠(u, τₜ(u)) at the
 * ternary result's threshold, against the delta-method laws C/√d.
 */
export function angleSpreadData(binary: AngleSpreadResult, ternary: AngleSpreadResult): FigureData {
  if (binary.threshold !== undefined || ternary.threshold === undefined) {
    throw new Error('angleSpreadData: pass the binary result (no threshold) first and a ternary result (with a threshold) second');
  }
  const t = ternary.threshold.toFixed(3);
  const slope = (r: AngleSpreadResult): string => r.logLogFit.slope.toFixed(3).replace('-', '−');
  return {
    title: 'The angle concentrates like 1/√d',
    subtitle: `${binary.samples} samples per d; fitted slopes ${slope(binary)} (binary), ${slope(ternary)} (ternary); dashed: C/√d, C = ${binary.spreadConstant.toFixed(4)} and ${ternary.spreadConstant.toFixed(4)}`,
    measured: [
      { label: 'binary', x: Float64Array.from(binary.dims), y: Float64Array.from(binary.sd) },
      { label: `ternary, t = ${t}`, x: Float64Array.from(ternary.dims), y: Float64Array.from(ternary.sd) },
    ],
    theory: [
      { label: '√((π−3)/(π−2))/√d', x: Float64Array.from(binary.dims), y: Float64Array.from(binary.theorySd) },
      { label: `C(${t})/√d`, x: Float64Array.from(ternary.dims), y: Float64Array.from(ternary.theorySd) },
    ],
    markers: [],
  };
}

/**
 * Figure "the angle against the weights' shape" (beyond the paper): the mean ∠(w, sign w) in degrees
 * over generalised-normal shapes β at one d, against the limit arccos ρ(β) of theory-marginal.ts.
 */
export function weightShapeData(result: WeightShapeResult): FigureData {
  const betas = result.byShape.map((e) => e.beta);
  // The closed form over the experiment's shapes, a little past each end.
  const shapes = linspace(Math.log10(Math.min(...betas) / 1.25), Math.log10(Math.max(...betas) * 2), CURVE_POINTS).map((e) => 10 ** e);
  const toDegrees = 180 / Math.PI;
  // The largest deviation of a Monte-Carlo mean from the finite-d closed form, in its standard errors.
  const worst = Math.max(...result.byShape.map((e) => {
    const theory = marginalAngle(generalizedNormalMoments(e.beta), result.d).mean;
    return Math.abs(e.meanAngle - theory) / (e.sdAngle / Math.sqrt(result.samples));
  }));
  return {
    title: `Binarization angle against the weights' shape, d = ${result.d}`,
    subtitle: `${result.samples} vectors per shape β (density ∝ exp(−|w|^β)); dashed: arccos(Γ(2/β)/√(Γ(1/β)Γ(3/β))); ` +
      `means within ${worst.toFixed(1)} standard errors of the finite-d closed form`,
    measured: [{
      label: `mean, d = ${result.d}`,
      x: Float64Array.from(result.byShape, (e) => e.beta),
      y: Float64Array.from(result.byShape, (e) => e.meanAngle * toDegrees),
    }],
    theory: [{ label: 'arccos ρ(β)', x: shapes, y: shapes.map((b) => marginalLimitAngle(generalizedNormalMoments(b)) * toDegrees) }],
    markers: [], // the chart marks the Laplace, Gaussian and uniform limits as horizontal rules
  };
}
