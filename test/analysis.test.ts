import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../lib/backend';
import type { NetworkAnalysis } from '../lib/analysis';
import { layerTable } from '../lib/figures/layer-numbers';
import {
  analyzeNetwork, angleDensity, angleSpread, compareDotProducts, createPairAccumulator, filterAngles,
  histogramEdges, layerSummary, permuteValues,
  reestimateBatchNorm, weightAngles, weightDistributions, weightQuantizationImpact, withUnquantizedWeights,
} from '../lib/analysis';
import { createChannelMoments } from '../lib/analysis/channel-moments';
import { binnedKdeDensity } from '../lib/stats/binned-kde';
import type { ProgressUpdate } from '../lib/display/progress';
import { BINARY_ANGLE_SPREAD_CONSTANT, BINARY_LIMIT_ANGLE } from '../lib/hd/theory-binary';
import { ternaryLimitAngle } from '../lib/hd/theory-ternary';
import { LabeledImages } from '../lib/model/batches';
import { makeConfig } from '../lib/model/config';
import { classify, inspect } from '../lib/model/evaluate';
import { BATCH_NORM_EPSILON } from '../lib/model/batch-norm';
import { Network, createNetwork, disposeNetwork } from '../lib/model/network';
import { createRng } from '../lib/stats/random';
import { arange } from '../lib/stats/grid';
import { createHistogram2d } from '../lib/stats/histogram';
import { gaussianKde } from '../lib/stats/kde';
import { linearRegression } from '../lib/stats/regression';
import { mean, standardDeviation, variance } from '../lib/stats/summary';
import { train } from '../lib/train/train';
import { brightHalfImages } from './support/synthetic';

/** Three conv layers on 12×12×1 images: d = 9, 36, 72; conv1 and conv3 pool. */
const tinyConfig = (levels: 2 | 3 = 2, threshold = 0) =>
  makeConfig({ inputShape: [12, 12, 1], classes: 2, conv: [4, 8, 8], maxPool: [true, false, true], fc: [16], levels, threshold });

async function trainedNetwork(levels: 2 | 3 = 2, threshold = 0): Promise<Network> {
  const net = createNetwork(tinyConfig(levels, threshold), 7);
  const set = brightHalfImages(200, 11);
  await train(net, {
    train: set, validation: set,
    options: { epochs: 1, batchSize: 20, lrStart: 1e-2, lrEnd: 1e-3, lrSchedule: 'exponential', loss: 'hinge', seed: 0, checkpointEvery: 0 },
  });
  return net;
}

const tensor4d = (a: { values: Float32Array; shape: number[] }) => tf.tensor4d(a.values, a.shape as [number, number, number, number]);

/** conv(A, W) for all images at once, straight from tf, as a typed array. */
function directConv(a: { values: Float32Array; shape: number[] }, w: { values: Float32Array; shape: number[] }): Float32Array {
  return tf.tidy(() => tf.conv2d(tensor4d(a), tensor4d(w), 1, 'same').dataSync() as Float32Array);
}

function closeTo(actual: number, expected: number, tol: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)), `${what}: ${actual} vs ${expected}`);
}

const sum = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0);

/** NumPy/SciPy values computed as plotting.py does (test/fixtures/make_analysis_fixtures.py). */
interface AnalysisReference {
  weights: { samples: number[]; density: number[] };
  angles: { samples: number[]; density: number[]; peak: number };
  hist2d: { x: number[]; y: number[]; counts: number[]; xEdges: number[]; yEdges: number[]; r: number; slope: number; intercept: number; signDisagreement: number };
}
const reference = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'analysis_reference.json'), 'utf8')) as AnalysisReference;

const maxAbsDifference = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  assert.equal(a.length, b.length);
  return Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i])));
};

