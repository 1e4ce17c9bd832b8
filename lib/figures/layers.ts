/**
 * The figures of gen_plots.ipynb (Anderson & Berg 2018, section 4), from a NetworkAnalysis to
 * Vega-Lite specs: dot-product heatmaps per layer, filter angles against the closed-form angle,
 * their spread against d, latent-weight densities, quantized-level proportions, the accuracy cost
 * of quantization, and the training curve. Angles are shown in degrees.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { AngleSpread, LayerAngles } from '../analysis/angles';
import type { DotProductComparison } from '../analysis/dot-products';
import type { QuantizationImpact } from '../analysis/quantization-impact';
import type { WeightDistribution } from '../analysis/weight-distributions';
import { barChart, concatCharts, densityChart, heatmap2d, lineChart, logLogChart, panelWidth, type ReferenceRule, type Series } from '../charts';
import { formatAmount } from '../display/format';
import type { NetworkConfig } from '../model/config';
import { ANGLE_SPREAD_SLOPE } from '../paper-constants';
import type { EpochMetrics } from '../train/checkpoint';
import type { LayerGeometry } from '../analysis/geometry';
import { WEIGHT_SHAPE_LIMIT_RULES } from './limit-rules';
import { DEGREES_PER_RADIAN, degrees } from '../util/degrees';

/** Heatmaps per row when one figure holds a panel per layer, each with its own axes. */
const HEATMAP_COLUMNS = 2;
/** Heatmap side: HEATMAP_COLUMNS of them fit the figure width. */
const HEATMAP_SIDE = panelWidth(HEATMAP_COLUMNS, true);
/** Panel height of the per-layer angle densities (their widths fit the figure width). */
const PANEL = { height: 180 };
/** Room beyond the first and last epoch, so their points are drawn whole. */
const EPOCH_MARGIN = 0.3;
/** The epoch axis with EPOCH_MARGIN on both sides. */
const epochDomain = (epochs: readonly number[]): readonly [number, number] => [epochs[0] - EPOCH_MARGIN, epochs[epochs.length - 1] + EPOCH_MARGIN];

/** Normal quantile of a two-sided 95% interval. */
const Z_95 = 1.96;
/** Room around the filters' angles on the axis of the weight-shape figure. */
const SHAPE_AXIS_MARGIN_DEGREES = 5;
/** Angle axis of the filter-angle figure: quantization angles of trained layers stay below 90°. */
const ANGLE_AXIS_DEGREES: readonly [number, number] = [0, 90];
/** Densities below this are left out of log-scale plots (log 0 is undefined; the tails carry no information). */
const LOG_DENSITY_FLOOR = 1e-4;

/** 'A·Wb' → 'A·Wᵇ': the quantities as the paper writes them. */
export function productLabel(quantity: string): string {
  return quantity.replace(/Wb/g, 'Wᵇ').replace(/Wc/g, 'Wᶜ').replace(/Ac/g, 'Aᶜ').replace(/Aperm/g, 'Aᵖᵉʳᵐ');
}

/** One 2-D histogram per layer (log colour, regression line, sign-disagreement quadrants shaded). */
export function dotProductChart(comparisons: readonly DotProductComparison[], title: string, subtitle?: string): TopLevelSpec {
  if (comparisons.length === 0) throw new Error(`dotProductChart: no comparisons for "${title}"; the network needs a conv layer (two for activations).`);
  const panels = comparisons.map((c) =>
    heatmap2d({
      title: c.layer,
      subtitle: `${(100 * c.signDisagreement).toFixed(1)}% opposite signs`,
      xLabel: productLabel(c.x),
      yLabel: productLabel(c.y),
      histogram: c.histogram,
      fit: { slope: c.slope, intercept: c.intercept, r: c.r },
      width: HEATMAP_SIDE,
      height: HEATMAP_SIDE,
    }),
  );
  const total = comparisons.reduce((n, c) => n + c.count, 0).toLocaleString('en-US');
  return concatCharts(panels, { title, subtitle: [subtitle, `${total} dot products`].filter(Boolean).join('; '), columns: HEATMAP_COLUMNS });
}

const anglePanel = (a: LayerAngles): string => `${a.layer}, d = ${a.d}`;

/** A density on a layer's angle grid, in degrees (per degree), within [lo, hi] degrees. */
function densityInDegrees(a: LayerAngles, density: Float64Array, [lo, hi]: readonly [number, number]): { x: Float64Array; y: Float64Array } {
  const inside = Array.from(a.grid, (angle) => degrees(angle) >= lo && degrees(angle) <= hi);
  return { x: a.grid.map(degrees).filter((_, i) => inside[i]), y: density.filter((_, i) => inside[i]).map((p) => p / DEGREES_PER_RADIAN) };
}

