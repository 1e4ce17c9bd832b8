import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { NetworkAnalysis, analyzeNetwork } from '../lib/analysis';
import { ANGLE_PEAK_GRID_STEP } from '../lib/analysis/angles';
import { initBackend } from '../lib/backend';
import { packageRoot } from '../lib/util/package-root';
import { ExperimentParameters, experimentPlan, prepareNetwork, prepareNotebookNetwork } from '../lib/experiment';
import {
  claimCheck, dotProductChart, recordNumbers, weightShapePredictionChart, testAccuracyNumber, type ReproducedNumber, filterAngleChart, layerAngleSpreadChart, layerNumbers, layerTable, productLabel,
  quantizationImpactChart, quantizedLevelChart, trainingHistoryChart, weightDistributionChart,
  geometryHistoryChart,
} from '../lib/figures';
import { BINARY_LIMIT_ANGLE, BINARY_LIMIT_COSINE } from '../lib/hd/theory-binary';
import { makeConfig } from '../lib/model/config';
import { evaluate } from '../lib/model/evaluate';
import { Network, createNetwork, disposeNetwork } from '../lib/model/network';
import { train, type TrainResult } from '../lib/train/train';
import { assertFitNotebook, curve, render, specData, verticalRules } from './support/spec';
import { brightHalfImages } from './support/synthetic';

const QUICK_BINARY: ExperimentParameters = { dataset: '', profile: 'quick', mode: 'binary', checkpoint: '', seed: 0, epochs: 0, limit: 0 };

describe('experiment: parameters to a plan', () => {
  it('resolves the quick binary profile to Fashion-MNIST and the checkpoint npm run train writes', () => {
    const plan = experimentPlan(QUICK_BINARY);
    assert.equal(plan.dataset, 'fashion-mnist');
    assert.deepEqual(plan.architecture.conv, [32, 64, 128]);
    assert.equal(plan.architecture.levels, 2);
    assert.equal(plan.training.epochs, 5);
    assert.equal(plan.limit, undefined);
    assert.equal(plan.checkpointDir, path.join(packageRoot(), 'checkpoints', 'fashion-mnist-quick-binary'));
  });

  it('names variants in the folder, so a smoke run never stands in for the full one', () => {
    assert.equal(experimentPlan({ ...QUICK_BINARY, epochs: 1, limit: 300, seed: 2 }).name, 'fashion-mnist-quick-binary-epochs1-limit300-seed2');
    assert.equal(experimentPlan({ ...QUICK_BINARY, epochs: 5 }).name, 'fashion-mnist-quick-binary');
    const ternary = experimentPlan({ ...QUICK_BINARY, mode: 'ternary', dataset: 'mnist' });
    assert.equal(path.basename(ternary.checkpointDir), 'mnist-quick-ternary');
    assert.equal(ternary.architecture.levels, 3);
    assert.equal(ternary.architecture.threshold, 0.02);
  });

  it('a run on a subset keeps ten steps per epoch: the batch is at most limit/10 (no name suffix for it)', () => {
    assert.equal(experimentPlan(QUICK_BINARY).training.batchSize, 200);
    const smoke = experimentPlan({ ...QUICK_BINARY, limit: 300 });
    assert.equal(smoke.training.batchSize, 30);
    assert.equal(smoke.name, 'fashion-mnist-quick-binary-limit300');
    assert.equal(experimentPlan({ ...QUICK_BINARY, limit: 5000 }).training.batchSize, 200);
    assert.equal(experimentPlan({ ...QUICK_BINARY, limit: 5 }).training.batchSize, 1);
  });

  it("the ternary quick network trains with its own recipe (batch 50, 3e-3), under the profile's folder name", () => {
    const ternary = experimentPlan({ ...QUICK_BINARY, mode: 'ternary' });
    const { batchSize, lrStart, lrEnd, lrSchedule } = ternary.training;
    assert.deepEqual([batchSize, lrStart, lrEnd, lrSchedule], [50, 3e-3, 3e-4, 'exponential']);
    assert.equal(ternary.name, 'fashion-mnist-quick-ternary');
    assert.equal(experimentPlan({ ...QUICK_BINARY, mode: 'ternary', limit: 300 }).training.batchSize, 30);
    assert.equal(experimentPlan({ ...QUICK_BINARY, mode: 'continuous' }).training.batchSize, 200);
  });

  it('explains bad parameters', () => {
    assert.throws(() => experimentPlan({ ...QUICK_BINARY, profile: 'fast' }), /Unknown profile 'fast'; use one of: quick, paper/);
    assert.throws(() => experimentPlan({ ...QUICK_BINARY, mode: 'octal' }), /Unknown mode 'octal'; use one of: binary, ternary, continuous/);
    assert.throws(() => experimentPlan({ ...QUICK_BINARY, dataset: 'svhn' }), /Unknown dataset 'svhn'; use one of: mnist, fashion-mnist, cifar10/);
    assert.throws(() => experimentPlan({ ...QUICK_BINARY, epochs: -1 }), /Parameter epochs = -1 is invalid; use a whole number ≥ 0/);
    assert.throws(() => experimentPlan({ ...QUICK_BINARY, limit: 2.5 }), /Parameter limit = 2.5 is invalid/);
  });
});