describe('analysis: against NumPy/SciPy (plotting.py)', () => {
  it('pair summary and histogram: numpy histogram2d(bins=50), pearsonr, linregress', () => {
    const { x, y } = reference.hist2d;
    const acc = createPairAccumulator();
    acc.add(x.slice(0, 1500), y.slice(0, 1500)); // two batches, as the stream sees them
    acc.add(x.slice(1500), y.slice(1500));
    const s = acc.summary('fixture');
    closeTo(s.fit.r, reference.hist2d.r, 1e-13, 'r');
    closeTo(s.fit.slope, reference.hist2d.slope, 1e-13, 'slope');
    closeTo(s.fit.intercept, reference.hist2d.intercept, 1e-12, 'intercept');
    assert.equal(s.disagreements / s.count, reference.hist2d.signDisagreement);
    const xEdges = histogramEdges(s.xMin, s.xMax, 50);
    const yEdges = histogramEdges(s.yMin, s.yMax, 50);
    assert.ok(maxAbsDifference(xEdges, reference.hist2d.xEdges) < 1e-14);
    assert.ok(maxAbsDifference(yEdges, reference.hist2d.yEdges) < 1e-14);
    const h = createHistogram2d(xEdges, yEdges);
    h.add(x, y);
    assert.deepEqual(Array.from(h.counts), reference.hist2d.counts);
  });

  it('a constant range widens to ±0.5 like numpy', () => {
    assert.deepEqual(Array.from(histogramEdges(2, 2, 2)), [1.5, 2, 2.5]);
  });

  it('angle density and peak: kde_scipy(angles, grid, bandwidth=0.01) and its argmax on arange(0, π/2, 0.001)', () => {
    const { grid, density, peak } = angleDensity(reference.angles.samples);
    assert.equal(grid.length, reference.angles.density.length);
    assert.ok(maxAbsDifference(density, reference.angles.density) < 1e-10);
    assert.equal(peak, reference.angles.peak);
  });

  it('binned weight KDE: kde_scipy(w, arange(-1, 1, 0.02), bandwidth=0.1) within its (Δ/h)²/8 bound', () => {
    const grid = arange(-1, 1, 0.02);
    const bound = (1 / 1000) ** 2 / 8 / (0.1 * Math.sqrt(2 * Math.PI));
    const binned = binnedKdeDensity(reference.weights.samples, 0.1, grid);
    assert.ok(maxAbsDifference(binned, reference.weights.density) < bound);
    // And against the exact sum of lib/stats on a sample whose kernels overlap the mesh ends.
    const few = reference.weights.samples.slice(0, 500);
    const exact = gaussianKde(few, { width: 0.1 }).evaluate(grid);
    assert.ok(maxAbsDifference(binnedKdeDensity(few, 0.1, grid), exact) < bound);
    assert.throws(() => binnedKdeDensity([0, NaN], 0.1, grid), { message: 'binnedKdeDensity: sample 1 is NaN; pass finite numbers only.' });
  });
});