/** The closed-form angle's rule label: its value, short enough for a narrow panel (the subtitle names the law). */
const theoryRuleLabel = (a: LayerAngles): string => `θ* ${degrees(a.theory.angle).toFixed(1)}°`;

/** What the dashed rule is: arccos √(2/π) for sign, the ternary closed form at each layer's t/σ. */
function theoryRuleMeaning(quantized: readonly LayerAngles[]): string {
  const ternary = quantized.filter((a) => a.theory.thresholdOverSigma !== null);
  if (ternary.length === 0) return 'θ* = arccos √(2/π), the closed-form angle of Gaussian weights, and its large-d spread';
  const ratios = ternary.map((a) => `${a.layer} ${a.theory.thresholdOverSigma!.toFixed(3)}`).join(', ');
  return `θ*, the ternary closed form at each layer's t/σ (${ratios}), and its large-d spread`;
}

/** Density of ∠(W^b_j, W^c_j) over the filters of each layer, one panel per layer, with the theory. */
export function filterAngleChart(layers: readonly LayerAngles[]): TopLevelSpec {
  if (layers.length === 0) throw new Error('filterAngleChart: no layers; analyse a network with at least one conv layer.');
  const quantized = layers.filter((a) => a.theory.angle > 0);
  // A density on the analysis grid, in degrees, cut at the axis end: per degree.
  const inDegrees = (a: LayerAngles, density: Float64Array) => densityInDegrees(a, density, ANGLE_AXIS_DEGREES);
  const series: Series[] = layers.map((a) => ({ label: 'filters', panel: anglePanel(a), ...inDegrees(a, a.density) }));
  const theory: Series[] = quantized.flatMap((a) =>
    a.theoryDensity === null ? [] : [{ label: 'large-d law N(θ*, C²/d)', panel: anglePanel(a), ...inDegrees(a, a.theoryDensity) }],
  );
  const rules: ReferenceRule[] = quantized.map((a) => ({ at: degrees(a.theory.angle), label: theoryRuleLabel(a), panel: anglePanel(a) }));
  const peaks = layers.map((a) => `${a.layer} ${degrees(a.peak).toFixed(1)}°`).join(', ');
  const predicted = layers.filter((a) => a.weightShape !== null).map((a) => `${a.layer} ${degrees(a.weightShape!.angle).toFixed(1)}°`).join(', ');
  return densityChart({
    title: 'Angles between binarized and continuous filters, ∠(Wᵇ, Wᶜ)',
    subtitle: `peaks: ${peaks}; dashed: ${theoryRuleMeaning(quantized)}` +
      (predicted === '' ? '' : `; mean angle the layers' own weights predict: ${predicted}`),
    xLabel: 'angle (degrees)',
    yLabel: 'density (per degree)',
    xDomain: ANGLE_AXIS_DEGREES,
    series,
    theory,
    verticalRules: rules,
    dataLabel: 'trained network',
    ...PANEL,
  });
}

/**
 * "What the weights' shape predicts" (beyond the paper): per binary layer, the density of the filter
 * angles against the law its own weight marginal predicts at its d (lib/hd/theory-marginal.ts,
 * smoothed by the plot's kernel), with that angle and the Gaussian arccos √(2/π) as rules.
 */
