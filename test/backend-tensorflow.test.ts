/**
 * The tensorflow backend (tfjs-node): the project's custom gradients against the cpu backend,
 * checkpoints moving between tensorflow and wasm, and reproducible training. Skipped as a whole,
 * with the reason, where tfjs-node cannot load.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { BACKEND_ENV_VAR, initBackend } from '../lib/backend';
import { loadCheckpoint } from '../lib/train/checkpoint';
import { makeConfig, type NetworkConfig } from '../lib/model/config';
import { normalizeWithBatchStatistics } from '../lib/model/batch-norm';
import { createNetwork, disposeNetwork, forward, type Network } from '../lib/model/network';
import { steQuantizer } from '../lib/model/quantize';
import type { TrainOptions } from '../lib/train/options';
import { train } from '../lib/train/train';
import { createRng } from '../lib/stats/random';
import { assertClose, on, onTensorflowBackend, randomValues, relativeError, RELATIVE_TOLERANCE, runSnippet } from './backend-helpers';
import { randomImages } from './support/synthetic';

/** Runs `compute` on tensorflow and on cpu; returns both outputs. */
async function onTensorflowAndCpu(compute: () => tf.Tensor[]): Promise<{ tensorflow: Float32Array[]; cpu: Float32Array[] }> {
  return { tensorflow: await on('tensorflow', compute), cpu: await on('cpu', compute) };
}

/** Values with −0 turned into +0 (for gradients, where the sign of a zero means nothing). */
const plusZero = (values: Float32Array) => Array.from(values, (v) => v + 0);