describe('analysis: dot-product comparisons', function () {
  this.timeout(120000);
  let net: Network;
  const test = brightHalfImages(60, 12);
  before(async () => {
    await initBackend();
    net = await trainedNetwork();
  });
  after(() => disposeNetwork(net));

  it('histogram totals equal the number of dot products (images × positions before pooling × filters)', async () => {
    const dots = await compareDotProducts(net, test, ['weights', 'activations', 'permuted'], { images: 60, batchSize: 25 });
    // conv1 sees 12×12 images; conv2 and conv3 see 6×6 maps (conv1 pools, conv2 does not).
    const expected: Record<string, number> = { conv1: 60 * 144 * 4, conv2: 60 * 36 * 8, conv3: 60 * 36 * 8 };
    assert.deepEqual(dots.weights!.map((c) => c.layer), ['conv1', 'conv2', 'conv3']);
    assert.deepEqual(dots.activations!.map((c) => c.layer), ['conv2', 'conv3']);
    assert.deepEqual(dots.permuted!.map((c) => c.layer), ['conv1', 'conv2', 'conv3']);
    for (const c of [...dots.weights!, ...dots.activations!, ...dots.permuted!]) {
      assert.equal(c.count, expected[c.layer], `${c.layer} ${c.kind}`);
      assert.equal(sum(c.histogram.counts), c.count, `${c.layer} ${c.kind}`);
      assert.equal(c.histogram.counts.length, 50 * 50);
      assert.equal(c.histogram.xEdges.length, 51);
    }
  });

  it('r, slope, intercept, sign disagreements and histograms equal a direct computation on all images at once', async () => {
    const dots = await compareDotProducts(net, test, ['weights', 'activations'], { images: 60, batchSize: 25 });
    const { layers } = inspect(net, test);
    const check = (got: NonNullable<typeof dots.weights>[number], xs: Float32Array, ys: Float32Array) => {
      const fit = linearRegression(xs, ys);
      const what = `${got.layer} ${got.kind}`;
      closeTo(got.r, fit.r, 1e-9, `${what} r`);
      closeTo(got.slope, fit.slope, 1e-9, `${what} slope`);
      closeTo(got.intercept, fit.intercept, 1e-6, `${what} intercept`);
      let opposite = 0;
      for (let i = 0; i < xs.length; i++) if (xs[i] * ys[i] < 0) opposite++;
      assert.equal(got.signDisagreement, opposite / xs.length, `${what} sign disagreement`);
      const [xMin, xMax] = [Math.min(...xs), Math.max(...xs)];
      const [yMin, yMax] = [Math.min(...ys), Math.max(...ys)];
      assert.equal(got.histogram.xEdges[0], xMin);
      assert.equal(got.histogram.xEdges[50], xMax);
      const h = createHistogram2d(histogramEdges(xMin, xMax, 50), histogramEdges(yMin, yMax, 50));
      h.add(xs, ys);
      assert.deepEqual(Array.from(got.histogram.counts), Array.from(h.counts), `${what} histogram`);
    };
    dots.weights!.forEach((got, l) => check(got, directConv(layers[l].input, layers[l].wb), directConv(layers[l].input, layers[l].wc)));
    dots.activations!.forEach((got, i) => {
      const l = i + 1;
      assert.equal(got.layer, layers[l].name);
      // A^c: the previous layer after max-pool and batch norm, before quantization; A^b: quantized.
      check(got, directConv(layers[l - 1].preAct, layers[l].wb), directConv(layers[l - 1].postAct, layers[l].wb));
    });
    // The binarized input really is the quantized previous layer, so the two comparisons differ.
    assert.ok(dots.activations![0].r < 1);
  });

  it('the permutation control is seeded: the same seed repeats, another seed differs', async () => {
    const run = (seed: number) => compareDotProducts(net, test, ['permuted'], { images: 40, batchSize: 20, seed });
    const [a, b, c] = [await run(3), await run(3), await run(4)];
    assert.deepEqual(a.permuted!.map((x) => x.r), b.permuted!.map((x) => x.r));
    assert.deepEqual(Array.from(a.permuted![1].histogram.counts), Array.from(b.permuted![1].histogram.counts));
    assert.notDeepEqual(a.permuted!.map((x) => x.r), c.permuted!.map((x) => x.r));
  });

  it('permuteValues rearranges every value of the tensor and keeps its shape', () => {
    const a = tf.tensor3d(Float32Array.from({ length: 24 }, (_, i) => i), [2, 3, 4]);
    const p = permuteValues(a, createRng(1));
    assert.deepEqual(p.shape, [2, 3, 4]);
    const values = Array.from(p.dataSync());
    assert.deepEqual([...values].sort((x, y) => x - y), Array.from(a.dataSync()));
    assert.notDeepEqual(values, Array.from(a.dataSync()));
    assert.deepEqual(Array.from(permuteValues(a, createRng(1)).dataSync()), values);
    tf.dispose([a, p]);
  });

  it('rejects more images than the set has, and unknown comparison kinds', async () => {
    await assert.rejects(compareDotProducts(net, test, ['weights'], { images: 61 }), {
      message: 'compareDotProducts: asked for 61 images but the set has only 60; pass images: 60 or a larger set.',
    });
    await assert.rejects(compareDotProducts(net, test, ['weight' as 'weights']), /kinds = \["weight"\]; pass some of weights, activations, permuted/);
  });
});