export function weightShapePredictionChart(layers: readonly LayerAngles[]): TopLevelSpec {
  const shaped = layers.filter((a) => a.weightShape !== null);
  if (shaped.length === 0) {
    throw new Error('weightShapePredictionChart: no binary layer (the prediction is for sign-quantized weights); analyse a binary network.');
  }
  // The axis spans every filter's angle, both rules and the predicted law's mean ± 3 sd, with SHAPE_AXIS_MARGIN_DEGREES to spare, in whole 5° steps.
  const ends = shaped.flatMap((a) => {
    const { angle, sd } = a.weightShape!;
    return [...a.angles, angle - 3 * sd, angle + 3 * sd, a.theory.angle].map(degrees);
  });
  const domain: [number, number] = [
    Math.max(0, 5 * Math.floor((Math.min(...ends) - SHAPE_AXIS_MARGIN_DEGREES) / 5)),
    Math.min(ANGLE_AXIS_DEGREES[1], 5 * Math.ceil((Math.max(...ends) + SHAPE_AXIS_MARGIN_DEGREES) / 5)),
  ];
  const inDegrees = (a: LayerAngles, density: Float64Array) => densityInDegrees(a, density, domain);
  const panel = anglePanel;
  const kurtoses = shaped.map((a) => `${a.layer} ${a.weightShape!.kurtosis.toFixed(2)}`).join(', ');
  return densityChart({
    title: "What the weights' shape predicts",
    subtitle: 'dashed: the angle law of i.i.d. weights with each layer\'s own marginal at its d; ' +
      `rules: that angle and arccos √(2/π), the angle of Gaussian weights; kurtosis of the weights (Gaussian: 3): ${kurtoses}`,
    xLabel: 'angle (degrees)',
    yLabel: 'density (per degree)',
    xDomain: domain,
    series: shaped.map((a) => ({ label: 'filters', panel: panel(a), ...inDegrees(a, a.density) })),
    theory: shaped.map((a) => ({ label: 'law of the layer\'s weights', panel: panel(a), ...inDegrees(a, a.weightShape!.density) })),
    verticalRules: shaped.flatMap((a): ReferenceRule[] => [
      { at: degrees(a.weightShape!.angle), label: `${degrees(a.weightShape!.angle).toFixed(1)}°`, panel: panel(a), dashed: false },
      { at: degrees(a.theory.angle), label: 'Gaussian', panel: panel(a) },
    ]),
    dataLabel: 'trained network',
    theoryLabel: 'law of the layer\'s weights',
    ...PANEL,
  });
}

/** Spread of the filter angles against d on log–log axes, with C/√d from the closed form and a slope −½ guide. */
export function layerAngleSpreadChart(spread: AngleSpread): TopLevelSpec {
  if (spread.layers.length === 0) throw new Error('layerAngleSpreadChart: no layer has a positive angle spread (are the weights quantized?).');
  const fitted = spread.fit === null ? 'one d only, no fit' : `fitted slope ${spread.fit.slope.toFixed(3).replace('-', '−')}`;
  return logLogChart({
    title: 'The spread of the filter angles shrinks like 1/√d',
    subtitle: `${fitted} (theory −0.5); each point is a layer`,
    xLabel: 'filter dimension d = k·k·C_in',
    yLabel: 'sd of the angle (degrees)',
    series: [{ label: 'layers', x: spread.d, y: spread.sd.map(degrees), labels: spread.layers }],
    theory: [{ label: 'C/√d (closed form)', x: spread.d, y: spread.theorySd.map(degrees) }],
    guide: { slope: ANGLE_SPREAD_SLOPE, label: 'slope −½' },
  });
}

/** Latent-weight densities per layer: log scale for binary networks, linear with the ±threshold for ternary. */
export function weightDistributionChart(distributions: readonly WeightDistribution[], config: NetworkConfig): TopLevelSpec {
  if (distributions.length === 0) throw new Error('weightDistributionChart: no layers; analyse a network with at least one conv layer.');
  const ternary = config.levels === 3;
  const series: Series[] = distributions.map((w) => {
    const keep = (_: number, i: number): boolean => ternary || w.density[i] >= LOG_DENSITY_FLOOR;
    return { label: `${w.layer} (σ = ${w.sd.toFixed(3)})`, x: w.grid.filter(keep), y: w.density.filter(keep) };
  });
  const rules: ReferenceRule[] = ternary
    ? [{ at: -config.threshold, label: `−t = −${config.threshold}` }, { at: config.threshold, label: `t = ${config.threshold}` }]
    : [];
  return densityChart({
    title: 'Distribution of the continuous (latent) weights',
    subtitle: ternary ? 'weights inside ±t ternarize to 0' : 'log scale, where a Gaussian is a parabola; training clips Wᶜ to [−1, 1]',
    xLabel: 'latent weight Wᶜ',
    yScale: ternary ? 'linear' : 'log',
    series,
    verticalRules: rules,
    legendTitle: 'layer',
    dataLabel: 'KDE',
  });
}

const levelName = (level: number): string => (level > 0 ? `+${level}` : level < 0 ? `−${-level}` : '0');

/** Proportion of the quantized weights at each level, per layer. */
export function quantizedLevelChart(distributions: readonly WeightDistribution[]): TopLevelSpec {
  const bars = distributions.flatMap((w) =>
    (w.levels ?? []).map((level, k) => ({ group: w.layer, category: levelName(level), value: w.proportions![k] })),
  );
  if (bars.length === 0) throw new Error('quantizedLevelChart: no layer has quantized weights (continuous network?).');
  return barChart({
    title: 'Quantized weight values per layer',
    xLabel: 'layer',
    yLabel: 'fraction of weights',
    bars,
    percent: true,
    categoryTitle: 'Wᵇ',
  });
}