describe('tensorflow backend (tfjs-node)', () => {
  onTensorflowBackend();

  describe('custom gradients match the cpu backend', () => {
    // The quantizers' edges, exactly: 0 and −0 (binarize: +1), ±1 (the straight-through window
    // is closed), ±0.5 (the ternary threshold used below), beyond the window, and float noise.
    const edges = [0, -0, 1, -1, 0.5, -0.5, 2, -2, 1e-30, -1e-30, 0.49999997, -0.50000006, 1.0000001, -0.99999994];
    const x = Float32Array.from([...edges, ...randomValues(createRng(31), [50]).map((v) => 1.5 * v)]);
    const r = randomValues(createRng(32), [x.length]); // weights of the loss Σ q(x) ⊙ r, so dL/dx = r where |x| ≤ 1

    for (const [levels, threshold] of [[2, 0], [3, 0.5]] as const) {
      const name = levels === 2 ? 'binarize' : `ternarize (threshold ${threshold})`;
      it(`${name}: value and straight-through gradient, exactly, at 0, −0, ±0.5, ±1, ±2`, async () => {
        const q = steQuantizer(levels, threshold);
        const compute = () => {
          const input = tf.tensor1d(x);
          return [q(input), tf.grad((v: tf.Tensor) => tf.sum(tf.mul(q(v), tf.tensor1d(r))))(input)];
        };
        const { tensorflow, cpu } = await onTensorflowAndCpu(compute);
        const expected = Array.from(x, (v) => (levels === 2 ? (v < 0 ? -1 : 1) : Math.abs(v) > threshold ? Math.sign(v) + 0 : 0));
        const expectedGradient = Array.from(x, (v, i) => (Math.abs(v) <= 1 ? r[i] : 0));
        // deepEqual on plain arrays compares with Object.is: a −0 from ternarize would fail it.
        assert.deepEqual(Array.from(tensorflow[0]), expected, 'value on tensorflow');
        assert.deepEqual(Array.from(cpu[0]), expected, 'value on cpu');
        assert.deepEqual(plusZero(tensorflow[1]), expectedGradient, 'gradient on tensorflow');
        assert.deepEqual(plusZero(cpu[1]), expectedGradient, 'gradient on cpu');
        assert.ok(expectedGradient.some((g) => g === 0) && expectedGradient.some((g) => g !== 0), 'the window masks some and passes some');
      });
    }

    // Shapes with the per-channel axes a network uses; the last is a rank-2 batch of one channel.
    const cases: { shape: number[]; axes: number[]; mean: number }[] = [
      { shape: [16, 6], axes: [0], mean: 0 },
      { shape: [4, 5, 5, 3], axes: [0, 1, 2], mean: 0 },
      { shape: [3, 7, 4, 8], axes: [0, 1, 2], mean: 20 }, // far from zero: cancellation in the variance
      { shape: [5, 1], axes: [0], mean: -3 },
    ];
    for (const { shape, axes, mean } of cases) {
      it(`batch norm with the batch statistics, rank ${shape.length} ${shape.join('×')} (mean ${mean}): x̂, μ, σ², dL/dx`, async () => {
        const xValues = randomValues(createRng(33), shape).map((v) => mean + 2 * v);
        const rValues = randomValues(createRng(34), shape);
        const compute = () => {
          const input = tf.tensor(xValues, shape);
          // μ and σ² are disposed after the callback: read them there.
          const stats: Float32Array[] = [];
          const xHat = normalizeWithBatchStatistics(input, axes, 1e-3, (m, v) => stats.push(m.dataSync() as Float32Array, v.dataSync() as Float32Array));
          const gradient = tf.grad((v: tf.Tensor) =>
            tf.sum(tf.mul(normalizeWithBatchStatistics(v, axes, 1e-3, () => undefined), tf.tensor(rValues, shape))),
          )(input);
          return [xHat, ...stats.map((values) => tf.tensor1d(values)), gradient];
        };
        const { tensorflow, cpu } = await onTensorflowAndCpu(compute);
        assert.equal(tensorflow.length, 4, 'onStatistics was called once with μ and σ²');
        assertClose(tensorflow, cpu, 'tensorflow vs cpu');
        const channels = shape[shape.length - 1];
        assert.equal(tensorflow[1].length, channels, 'μ has one value per channel');
        assert.ok(Math.abs(cpu[1][0] - mean) < 2, 'control: μ is near the mean the data were drawn with');
      });
    }

    // Integer inputs from a few values tie within most windows, as binary activations through a conv do.
    const pools: { shape: [number, number, number, number]; pad: 'same' | 'valid' }[] = [
      { shape: [3, 28, 28, 4], pad: 'same' },
      { shape: [2, 7, 7, 5], pad: 'same' }, // odd sides: the last window row and column are padding
      { shape: [2, 5, 6, 3], pad: 'valid' },
    ];
    for (const { shape, pad } of pools) {
      it(`max pooling 2×2 (${pad}, ${shape.join('×')}, ties in most windows): dL/dx goes to each window's first maximum, as on cpu`, async () => {
        const xValues = randomValues(createRng(35), shape).map((v) => Math.round(2 * v));
        const dyShape = [shape[0], ...[shape[1], shape[2]].map((side) => (pad === 'same' ? Math.ceil(side / 2) : Math.floor(side / 2))), shape[3]];
        const dyValues = randomValues(createRng(36), dyShape);
        const compute = () => {
          const input = tf.tensor4d(xValues, shape);
          return [tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(v as tf.Tensor4D, 2, 2, pad), tf.tensor(dyValues, dyShape))))(input)];
        };
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- tfjs-node's own kernel, loaded only where tfjs-node is
        const builtIn = (require('@tensorflow/tfjs-node/dist/kernels/MaxPoolGrad') as { maxPoolGradConfig: tf.KernelConfig }).maxPoolGradConfig.kernelFunc;
        await initBackend('tensorflow');
        assert.notEqual(tf.getKernel('MaxPoolGrad', 'tensorflow')?.kernelFunc, builtIn, "tfjs-node's own MaxPoolGrad was not replaced by the oneDNN one");
        const { tensorflow, cpu } = await onTensorflowAndCpu(compute);
        assert.deepEqual(plusZero(tensorflow[0]), plusZero(cpu[0]));
        const windows = dyValues.length;
        const routed = tensorflow[0].filter((g) => g !== 0).length;
        assert.ok(routed > 0.9 * windows && routed <= windows, `each window routes dy to one input (${routed} of ${windows})`);
      });
    }
  });

  describe('checkpoints move between tensorflow and wasm', () => {
    const config: NetworkConfig = makeConfig({ inputShape: [28, 28, 1], classes: 10, conv: [8, 16], maxPool: [true, true], fc: [32] });
    const options: TrainOptions = { epochs: 2, batchSize: 20, lrStart: 1e-2, lrEnd: 1e-3, lrSchedule: 'exponential', loss: 'hinge', seed: 0, checkpointEvery: 1 };
    const trainingSet = randomImages(100);
    const testSet = randomImages(200, [28, 28, 1], 10, 3);

    /** Logits of the test images in inference mode. */
    const logitsOf = (net: Network) =>
      tf.tidy(() => forward(net, tf.tensor4d(testSet.images, [testSet.count, ...testSet.shape]), 'infer').dataSync() as Float32Array);
    const argmaxOf = (logits: Float32Array) =>
      Array.from({ length: testSet.count }, (_, i) => {
        const row = Array.from(logits.subarray(i * config.classes, (i + 1) * config.classes));
        return row.indexOf(Math.max(...row));
      });
    const variablesOf = (net: Network) => net.layers.flatMap((l) => [l.weights, l.offset, l.movingMean, l.movingVariance]).map((v) => v.dataSync());

    // Measured here (x86-64, TensorFlow 2.21 with oneDNN, wasm SIMD): in both directions all 200
    // arg-maxes agree, no hidden ±1 activation flips (0 of 476,800), and the logits (|logit| up to
    // 11) differ by at most 9.5e-7, one float32 ulp; the smallest top-two logit gap is 0.01.
    for (const [from, to] of [['tensorflow', 'wasm'], ['wasm', 'tensorflow']] as const) {
      it(`trained on ${from}, loaded on ${to}: the same weights, the same predictions for 200 images, and training resumes`, async () => {
        await initBackend(from);
        const net = createNetwork(config, 7);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bnn-cross-'));
        await train(net, { train: trainingSet, validation: trainingSet, options, checkpointDir: dir });
        const trainedOn = (JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { backend: string }).backend;
        assert.equal(trainedOn, from, 'the manifest records the backend');
        const weights = variablesOf(net);
        const logits = logitsOf(net);

        await initBackend(to);
        const ck = loadCheckpoint(dir, config);
        assert.equal(tf.getBackend(), to);
        variablesOf(ck.net).forEach((w, i) => assert.deepEqual(w, weights[i], `variable ${i} changed on the way`));
        const loadedLogits = logitsOf(ck.net);
        const predicted = argmaxOf(logits);
        const loadedPredicted = argmaxOf(loadedLogits);
        const differ = predicted.filter((p, i) => p !== loadedPredicted[i]).length;
        assert.equal(differ, 0, `${differ} of ${testSet.count} predictions differ between ${from} and ${to}`);
        assert.ok(new Set(predicted).size > 1, 'control: the network does not predict one class for everything');
        const err = relativeError(loadedLogits, logits);
        assert.ok(err <= RELATIVE_TOLERANCE, `logits differ by ${err.toExponential(2)} relative`);

        // Adam's state comes along too: one more epoch on the other backend.
        const resumed = await train(ck.net, {
          train: trainingSet, validation: trainingSet, options: { ...ck.training!, epochs: 3 },
          resume: { epoch: ck.epoch, history: ck.history, optimizer: ck.optimizer },
        });
        assert.equal(resumed.epoch, 3);
        assert.ok(Number.isFinite(resumed.history[2].trainLoss), `train loss ${resumed.history[2].trainLoss}`);
        disposeNetwork(ck.net);
        await initBackend(from);
        disposeNetwork(net);
        fs.rmSync(dir, { recursive: true, force: true });
      });
    }
  });

  describe('in a fresh process', () => {
    /** Trains a small network 2 epochs on the backend BNN_BACKEND names; prints the description, then a SHA-256 of every variable. */
    const fingerprint =
      "const { createHash } = require('node:crypto'); const { initBackend } = require('./lib/backend');" +
      "const { makeConfig } = require('./lib/model/config'); const { createNetwork } = require('./lib/model/network');" +
      "const { train } = require('./lib/train/train'); const { randomImages } = require('./test/support/synthetic');" +
      '(async () => {' +
      '  console.log((await initBackend()).description);' +
      "  const net = createNetwork(makeConfig({ inputShape: [28, 28, 1], classes: 10, conv: [16, 32], maxPool: [true, true], fc: [64] }), 3);" +
      '  const data = randomImages(200);' +
      "  await train(net, { train: data, validation: data, options: { epochs: 2, batchSize: 50, lrStart: 1e-2, lrEnd: 1e-3, lrSchedule: 'exponential', loss: 'softmax', seed: 0, checkpointEvery: 0 } });" +
      "  const hash = createHash('sha256');" +
      '  for (const l of net.layers) for (const v of [l.weights, l.offset, l.movingMean, l.movingVariance]) hash.update(v.dataSync());' +
      "  console.log(hash.digest('hex'));" +
      '})();';

    it('the same seed gives bit-identical weights in two processes', () => {
      const run = () => runSnippet(fingerprint, { [BACKEND_ENV_VAR]: 'tensorflow' }).stdout.trim().split('\n');
      const [firstDescription, firstHash] = run();
      const [secondDescription, secondHash] = run();
      assert.match(firstDescription, /^backend: tensorflow \(tfjs-node, TensorFlow \d+\.\d+\.\d+ /);
      assert.equal(secondDescription, firstDescription);
      assert.match(firstHash, /^[0-9a-f]{64}$/);
      assert.equal(secondHash, firstHash, 'two trainings with the same seed gave different weights');
    });
  });
});