describe('analysis: weights already ±1', function () {
  this.timeout(120000);
  before(() => initBackend());

  it('give r = 1, slope = 1, no sign disagreement and angle 0 for the weight comparison', async () => {
    const net = createNetwork(tinyConfig(), 3);
    for (const l of net.layers) tf.tidy(() => l.weights.assign(tf.sign(l.weights)));
    const test = brightHalfImages(30, 5);
    const dots = await compareDotProducts(net, test, ['weights'], { images: 30, batchSize: 30 });
    for (const c of dots.weights!) {
      closeTo(c.r, 1, 1e-12, `${c.layer} r`);
      closeTo(c.slope, 1, 1e-12, `${c.layer} slope`);
      closeTo(c.intercept, 0, 1e-9, `${c.layer} intercept`);
      assert.equal(c.signDisagreement, 0);
    }
    for (const a of weightAngles(net)) {
      assert.ok(a.angles.every((x) => x === 0), a.layer);
      assert.equal(a.peak, 0);
      assert.equal(a.sd, 0);
    }
    disposeNetwork(net);
  });
});

describe('analysis: layers whose angles are not all defined', function () {
  this.timeout(60000);
  before(async () => {
    await initBackend();
  });

  it('a layer whose latent weights are all zero is refused with the reason, not measured as NaN', () => {
    const net = createNetwork(tinyConfig(), 3);
    tf.tidy(() => net.layers[1].weights.assign(tf.zerosLike(net.layers[1].weights)));
    assert.throws(() => weightAngles(net), /every latent weight of conv2 is zero, so no filter has an angle, a kurtosis or a spread; load a trained or initialised network/);
    disposeNetwork(net);
  });

  it('a layer of one filter has an angle but no spread and no standard error: the layer table says so', () => {
    const net = createNetwork(makeConfig({ inputShape: [8, 8, 1], classes: 2, conv: [1, 4], maxPool: [false, true], fc: [] }), 3);
    const angles = weightAngles(net);
    const single = angles[0];
    assert.equal(single.angles.length, 1);
    assert.ok(Number.isNaN(single.peakSe) && Number.isNaN(single.meanSe) && Number.isNaN(single.sdSe));
    const summary = angles.map((a) => ({ layer: a.layer, d: a.d, sdAngleDegrees: a.sd }));
    const table = layerTable({ layerSummary: summary, angles, activationBinarization: [], weightDistributions: [] } as unknown as NetworkAnalysis);
    assert.equal(table[0]['sd angle (°)'], 'undefined: one filter has no spread');
    assert.equal(typeof table[1]['sd angle (°)'], 'number');
    disposeNetwork(net);
  });
});

