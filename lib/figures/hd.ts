/**
 * The figures of hd_figures.ipynb (Anderson & Berg 2018) as Vega-Lite specs: each maps the plain
 * figure data of lib/hd/figure-data.ts (Monte-Carlo curves, closed-form curves, markers) to a chart,
 * and takes a style (title, subtitle, size, colours) so a figure can be restyled from a notebook.
 */
import type { TopLevelSpec } from 'vega-lite';
import { densityChart, functionPlot, lineChart, logLogChart, panelWidth, piTicks, type ChartSize, type ReferenceRule } from '../charts';
import type { FigureData, Marker } from '../hd/figure-data';
import { clipSte, binarize, ternarize } from '../hd/vectors';
import { WEIGHT_SHAPE_LIMIT_RULES } from './limit-rules';

/** How a researcher restyles a figure: any of the default title, subtitle, panel size and series colours. */
export interface FigureStyle extends ChartSize {
  title?: string;
  subtitle?: string;
}

/** Grid points per panel of the ternarize illustration: step 0.0075 on [−1.5, 1.5], 0.0005 in the zoom on the dead zone. */
const QUANTIZER_SAMPLES = 401;
/** Axis range of the ternarize illustration (the original's xlim/ylim ±1.5). */
const QUANTIZER_DOMAIN: readonly [number, number] = [-1.5, 1.5];
/** Half-width of the zoomed panel of the ternarize figure, in thresholds. */
const ZOOM_THRESHOLDS = 5;
/** Panel height when a density figure has one panel per dimension (widths fit the figure width). */
const PANEL = { height: 180 };

const ANGLE_TICKS = piTicks([0, 1 / 4, 1 / 2, 3 / 4, 1]);
const ANGLE_DOMAIN: readonly [number, number] = [0, Math.PI];
/** Zoom of the ternary density figure: both peaks (≈ 0.6 and π/2 at d = 1000) with room around them. */
const TERNARY_DENSITY_DOMAIN: readonly [number, number] = [Math.PI / 8, (5 * Math.PI) / 8];

/** The chart options every figure shares: its data's curves and markers, text and size (style over defaults). */
function figure(data: FigureData, style: FigureStyle, defaults: { width?: number; height?: number } = {}) {
  return {
    title: style.title ?? data.title,
    subtitle: style.subtitle ?? data.subtitle,
    series: data.measured,
    theory: data.theory,
    ...(data.markers.length === 0 ? {} : { verticalRules: data.markers.map((m: Marker): ReferenceRule => ({ ...m })) }),
    width: style.width ?? defaults.width,
    height: style.height ?? defaults.height,
    ...(style.tooltips === undefined ? {} : { tooltips: style.tooltips }),
    ...(style.colors === undefined ? {} : { colors: style.colors }),
  };
}

const ANGLE_DENSITY = {
  xLabel: 'angle (rad)',
  dataLabel: 'Monte Carlo (KDE)',
  xDomain: ANGLE_DOMAIN,
  xTicks: ANGLE_TICKS,
};

/** ternarize(x, t) against the straight-through clip (the original's first figure), and a zoom on the dead zone |x| ≤ t. */
export function ternarizeQuantizerChart(threshold: number): TopLevelSpec {
  const curves = [
    { label: `ternarize(x, ${threshold})`, fn: (x: number) => ternarize([x], threshold)[0] },
    { label: 'clip(x, −1, 1)', fn: (x: number) => clipSte([x])[0] },
  ];
  const zoom = ZOOM_THRESHOLDS * threshold;
  return functionPlot({
    title: `Ternarization with threshold ${threshold} and the straight-through clip`,
    subtitle: `forward: τ(x) = sign(x)·1{|x| > t}; backward: the gradient of clip(x, −1, 1); right: zoom on |x| ≤ ${zoom}, where τ is 0 inside ±t`,
    domain: QUANTIZER_DOMAIN,
    samples: QUANTIZER_SAMPLES,
    size: panelWidth(2, true),
    panels: [
      { title: `t = ${threshold}`, curves },
      { title: `zoom: |x| ≤ ${zoom}`, curves, domain: [-zoom, zoom] },
    ],
  });
}