describe('experiment: prepareNetwork on Fashion-MNIST', function () {
  this.timeout(300000);
  let dir: string;
  before(async () => {
    await initBackend();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bnn-prepare-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('trains and saves when the checkpoint is missing, loads it next time, resumes a shorter one', async () => {
    const tiny = { ...QUICK_BINARY, limit: 100, epochs: 1, checkpoint: dir };
    const tensors = tf.memory().numTensors;
    const events: string[] = [];
    const first = await prepareNetwork(tiny, { onEvent: (e) => events.push(e.kind) });
    assert.equal(first.source, 'trained');
    assert.equal(first.history.length, 1);
    assert.ok(events.includes('epoch') && events.includes('checkpoint'));
    const weights = first.net.layers[0].weights.dataSync().slice();
    disposeNetwork(first.net);

    const again = await prepareNetwork(tiny);
    assert.equal(again.source, 'loaded');
    assert.deepEqual(again.net.layers[0].weights.dataSync(), weights);
    disposeNetwork(again.net);

    const longer = await prepareNetwork({ ...tiny, epochs: 2 });
    assert.equal(longer.source, 'resumed');
    assert.deepEqual(longer.history.map((h) => h.epoch), [1, 2]);
    disposeNetwork(longer.net);
    assert.equal(tf.memory().numTensors, tensors);
  });

  const choices = "Set the checkpoint parameter (--checkpoint of npm run figures) to another folder ('' for the one named after these parameters), change the parameters to match it, or remove it.";

  it('refuses a checkpoint of another network, naming the differences and the choices', async () => {
    await assert.rejects(prepareNetwork({ ...QUICK_BINARY, mode: 'ternary', limit: 100, epochs: 2, checkpoint: dir }), {
      message: `Checkpoint ${dir} holds epoch 2 of 2 of another run: levels 3 (checkpoint: 2), threshold 0.02 (checkpoint: 0), lrStart 0.003 (checkpoint: 0.007), lrEnd 0.0003 (checkpoint: 0.00001), lrSchedule "exponential" (checkpoint: "cosine"). ${choices}`,
    });
  });

  it('analyses a finished run of the same network in a named folder under its own recipe, saying how it differs, and writes nothing', async () => {
    const files = () => fs.readdirSync(dir).sort().map((f) => [f, fs.readFileSync(path.join(dir, f)).toString('base64')]);
    const before = files();
    const tensors = tf.memory().numTensors;
    const other = await prepareNetwork({ ...QUICK_BINARY, limit: 150, epochs: 1, seed: 3, checkpoint: dir });
    assert.equal(other.source, 'loaded');
    assert.equal(other.otherRun, 'limit 150 (checkpoint: 100), epochs 1 (checkpoint: 2), batchSize 15 (checkpoint: 10), seed 3 (checkpoint: 0)');
    assert.deepEqual([other.plan.limit, other.plan.training.epochs, other.plan.training.batchSize, other.plan.training.seed], [100, 2, 10, 0]);
    assert.equal(other.data.train.count, 100);
    assert.deepEqual(other.history.map((h) => h.epoch), [1, 2]);
    disposeNetwork(other.net);
    assert.equal(tf.memory().numTensors, tensors);
    assert.deepEqual(files(), before);
  });

  it('refuses an unfinished run of another recipe: finishing it would train a run nobody asked for', async () => {
    const unfinished = fs.mkdtempSync(path.join(os.tmpdir(), 'bnn-unfinished-'));
    try {
      fs.cpSync(dir, unfinished, { recursive: true });
      const manifest = path.join(unfinished, 'manifest.json');
      const contents = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { training: { epochs: number } };
      contents.training.epochs = 3;
      fs.writeFileSync(manifest, JSON.stringify(contents));
      await assert.rejects(prepareNetwork({ ...QUICK_BINARY, limit: 150, epochs: 1, checkpoint: unfinished }), {
        message: `Checkpoint ${unfinished} holds epoch 2 of 3 of another run: limit 150 (checkpoint: 100), epochs 1 (checkpoint: 3), batchSize 15 (checkpoint: 10). ${choices}`,
      });
    } finally {
      fs.rmSync(unfinished, { recursive: true, force: true });
    }
  });
});

describe('gen_plots cells can be rerun', function () {
  this.timeout(300000);
  let dir: string;
  before(async () => {
    await initBackend();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bnn-rerun-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('prepareNotebookNetwork frees the network of its previous call, and only that one', async () => {
    const params = { ...QUICK_BINARY, limit: 100, epochs: 1, checkpoint: dir };
    const before = tf.memory().numTensors;
    const first = await prepareNotebookNetwork(params);
    const variables = first.net.layers.length * 4; // W, β, moving mean and variance
    const second = await prepareNotebookNetwork(params);
    assert.equal(second.source, 'loaded');
    assert.equal(tf.memory().numTensors - before, variables, 'a rerun of the network cell keeps one network');
    assert.ok(first.net.layers[0].weights.isDisposed);
    assert.ok(evaluate(second.net, second.data.test, 'hinge').accuracy >= 0);
    assert.ok(evaluate(second.net, second.data.test, 'hinge').accuracy >= 0, 'the evaluate cell runs again');
    disposeNetwork(second.net);
    assert.equal(tf.memory().numTensors, before);
  });

  it('a rerun cell replaces its numbers in the summary table instead of adding them again', () => {
    const table: ReproducedNumber[] = [];
    recordNumbers(table, [testAccuracyNumber(0.8, 'fashion-mnist', 100)]);
    recordNumbers(table, [{ key: 'other', figure: 'other-figure', quantity: 'other', measured: 1, se: 0.1 }]);
    recordNumbers(table, [testAccuracyNumber(0.9, 'fashion-mnist', 100)]);
    assert.deepEqual(table.map((n) => [n.key, n.measured]), [[testAccuracyNumber(0.9, 'fashion-mnist', 100).key, 90], ['other', 1]]);
  });
});

describe('figures/layers and layer numbers, from the analysis of a trained network', function () {
  this.timeout(120000);
  let net: Network;
  let analysis: NetworkAnalysis;
  let trained: TrainResult;
  before(async () => {
    await initBackend();
    const config = makeConfig({ inputShape: [12, 12, 1], classes: 2, conv: [4, 8, 8], maxPool: [true, false, true], fc: [16] });
    net = createNetwork(config, 7);
    const set = brightHalfImages(200, 11);
    trained = await train(net, { train: set, validation: set, options: { epochs: 1, batchSize: 20, lrStart: 1e-2, lrEnd: 1e-3, lrSchedule: 'exponential', loss: 'hinge', seed: 0, checkpointEvery: 0 } });
    analysis = await analyzeNetwork(net, brightHalfImages(40, 31), { images: 40, batchSize: 20, trainImagesForBatchNorm: brightHalfImages(40, 32) });
  });
  after(() => disposeNetwork(net));

  it('writes the products as the paper does', () => {
    assert.equal(productLabel('Aperm·Wb'), 'Aᵖᵉʳᵐ·Wᵇ');
    assert.equal(productLabel('Ac·Wb'), 'Aᶜ·Wᵇ');
    assert.equal(productLabel('A·Wc'), 'A·Wᶜ');
  });

  it('every chart of gen_plots (titles as there) renders to SVG within the figure width (540 px)', async () => {
    await assertFitNotebook({
      'gen-training-history': trainingHistoryChart([{ epoch: 1, learningRate: 1e-3, trainLoss: 1, trainAccuracy: 0.5, validationLoss: 1, validationAccuracy: 0.6, seconds: 2, imagesPerSecond: 100 }]),
      'gen-geometry-history': geometryHistoryChart(trained.initialGeometry!, trained.history),
      'gen-weight-binarization': dotProductChart(analysis.weightBinarization, 'Weight binarization: A·Wᵇ against A·Wᶜ', `first ${analysis.images} test images`),
      'gen-activation-binarization': dotProductChart(analysis.activationBinarization, 'Activation binarization: Aᶜ·Wᵇ against A·Wᵇ', 'layers ≥ 2'),
      'gen-permutation-control': dotProductChart(analysis.permutationControl, 'Control: permuted activations, Aᵖᵉʳᵐ·Wᵇ against Aᵖᵉʳᵐ·Wᶜ', 'activations permuted within each image'),
      'gen-filter-angles': filterAngleChart(analysis.angles),
      'gen-weight-shape-prediction': weightShapePredictionChart(analysis.angles),
      'gen-angle-spread': layerAngleSpreadChart(analysis.angleSpread),
      'gen-weight-distributions': weightDistributionChart(analysis.weightDistributions, net.config),
      'gen-quantized-levels': quantizedLevelChart(analysis.weightDistributions),
      'gen-quantization-impact': quantizationImpactChart(analysis.quantizationImpact!),
    });
  });

  it('what the weights\' shape predicts: per layer the filters\' density, the law of its own weights, that angle and the Gaussian one', () => {
    const spec = weightShapePredictionChart(analysis.angles);
    for (const a of analysis.angles) {
      const panel = `${a.layer}, d = ${a.d}`;
      const law = curve(spec, 'theory', "law of the layer's weights", panel);
      const mass = law.slice(1).reduce((sum, p, i) => sum + (p.x - law[i].x) * p.y, 0);
      assert.ok(Math.abs(mass - 1) < 0.02, `${a.layer}: the predicted law has mass ${mass} per degree`);
      const peak = law.reduce((best, p) => (p.y > best.y ? p : best));
      assert.ok(Math.abs(peak.x - (a.weightShape!.angle * 180) / Math.PI) < 0.5, `${a.layer}: the law peaks at its mean`);
      const rules = verticalRules(spec).filter((r) => r.panel === panel).map((r) => r.label);
      assert.deepEqual(rules, [`${((a.weightShape!.angle * 180) / Math.PI).toFixed(1)}°`, 'Gaussian']);
    }
    const ternaryAngles = analysis.angles.map((a) => ({ ...a, weightShape: null }));
    assert.throws(() => weightShapePredictionChart(ternaryAngles), /no binary layer \(the prediction is for sign-quantized weights\)/);
  });

  it('geometry history: each layer\'s mean filter angle from initialisation (Glorot-uniform: near 30°) through training', () => {
    const initial = trained.initialGeometry!;
    assert.deepEqual(initial.map((g) => [g.layer, g.d, g.flipped]), [['conv1', 9, null], ['conv2', 36, null], ['conv3', 72, null]]);
    // Uniform weights: arccos(√3/2) = 30° as d grows, kurtosis 1.8.
    assert.ok(Math.abs(initial[2].meanAngle * 180 / Math.PI - 30) < 2, `conv3 starts at ${initial[2].meanAngle * 180 / Math.PI}°`);
    assert.ok(Math.abs(initial[2].kurtosis - 1.8) < 0.2, `conv3 kurtosis ${initial[2].kurtosis}`);
    const after = trained.history[0].geometry!;
    assert.ok(after.every((g) => g.flipped !== null && g.flipped > 0 && g.flipped < 1), 'one epoch flips some signs');
    const spec = geometryHistoryChart(initial, trained.history);
    assert.deepEqual(curve(spec, 'data', 'conv3 (d = 72)').map((p) => p.x), [0, 1]);
    assert.match(JSON.stringify(spec), /Wᵇ signs flipped in the last epoch: conv1 \d+\.\d%/);
    assert.throws(() => geometryHistoryChart([], trained.history), /recorded no weight geometry/);
  });

  it('training history: accuracy in percent per epoch, a tick at each whole epoch', () => {
    const epoch = (n: number, train: number, validation: number) => ({
      epoch: n, learningRate: 1e-3, trainLoss: 1, trainAccuracy: train, validationAccuracy: validation, validationLoss: 1, seconds: 200, imagesPerSecond: 250,
    });
    const spec = trainingHistoryChart([epoch(1, 0.83, 0.862), epoch(2, 0.875, 0.867), epoch(3, 0.888, 0.878)]);
    assert.deepEqual(curve(spec, 'data', 'validation').map((p) => p.y), [86.2, 86.7, 87.8]);
    assert.deepEqual(curve(spec, 'data', 'training').map((p) => p.x), [1, 2, 3]);
    const layer = (spec as unknown as { layer: { encoding: { x: { axis: { values: number[] } } } }[] }).layer[0];
    assert.deepEqual(layer.encoding.x.axis.values, [1, 2, 3]);
    assert.match(JSON.stringify(spec), /3 epochs, 600 s of training/);
    const one = trainingHistoryChart([epoch(1, 0.83, 0.862)]).title as { subtitle: string | string[] };
    assert.match([one.subtitle].flat()[0], /^1 epoch, 200 s of training/);
    // The first and last points drawn whole: the axis runs 0.3 epoch beyond them.
    const x = (spec as unknown as { layer: { encoding: { x: { scale: { domain: number[] } } } }[] }).layer[0].encoding.x;
    assert.deepEqual(x.scale.domain, [0.7, 3.3]);
  });

  it('angle spread: each point labelled with its layer', async () => {
    const spec = layerAngleSpreadChart(analysis.angleSpread);
    const { items, rows } = specData(spec);
    const data = new Set(items.filter((i) => i.kind === 'data').map((i) => i.item));
    assert.deepEqual(rows.filter((r) => data.has(r.item)).map((r) => r.text), ['conv1', 'conv2', 'conv3']);
    const svg = await render(spec);
    for (const layer of ['conv1', 'conv2', 'conv3']) assert.match(svg, new RegExp(`<text[^>]*>${layer}</text>`), `${layer} drawn`);
    assert.doesNotMatch(JSON.stringify(spec.title), /labels:/);
    // No point on the frame: the y axis reaches at least 0.08 decade beyond the lowest and highest values.
    const y = (spec as unknown as { layer: { encoding: { y: { scale: { domain: number[] } } } }[] }).layer[0].encoding.y;
    const values = [...analysis.angleSpread.sd, ...analysis.angleSpread.theorySd].map((v) => (v * 180) / Math.PI);
    assert.ok(Math.log10(Math.min(...values) / y.scale.domain[0]) >= 0.08 - 1e-9 && Math.log10(y.scale.domain[1] / Math.max(...values)) >= 0.08 - 1e-9);
  });

  it('accuracy impact: each variant as its difference from the all-Wᵇ network in points, ±1.96 paired standard errors', async () => {
    const row = (label: string, accuracy: number, differenceSe: number) => ({ label, unquantized: label === 'none' ? [] : [label], accuracy, differenceSe });
    const impact = {
      storedAccuracy: 0.902, trainImages: 2000, testImages: 500,
      rows: [row('none', 0.9, 0), row('conv1', 0.888, 0.004), row('conv2', 0.896, 0.003), row('all conv', 0.882, 0.006)],
    };
    const spec = quantizationImpactChart(impact);
    const bars = (spec as unknown as { data: { values: { group: string; value: number; low: number; high: number }[] } }).data.values;
    assert.deepEqual(bars.map((b) => b.group), ['conv1', 'conv2', 'all conv']);
    bars.forEach((b, i) => {
      const expected = 100 * (impact.rows[i + 1].accuracy - 0.9);
      const error = 196 * impact.rows[i + 1].differenceSe;
      for (const [got, want] of [[b.value, expected], [b.low, expected - error], [b.high, expected + error]]) assert.ok(Math.abs(got - want) < 1e-3, `${b.group}: ${got} vs ${want}`);
    });
    // The axis spans the differences (a few points), not 0–100%.
    const ticks = [...(await render(spec)).matchAll(/<text[^>]*>(−?[\d.]+)<\/text>/g)].map((m) => Number(m[1].replace('−', '-')));
    assert.ok(ticks.length >= 3 && Math.max(...ticks.map(Math.abs)) <= 4, `y tick labels ${ticks.join(', ')}`);
    // Every accuracy says which images it is on: the variants and the stored network on the same 500, the headline on all.
    assert.match([(spec.title as { subtitle: string | string[] }).subtitle].flat().join(' '), /on the first 500 test images \(the accuracy printed above is on the whole test set\): the stored network scores 90\.2% there, and 90\.0% as all-Wᵇ/);
    assert.throws(() => quantizationImpactChart({ ...impact, rows: impact.rows.slice(1) }), /the first row must be the quantized network/);
  });

  it('dot-product figure: one heatmap per layer with its r and slope, counts adding up to the dot products', () => {
    const spec = dotProductChart(analysis.weightBinarization, 'weights') as { concat: { title: { text: string; subtitle: string } }[] };
    assert.equal(spec.concat.length, 3);
    analysis.weightBinarization.forEach((c, i) => {
      assert.equal(spec.concat[i].title.text, c.layer);
      assert.ok(spec.concat[i].title.subtitle.includes(`r = ${c.r.toFixed(2)}, slope = ${c.slope.toFixed(2)}`));
    });
    assert.throws(() => dotProductChart([], 'empty'), /dotProductChart: no comparisons for "empty"/);
  });

  it('angle figure: theory rule at arccos √(2/π) in degrees and a theory density of unit mass', () => {
    const spec = filterAngleChart(analysis.angles);
    const rules = verticalRules(spec);
    assert.deepEqual(rules.map((r) => [r.label, r.panel]), [['θ* 37.1°', 'conv1, d = 9'], ['θ* 37.1°', 'conv2, d = 36'], ['θ* 37.1°', 'conv3, d = 72']]);
    for (const r of rules) assert.ok(Math.abs(r.at - (BINARY_LIMIT_ANGLE * 180) / Math.PI) < 1e-3, `rule at ${r.at}`);
    const theory = curve(spec, 'theory', 'large-d law N(θ*, C²/d)', 'conv3, d = 72');
    assert.ok(theory.length > 100);
    const mass = theory.slice(1).reduce((s, p, i) => s + (p.x - theory[i].x) * p.y, 0);
    assert.ok(Math.abs(mass - 1) < 0.01, `theory mass ${mass}`);
  });

  it('numbers: r, slope, angles against theory per layer; the permutation control against cos θ* = √(2/π)', () => {
    const numbers = layerNumbers(analysis);
    const byKey = new Map(numbers.map((n) => [n.key, n]));
    for (const row of analysis.layerSummary) {
      assert.equal(byKey.get(`gen.${row.layer}.r`)!.measured, row.r);
      assert.equal(byKey.get(`gen.${row.layer}.peakAngle`)!.theory, (BINARY_LIMIT_ANGLE * 180) / Math.PI);
      assert.ok(Math.abs(byKey.get(`gen.${row.layer}.permutedR`)!.theory! - BINARY_LIMIT_COSINE) < 1e-12);
    }
    assert.equal(byKey.has('gen.conv1.activationR'), false);
    assert.equal(byKey.get('gen.conv2.activationR')!.measured, analysis.activationBinarization[0].r);
    assert.equal(byKey.get('gen.spread.slope')!.measured, analysis.angleSpread.fit!.slope);
    assert.deepEqual(layerTable(analysis).map((r) => r.layer), ['conv1', 'conv2', 'conv3']);
  });

  it('numbers: each carries a positive standard error and names a figure gen_plots shows', () => {
    const notebook = fs.readFileSync(path.join(packageRoot(), 'notebooks', 'gen_plots.ipynb'), 'utf8');
    for (const number of layerNumbers(analysis)) {
      assert.ok(Number.isFinite(number.se) && number.se > 0, `${number.key}: se = ${number.se}`);
      assert.ok(notebook.includes(`name: '${number.figure}'`), `${number.key}: figure ${number.figure} is not shown by gen_plots.ipynb`);
    }
    // The peak's error is the bootstrap error over the filters, at least the peak grid's rounding.
    const conv3 = analysis.angles.find((a) => a.layer === 'conv3')!;
    assert.ok(conv3.peakSe >= ANGLE_PEAK_GRID_STEP / Math.sqrt(12));
    assert.equal(testAccuracyNumber(0.9, 'fashion-mnist', 10000).se, 0.3, 'binomial: 100·√(0.9·0.1/10000)');
  });

  it('claim check: each verdict follows the evidence', () => {
    const row = (layer: string, d: number, r: number) => ({ layer, d, r, rSe: 0.01 });
    const rad = (degrees: number) => (degrees * Math.PI) / 180;
    // 32 filters whose angles have mean = peak and sd 2° (so both are uncertain by 2°/√32); binary layers' own weights predict the mean + `offset` degrees.
    const angle = (layer: string, d: number, peakDegrees: number, thresholdOverSigma: number | null, offset: number) => ({
      layer, d, peak: rad(peakDegrees), mean: rad(peakDegrees), sd: rad(2), angles: new Float64Array(32), peakSe: rad(2 / Math.sqrt(32)), meanSe: rad(2 / Math.sqrt(32)),
      theory: { angle: BINARY_LIMIT_ANGLE, thresholdOverSigma },
      weightShape: thresholdOverSigma === null ? { kurtosis: 3, shape: 2, angle: rad(peakDegrees + offset), sd: 0 } : null,
    });
    const made = (rs: number[], peaks: number[], slope: number, t: number | null = null, offset = 0) => ({
      layerSummary: [row('conv1', 9, rs[0]), row('conv2', 288, rs[1]), row('conv3', 576, rs[2])],
      angles: [angle('conv1', 9, peaks[0], t, offset), angle('conv2', 288, peaks[1], t, offset), angle('conv3', 576, peaks[2], t, offset)],
      angleSpread: { layers: ['conv1', 'conv2', 'conv3'], fit: { slope }, slopeSe: 0.03 },
    }) as unknown as NetworkAnalysis;
    assert.deepEqual(claimCheck(made([0.66, 0.9, 0.92], [35.8, 37.6, 37.6], -0.42)).map((c) => c.holds), [true, true, true, true]);
    assert.deepEqual(claimCheck(made([0.95, 0.9, 0.92], [37, 30, 45], -0.2, null, 2)).map((c) => c.holds), [false, false, false, false]);
    const checks = claimCheck(made([0.66, 0.9, 0.92], [35.8, 37.6, 37.6], -0.42));
    assert.match(checks[0].evidence, /^r = 0\.660 ± 0\.010 in conv1; lowest later layer conv2 r = 0\.900 ± 0\.010 \(17\.0 combined standard errors apart\)$/);
    assert.match(checks[1].evidence, /conv3 \(d = 576\) 0\.5 ± 0\.4° off/);
    assert.equal(checks[3].evidence, 'fitted slope -0.420 ± 0.030 over 3 layers');
    // The quick network's peaks: conv3 is 0.3° further off than conv1, well inside their standard errors.
    assert.equal(claimCheck(made([0.52, 0.89, 0.93], [39.1, 41.9, 39.4], -0.42))[1].holds, true);
    // The explanation: the mean against what the layer's own weights predict, with its standard error 2°/√32.
    const explained = claimCheck(made([0.66, 0.9, 0.92], [35.8, 37.6, 37.6], -0.42, null, 1))[2];
    assert.match(explained.claim, /^explanation \(beyond the paper\): each layer's mean filter angle is the one its own weight marginal predicts, within 3 standard errors$/);
    assert.match(explained.evidence, /^conv1 35\.80 ± 0\.35° vs 36\.80° \(2\.8 SE; kurtosis 3\.00\); conv2/);
    assert.equal(explained.holds, true); // 1° is 2.8 standard errors
    assert.equal(claimCheck(made([0.66, 0.9, 0.92], [35.8, 37.6, 37.6], -0.42, 0.6)).length, 3, 'a ternary network has no marginal prediction');
    // A ternary network is held to the ternary closed form, not to arccos √(2/π).
    assert.match(claimCheck(made([0.66, 0.9, 0.92], [35.8, 37.6, 37.6], -0.42))[1].claim, /^filter angles: near arccos √\(2\/π\) ≈ 37°/);
    assert.match(claimCheck(made([0.66, 0.9, 0.92], [35.8, 37.6, 37.6], -0.42, 0.6))[1].claim, /^filter angles: near arccos\(√2φ\(t\)\/√Q\(t\)\) at t\/σ/);
  });
});