describe('analysis: angles, spread and weight distributions', function () {
  this.timeout(120000);
  let net: Network;
  before(async () => {
    await initBackend();
    net = await trainedNetwork();
  });
  after(() => disposeNetwork(net));

  it('filterAngles gives the closed-form angle of a hand-made filter and skips zero filters', () => {
    // Two filters of d = 3, output index last: filter 0 = (0.5, −0.2, 0.1), filter 1 = (0, 0, 0).
    const latent = [0.5, 0, -0.2, 0, 0.1, 0];
    const quantized = [1, 0, -1, 0, 1, 0];
    const { angles, zeroFilters } = filterAngles(latent, quantized, 2);
    assert.equal(zeroFilters, 1);
    assert.equal(angles.length, 1);
    closeTo(angles[0], Math.acos(0.8 / Math.sqrt(0.3 * 3)), 1e-15, 'angle');
  });

  it('angles lie in [0, π/2], one per filter, with the binary closed-form theory', () => {
    const layers = weightAngles(net);
    assert.deepEqual(layers.map((l) => [l.layer, l.d, l.filters]), [['conv1', 9, 4], ['conv2', 36, 8], ['conv3', 72, 8]]);
    for (const l of layers) {
      assert.equal(l.angles.length + l.zeroFilters, l.filters);
      assert.ok(l.angles.every((a) => a >= 0 && a <= Math.PI / 2), l.layer);
      closeTo(l.mean, mean(l.angles), 1e-15, 'mean');
      closeTo(l.sd, standardDeviation(l.angles), 1e-15, 'sd');
      assert.equal(l.theory.angle, BINARY_LIMIT_ANGLE);
      closeTo(l.theorySd, BINARY_ANGLE_SPREAD_CONSTANT / Math.sqrt(l.d), 1e-15, 'theory sd');
      assert.equal(l.grid.length, Math.ceil(Math.PI / 0.005));
      // The KDE integrates to ~1 on the grid (kernel width 0.01, angles well inside [0, π)).
      closeTo(sum(l.density) * 0.005, 1, 1e-3, 'density mass');
      assert.ok(l.peak >= 0 && l.peak < Math.PI / 2);
      // The theory as the KDE shows it: N(θ*, (C/√d)² + 0.01²), unit mass, highest at the grid point nearest θ*.
      const theory = l.theoryDensity!;
      closeTo(sum(theory) * 0.005, 1, 1e-6, 'theory mass');
      const top = theory.indexOf(Math.max(...theory));
      assert.ok(Math.abs(l.grid[top] - BINARY_LIMIT_ANGLE) <= 0.0025, `theory peak ${l.grid[top]}`);
      const sd = Math.hypot(l.theorySd, 0.01);
      closeTo(theory[top], Math.exp(-(((l.grid[top] - BINARY_LIMIT_ANGLE) / sd) ** 2) / 2) / (sd * Math.sqrt(2 * Math.PI)), 1e-12, 'theory density');
    }
  });

  it('angleSpread fits ln sd on ln d', () => {
    const layers = weightAngles(net);
    const spread = angleSpread(layers);
    assert.deepEqual(Array.from(spread.d), [9, 36, 72]);
    const fit = linearRegression(layers.map((l) => Math.log(l.d)), layers.map((l) => Math.log(l.sd)));
    assert.deepEqual(spread.fit, fit);
    assert.equal(angleSpread(layers.slice(0, 1)).fit, null);
  });

  it('weight distributions: sd, level proportions and a normalised density', () => {
    const dists = weightDistributions(net);
    dists.forEach((w, i) => {
      const latent = net.layers[i].weights.dataSync();
      assert.equal(w.count, latent.length);
      closeTo(w.sd, standardDeviation(latent), 1e-15, 'sd');
      assert.deepEqual(w.levels, [-1, 1]);
      const negative = Array.from(latent).filter((x) => x < 0).length;
      assert.deepEqual(w.proportions, [negative / latent.length, 1 - negative / latent.length]);
      assert.equal(w.grid.length, 100);
      assert.ok(sum(w.density) * 0.02 > 0.9);
    });
  });

  it('ternary: three levels, and the theory uses the closed form at threshold/σ', async () => {
    const ternary = await trainedNetwork(3, 0.05);
    const dists = weightDistributions(ternary);
    for (const [i, a] of weightAngles(ternary).entries()) {
      const latent = ternary.layers[i].weights.dataSync();
      const sigma = standardDeviation(latent);
      closeTo(a.latentSd, sigma, 1e-15, 'σ');
      closeTo(a.theory.thresholdOverSigma!, 0.05 / sigma, 1e-15, 't/σ');
      assert.equal(a.theory.angle, ternaryLimitAngle(0.05 / sigma));
      assert.deepEqual(dists[i].levels, [-1, 0, 1]);
      const zeros = Array.from(latent).filter((x) => Math.abs(x) <= 0.05).length;
      closeTo(dists[i].proportions![1], zeros / latent.length, 1e-15, 'zero fraction');
      closeTo(sum(dists[i].proportions!), 1, 1e-15, 'proportions');
    }
    disposeNetwork(ternary);
  });
});