/** Figure "Binary Network Analysis" (binarizationAnglesData): one panel per d. */
export function binarizationAnglesChart(data: FigureData, style: FigureStyle = {}): TopLevelSpec {
  return densityChart({ ...ANGLE_DENSITY, theoryLabel: 'exact ∠(u, v) law', ...figure(data, style, PANEL) });
}

/** The binarization figure for one dimension (binarizationAngleData). */
export function binarizationAngleChart(data: FigureData, style: FigureStyle = {}): TopLevelSpec {
  return densityChart({ ...ANGLE_DENSITY, theoryLabel: 'exact ∠(u, v) law', ...figure(data, style) });
}

/** Figure "Exponential Covariance Matrix with and without Rotation" (exponentialCovarianceData). */
export function exponentialCovarianceChart(data: FigureData, style: FigureStyle = {}): TopLevelSpec {
  return densityChart({ ...ANGLE_DENSITY, ...figure(data, style, PANEL) });
}

/** Figure "Peak Angle vs Threshold" (ternaryMedianData). */
export function ternaryMedianChart(data: FigureData, style: FigureStyle = {}): TopLevelSpec {
  return lineChart({
    xLabel: 'threshold t (units of σ)',
    yLabel: 'median ∠(u, τₜ(u)) (rad)',
    theoryLabel: 'd → ∞ limit',
    marks: 'line+points',
    xDomain: [0, 1],
    yDomain: [0, Math.PI / 4],
    yTicks: piTicks([0, 1 / 16, 1 / 8, 3 / 16, 1 / 4]),
    ...figure(data, style, { width: 320, height: 240 }),
  });
}

/** Figure "ternary angle distribution" (ternaryAngleDensityData). */
export function ternaryAngleDensityChart(data: FigureData, style: FigureStyle = {}): TopLevelSpec {
  return densityChart({
    ...ANGLE_DENSITY,
    xDomain: TERNARY_DENSITY_DOMAIN,
    xTicks: piTicks([1 / 8, 1 / 4, 3 / 8, 1 / 2, 5 / 8]),
    ...figure(data, style),
  });
}

/** Fraction of zeros against the threshold (zeroFractionData). */
export function zeroFractionChart(data: FigureData, style: FigureStyle = {}): TopLevelSpec {
  return lineChart({
    xLabel: 'threshold t (units of σ)',
    yLabel: 'fraction of zeros',
    theoryLabel: 'Φ(t) − Φ(−t)',
    marks: 'points',
    yDomain: [0, 1],
    ...figure(data, style),
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

/** Figure "Binary random vectors" (randomBinaryVectorData): one panel per n. */
export function randomBinaryVectorChart(data: FigureData, style: FigureStyle = {}): TopLevelSpec {
  return densityChart({ ...ANGLE_DENSITY, theoryLabel: 'exact pmf ⊛ kernel', ...figure(data, style, PANEL) });
}

/** Spread of the quantization angle against d on log–log axes (angleSpreadData). */
export function angleSpreadChart(data: FigureData, style: FigureStyle = {}): TopLevelSpec {
  return logLogChart({ xLabel: 'dimension d', yLabel: 'sd of the angle (rad)', legendTitle: 'quantizer', ...figure(data, style) });
}

/** The angle against the weights' shape (weightShapeData), the limits of uniform, Gaussian and Laplace weights as rules. */
export function weightShapeChart(data: FigureData, style: FigureStyle = {}): TopLevelSpec {
  return lineChart({
    xLabel: 'shape β (1 Laplace, 2 Gaussian, → ∞ uniform)',
    yLabel: '∠(w, sign w) (°)',
    theoryLabel: 'd → ∞ limit',
    marks: 'line+points',
    xScale: 'log',
    yDomain: [25, 60],
    horizontalRules: WEIGHT_SHAPE_LIMIT_RULES,
    ...figure(data, style, { width: 420, height: 260 }),
  });
}