/**
 * Test accuracy with W^c in place of W^b in each conv layer and in all of them (batch norm
 * re-estimated), as the difference from the quantized (all-W^b) network in percentage points,
 * ±1.96 paired standard errors: on a 0–100% axis differences of a point or two would not show.
 */
export function quantizationImpactChart(impact: QuantizationImpact): TopLevelSpec {
  const [quantized, ...variants] = impact.rows;
  if (quantized === undefined || quantized.unquantized.length > 0 || variants.length === 0) {
    throw new Error("quantizationImpactChart: the first row must be the quantized network ('none') and at least one variant must follow.");
  }
  const percent = (fraction: number): string => `${(100 * fraction).toFixed(1)}%`;
  return barChart({
    title: 'Accuracy when layers use their continuous weights Wᶜ',
    subtitle: `on the first ${impact.testImages} test images (the accuracy printed above is on the whole test set): ` +
      `the stored network scores ${percent(impact.storedAccuracy)} there, and ${percent(quantized.accuracy)} as all-Wᵇ with batch norm ` +
      `re-estimated on ${impact.trainImages} training images, as every variant is; bars: difference from that, 95% intervals`,
    xLabel: 'layers with continuous weights Wᶜ',
    yLabel: 'Δ accuracy (points)',
    bars: variants.map((row) => ({
      group: row.label, category: 'difference', value: 100 * (row.accuracy - quantized.accuracy), error: 100 * Z_95 * row.differenceSe,
    })),
    errorTitle: '± (95%)',
  });
}

/** Training and validation accuracy per epoch. */
export function trainingHistoryChart(history: readonly EpochMetrics[]): TopLevelSpec {
  if (history.length === 0) throw new Error('trainingHistoryChart: the history is empty; train at least one epoch.');
  const epochs = history.map((h) => h.epoch);
  return lineChart({
    title: 'Training',
    subtitle: `${formatAmount(history.length, 'epochs')}, ${history.reduce((s, h) => s + h.seconds, 0).toFixed(0)} s of training; training accuracy is the running mean over each epoch`,
    xLabel: 'epoch',
    yLabel: 'accuracy (%)',
    xTicks: { values: epochs, labels: epochs.map(String) },
    xDomain: epochDomain(epochs),
    series: [
      { label: 'training', x: epochs, y: history.map((h) => 100 * h.trainAccuracy) },
      { label: 'validation', x: epochs, y: history.map((h) => 100 * h.validationAccuracy) },
    ],
    marks: 'line+points',
    dataLabel: 'measured',
  });
}

/**
 * "How the geometry forms": each quantized layer's mean filter angle from initialisation (epoch 0,
 * Glorot-uniform weights: near 30°) through training, against the limits of uniform, Gaussian and
 * Laplace weights; the last epoch's sign flips in the subtitle.
 */
export function geometryHistoryChart(initial: readonly LayerGeometry[], history: readonly EpochMetrics[]): TopLevelSpec {
  const recorded = history.filter((h) => h.geometry !== undefined);
  if (initial.length === 0 || recorded.length !== history.length) {
    throw new Error('geometryHistoryChart: this training recorded no weight geometry (a checkpoint saved before it was recorded); train again to see it.');
  }
  const epochs = [0, ...history.map((h) => h.epoch)];
  const series: Series[] = initial.map((start, i) => ({
    label: `${start.layer} (d = ${start.d})`,
    x: epochs,
    y: [start, ...history.map((h) => h.geometry![i])].map((g) => degrees(g.meanAngle)),
  }));
  const last = history.length > 0 ? history[history.length - 1].geometry! : [];
  const flips = last.map((g) => `${g.layer} ${(100 * (g.flipped ?? 0)).toFixed(1)}%`).join(', ');
  return lineChart({
    title: 'How the geometry forms during training',
    subtitle: `mean ∠(Wᵇ, Wᶜ) per layer, epoch 0 = initialisation${flips === '' ? '' : `; Wᵇ signs flipped in the last epoch: ${flips}`}`,
    xLabel: 'epoch',
    yLabel: 'mean filter angle (°)',
    xTicks: { values: epochs, labels: epochs.map(String) },
    xDomain: epochDomain(epochs),
    yDomain: [25, 50],
    series,
    marks: 'line+points',
    legendTitle: 'layer',
    dataLabel: 'trained network',
    horizontalRules: WEIGHT_SHAPE_LIMIT_RULES,
  });
}