describe('analysis: batch-norm re-estimation and full-precision variants', function () {
  this.timeout(120000);
  let net: Network;
  const trainSet = brightHalfImages(90, 21);
  const test = brightHalfImages(40, 22);
  before(async () => {
    await initBackend();
    net = await trainedNetwork();
  });
  after(() => disposeNetwork(net));

  const stats = (n: Network) => n.layers.map((l) => [Array.from(l.movingMean.dataSync()), Array.from(l.movingVariance.dataSync())]);

  it('merges per-channel moments exactly', () => {
    const rng = createRng(4);
    const a = Array.from({ length: 7 }, () => rng.normal() * 3 + 1);
    const b = Array.from({ length: 12 }, () => rng.normal() - 2);
    const m = createChannelMoments(1);
    m.add(a.length, [mean(a)], [variance(a)]);
    m.add(b.length, [mean(b)], [variance(b)]);
    closeTo(m.mean()[0], mean([...a, ...b]), 1e-14, 'mean');
    closeTo(m.variance()[0], variance([...a, ...b]), 1e-14, 'variance');
  });

  it('sets population statistics that normalise every layer exactly, in inference mode, deterministically', async () => {
    const variant = withUnquantizedWeights(net, []);
    const before = stats(variant.net);
    const first = await reestimateBatchNorm(variant.net, trainSet, { batchSize: 32 });
    const after = stats(variant.net);
    assert.notDeepEqual(after, before);
    assert.deepEqual(first.map((s) => [Array.from(s.mean), Array.from(s.variance)]), after);
    // With the new statistics, each layer's normalised response over the same images has mean β
    // and variance σ²/(σ² + ε) per channel: the statistics are those inference sees.
    const { layers } = inspect(variant.net, trainSet);
    layers.forEach((l, i) => {
      const channels = first[i].mean.length;
      const beta = variant.net.layers[i].offset.dataSync();
      for (let c = 0; c < channels; c++) {
        const column = l.preAct.values.filter((_, k) => k % channels === c);
        const s2 = first[i].variance[c];
        closeTo(mean(column), beta[c], 2e-4, `${l.name} channel ${c} mean`);
        closeTo(variance(column), s2 / (s2 + BATCH_NORM_EPSILON), 2e-4, `${l.name} channel ${c} variance`);
      }
    });
    const second = await reestimateBatchNorm(variant.net, trainSet, { batchSize: 50 });
    const third = await reestimateBatchNorm(variant.net, trainSet, { batchSize: 50 });
    assert.deepEqual(third, second);
    first.forEach((s, i) => s.mean.forEach((m, c) => closeTo(second[i].mean[c], m, 1e-5, 'batch-size independence')));
    variant.dispose();
  });

  it('a variant uses W^c in the named layers and leaves the original network untouched', async () => {
    const original = stats(net);
    const variant = withUnquantizedWeights(net, ['conv2']);
    assert.deepEqual(variant.net.layers.map((l) => l.quantizeWeights), [true, false, true, true, true]);
    assert.deepEqual(variant.net.config.binWeights, [true, false, true]);
    const { layers } = inspect(variant.net, test);
    assert.deepEqual(Array.from(layers[1].wb.values), Array.from(layers[1].wc.values));
    await reestimateBatchNorm(variant.net, trainSet);
    assert.deepEqual(stats(net), original);
    variant.dispose();
    assert.deepEqual(stats(net), original);
    assert.throws(() => withUnquantizedWeights(net, ['fc1']), {
      message: "withUnquantizedWeights: 'fc1' is not a conv layer of this network; use some of: conv1, conv2, conv3.",
    });
  });

  it('scores no layer, each conv layer and all conv layers with W^c after re-estimating batch norm', async () => {
    const impact = await weightQuantizationImpact(net, { train: trainSet, test, batchSize: 32 });
    assert.deepEqual(impact.rows.map((r) => r.label), ['none', 'conv1', 'conv2', 'conv3', 'all conv']);
    assert.deepEqual(impact.rows[4].unquantized, ['conv1', 'conv2', 'conv3']);
    const accuracy = (n: Network) => sum(classify(n, test)) / test.count;
    assert.equal(impact.storedAccuracy, accuracy(net));
    const variant = withUnquantizedWeights(net, ['conv3']);
    await reestimateBatchNorm(variant.net, trainSet, { batchSize: 32 });
    assert.equal(impact.rows[3].accuracy, accuracy(variant.net));
    // The difference from the 'none' row, paired image by image.
    const none = withUnquantizedWeights(net, []);
    await reestimateBatchNorm(none.net, trainSet, { batchSize: 32 });
    const baseline = classify(none.net, test);
    const differences = Array.from(classify(variant.net, test), (c, i) => c - baseline[i]);
    const m = sum(differences) / test.count;
    const se = Math.sqrt((sum(differences.map((d) => d * d)) / test.count - m * m) / test.count);
    assert.ok(Math.abs(impact.rows[3].differenceSe - se) < 1e-12, `${impact.rows[3].differenceSe} vs ${se}`);
    assert.equal(impact.rows[0].differenceSe, 0);
    none.dispose();
    variant.dispose();
  });
});

describe('analysis: analyzeNetwork', function () {
  this.timeout(120000);
  let net: Network;
  const test = brightHalfImages(50, 31);
  const trainSet: LabeledImages = brightHalfImages(40, 32);
  before(async () => {
    await initBackend();
    net = await trainedNetwork();
  });
  after(() => disposeNetwork(net));

  it('returns every figure, a summary table, JSON-serialisable, without leaking tensors', async () => {
    const stages = new Set<string>();
    const options = { images: 50, batchSize: 20, trainImagesForBatchNorm: trainSet, onProgress: (p: ProgressUpdate) => stages.add(p.stage ?? "") };
    await analyzeNetwork(net, test, options); // warm-up: backends cache some tensors on first use
    const tensors = tf.memory().numTensors;
    const a = await analyzeNetwork(net, test, options);
    const b = await analyzeNetwork(net, test, options);
    assert.equal(tf.memory().numTensors, tensors);
    assert.deepEqual(JSON.parse(JSON.stringify(a)), JSON.parse(JSON.stringify(b)));
    assert.deepEqual(a.layers, ['conv1', 'conv2', 'conv3']);
    assert.equal(a.testAccuracy, sum(classify(net, test)) / 50);
    assert.deepEqual(a.layerSummary, layerSummary(a.weightBinarization, a.angles));
    assert.deepEqual(a.layerSummary.map((r) => [r.layer, r.d, r.dotProducts]), [['conv1', 9, 50 * 144 * 4], ['conv2', 36, 50 * 36 * 8], ['conv3', 72, 50 * 36 * 8]]);
    const row = a.layerSummary[1];
    closeTo(row.peakAngleDegrees, (a.angles[1].peak * 180) / Math.PI, 1e-12, 'peak degrees');
    closeTo(row.theoryAngleDegrees, 37.07, 1e-3, 'theory angle');
    assert.equal(a.quantizationImpact!.rows.length, 5);
    assert.ok(['weights', 'dot products: ranges', 'dot products: histograms'].every((s) => stages.has(s)), [...stages].join(', '));
    const json = JSON.stringify(a);
    assert.ok(json.length > 1000 && !json.includes('null,"layerSummary"'));
    const withoutImpact = await analyzeNetwork(net, test, { images: 20, batchSize: 20 });
    assert.equal(withoutImpact.quantizationImpact, null);
  });
});
