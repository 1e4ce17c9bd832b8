import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../lib/backend';
import { checkpointExists, loadCheckpoint, readCheckpointInfo, saveCheckpoint } from '../lib/train/checkpoint';
import { NetworkConfig, makeConfig, validateConfig } from '../lib/model/config';
import { classify, inspect } from '../lib/model/evaluate';
import { createNetwork, disposeNetwork, forward, layerVariables, trainableVariables } from '../lib/model/network';
import { normalizeWithBatchStatistics } from '../lib/model/batch-norm';
import { binarizeTensor, latentWeightQuantizer, steQuantizer, ternarizeTensor } from '../lib/model/quantize';
import { binarize, ternarize } from '../lib/hd/vectors';
import { TrainOptions } from '../lib/train/options';
import { resumeRun } from '../lib/experiment/stored-run';
import { DivergenceError, divergenceBound, train, type TrainEvent } from '../lib/train/train';
import { ScheduledAdam } from '../lib/train/optimizer';
import { assertClose } from './stats-reference';
import { brightHalfImages, randomImages } from './support/synthetic';

const small = (levels: 2 | 3 = 2, threshold = 0): NetworkConfig =>
  makeConfig({ inputShape: [28, 28, 1], classes: 10, conv: [8, 16], maxPool: [true, true], fc: [32], levels, threshold });

const options = (o: Partial<TrainOptions> = {}): TrainOptions => ({
  epochs: 2, batchSize: 20, lrStart: 1e-2, lrEnd: 1e-3, lrSchedule: 'exponential', loss: 'hinge', seed: 0, checkpointEvery: 1, ...o,
});

const tmpDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'bnn-test-'));
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

async function weightsOf(net: ReturnType<typeof createNetwork>): Promise<Float32Array[]> {
  return Promise.all(net.layers.flatMap((l) => [l.weights, l.offset, l.movingMean, l.movingVariance]).map((v) => v.data() as Promise<Float32Array>));
}

describe('batch norm with the batch statistics', () => {
  before(() => initBackend());

  for (const shape of [[4, 3, 3, 2], [6, 5]]) {
    it(`rank ${shape.length}: x̂ and its written-out gradient match differentiating the formula op by op`, () => {
      const axes = shape.length === 4 ? [0, 1, 2] : [0];
      const size = shape.reduce((a, b) => a * b, 1);
      const x = tf.tensor(Array.from({ length: size }, (_, i) => Math.sin(1.7 * i) * (1 + (i % 3))), shape);
      const weights = tf.tensor(Array.from({ length: size }, (_, i) => Math.cos(0.9 * i)), shape);
      const epsilon = 1e-3;
      const byFormula = (v: tf.Tensor) => {
        const { mean, variance } = tf.moments(v, axes, true);
        return tf.mul(tf.sub(v, mean), tf.rsqrt(tf.add(variance, epsilon)));
      };
      const stats: number[][] = [];
      const ours = normalizeWithBatchStatistics(x, axes, epsilon, (mean, variance) => stats.push(Array.from(mean.dataSync()), Array.from(variance.dataSync())));
      const expected = tf.moments(x, axes);
      // TensorFlow's fused kernel sums in another order: equal to rounding.
      assertClose(Float32Array.from(stats[0]), expected.mean.dataSync(), { atol: 1e-6 }, 'batch mean');
      assertClose(Float32Array.from(stats[1]), expected.variance.dataSync(), { atol: 1e-6 }, 'batch variance');
      assert.equal(stats.length, 2);
      assertClose(ours.dataSync(), byFormula(x).dataSync(), { atol: 1e-6 }, 'x̂');
      const loss = (f: (v: tf.Tensor) => tf.Tensor) => (v: tf.Tensor) => tf.sum(tf.mul(f(v), weights));
      const ourGrad = tf.grad(loss((v) => normalizeWithBatchStatistics(v, axes, epsilon, () => undefined)))(x);
      const formulaGrad = tf.grad(loss(byFormula))(x);
      assert.ok(tf.max(tf.abs(formulaGrad)).dataSync()[0] > 0.1, 'the reference gradient is not trivially zero');
      assertClose(ourGrad.dataSync(), formulaGrad.dataSync(), { atol: 1e-5 }, 'dL/dx');
    });
  }
});

describe('straight-through quantizers', () => {
  before(() => initBackend());

  it('binarize maps 0 to +1 and passes the gradient only where |x| <= 1', () => {
    const q = steQuantizer(2, 0);
    const x = tf.tensor1d([-2, -1, -0.5, 0, 0.5, 1, 2]);
    assert.deepEqual(Array.from(q(x).dataSync()), [-1, -1, -1, 1, 1, 1, 1]);
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(q(v), tf.tensor1d([1, 2, 3, 4, 5, 6, 7]))))(x);
    assert.deepEqual(Array.from(g.dataSync()), [0, 2, 3, 4, 5, 6, 0]);
  });

  it('the tensor quantizers agree with the vector ones of lib/hd, signed zeros included', () => {
    const values = [-2, -0, 0, 0.5, 1, 2];
    const x = tf.tensor1d(values);
    const [b, t] = [binarizeTensor(x), ternarizeTensor(x, 0.5)];
    assert.deepEqual(Array.from(b.dataSync()), Array.from(binarize(values)));
    assert.deepEqual(Array.from(b.dataSync()), [-1, 1, 1, 1, 1, 1]);
    // Object.is tells +0 from −0: both ternarizers give +0 for every small value.
    assert.deepEqual(Array.from(t.dataSync()).map((v) => Object.is(v, -0)), values.map(() => false));
    assert.deepEqual(Array.from(t.dataSync()), Array.from(ternarize(values, 0.5)));
    assert.deepEqual(Array.from(t.dataSync()), [-1, 0, 0, 0, 1, 1]);
    tf.dispose([x, b, t]);
  });

  it("the latent weights' quantizer: the same values, the gradient unmasked (equal to the masked one on [−1, 1])", () => {
    for (const [levels, threshold] of [[2, 0], [3, 0.2]] as const) {
      const [masked, latent] = [steQuantizer(levels, threshold), latentWeightQuantizer(levels, threshold)];
      const x = tf.tensor1d([-2, -1, -0.3, 0, 0.1, 0.25, 1, 3]);
      const r = tf.tensor1d([1, 2, 3, 4, 5, 6, 7, 8]);
      const gradient = (q: (v: tf.Tensor) => tf.Tensor) => Array.from(tf.grad((v: tf.Tensor) => tf.sum(tf.mul(q(v), r)))(x).dataSync());
      assert.deepEqual(Array.from(latent(x).dataSync()), Array.from(masked(x).dataSync()));
      assert.deepEqual(gradient(latent), [1, 2, 3, 4, 5, 6, 7, 8]);
      assert.deepEqual(gradient(masked), [0, 2, 3, 4, 5, 6, 7, 0]);
      tf.dispose([x, r]);
    }
  });

  it('ternarize zeroes |x| <= threshold and has the same straight-through gradient', () => {
    const q = steQuantizer(3, 0.2);
    const x = tf.tensor1d([-1.5, -0.3, -0.2, 0, 0.1, 0.25, 3]);
    assert.deepEqual(Array.from(q(x).dataSync()), [-1, -1, 0, 0, 0, 1, 1]);
    const g = tf.grad((v: tf.Tensor) => tf.sum(q(v)))(x);
    assert.deepEqual(Array.from(g.dataSync()), [0, 1, 1, 1, 1, 1, 0]);
  });
});

describe('network', () => {
  before(() => initBackend());

  it('a quantized conv layer equals a float conv fed the quantized kernel', () => {
    const net = createNetwork(small(), 5);
    const set = randomImages(4);
    const { layers } = inspect(net, set);
    const conv1 = layers[0];
    // W^b by hand from the latent weights: −1 below zero, +1 at and above it.
    const signs = Float32Array.from(conv1.wc.values, (v) => (v < 0 ? -1 : 1));
    assert.deepEqual(Array.from(conv1.wb.values), Array.from(signs), 'W^b is the sign of every latent weight');
    const wb = tf.tensor4d(signs, conv1.wb.shape as [number, number, number, number]);
    const x = tf.tensor4d(set.images, [4, 28, 28, 1]);
    const z = tf.maxPool(tf.conv2d(x, wb, 1, 'same'), 2, 2, 'same');
    // moving stats are (0, 1) at creation, so batch norm is x / sqrt(1 + eps)
    const expected = tf.div(z, Math.sqrt(1 + 1e-3)).dataSync();
    const got = conv1.preAct.values;
    assert.equal(got.length, expected.length);
    got.forEach((g, i) => assert.ok(Math.abs(g - expected[i]) < 1e-5 * (1 + Math.abs(expected[i])), `pre-activation ${i}: ${g} vs ${expected[i]}`));
    tf.dispose([wb, x, z]);
    disposeNetwork(net);
  });

  it('rejects images of the wrong shape', () => {
    const net = createNetwork(small(), 1);
    const x = tf.zeros<tf.Rank.R4>([2, 32, 32, 3]);
    assert.throws(() => forward(net, x, 'infer'), /Input shape mismatch: got images of 32×32×3, the network expects 28×28×1/);
    x.dispose();
    disposeNetwork(net);
  });
});

for (const [levels, threshold, allowed] of [[2, 0, [-1, 1]], [3, 0.2, [-1, 0, 1]]] as const) {
  describe(`training, ${levels === 2 ? 'binary' : 'ternary (threshold 0.2)'} — the original bnn_test`, () => {
    before(() => initBackend());

    it('fit on 100 random images → inspect → save → load gives identical scores and traces', async () => {
      const config = small(levels, threshold);
      const data = randomImages(100);
      const net = createNetwork(config, 7);
      const dir = tmpDir();
      const result = await train(net, { train: data, validation: data, options: options({ epochs: 2 }), checkpointDir: dir });
      assert.equal(result.epoch, 2);
      assert.equal(result.history.length, 2);
      assert.ok(checkpointExists(dir));
      const before = inspect(net, data);
      const scores = classify(net, data);
      const loaded = loadCheckpoint(dir, config);
      assert.equal(loaded.epoch, 2);
      assert.deepEqual(classify(loaded.net, data), scores);
      const after = inspect(loaded.net, data);
      before.layers.forEach((l, i) => {
        assert.deepEqual(after.layers[i].postAct.values, l.postAct.values, `${l.name} activations differ after reload`);
        assert.deepEqual(after.layers[i].wc.values, l.wc.values);
      });
      for (const l of before.layers) {
        assert.ok(l.wb.values.every((v) => (allowed as readonly number[]).includes(v)), `${l.name} W^b outside ${allowed}`);
        assert.ok(l.wc.values.every((v) => v >= -1 && v <= 1), `${l.name} latent weights outside [-1, 1]`);
      }
      if (levels === 3) {
        const zeros = before.layers[0].wb.values.filter((v) => v === 0).length;
        assert.ok(zeros > 0, 'ternary weights should include zeros at threshold 0.2');
      }
      assert.equal(before.layers[0].input.values.length, 100 * 28 * 28);
      assert.deepEqual(before.layers[1].preAct.shape, [100, 7, 7, 16]);
      disposeNetwork(net);
      disposeNetwork(loaded.net);
    });
  });
}

describe('training loop', () => {
  before(() => initBackend());

  it("batch events carry the whole run's ETA: the last batch of epoch 1 of 3 still has two epochs to go, the run's last none", async () => {
    const net = createNetwork(small(), 3);
    const events: Extract<TrainEvent, { kind: 'batch' }>[] = [];
    await train(net, {
      train: randomImages(40), validation: randomImages(20), options: options({ epochs: 3 }),
      onEvent: (e) => { if (e.kind === 'batch') events.push(e); },
    });
    const endOfFirst = events.filter((e) => e.epoch === 1).at(-1)!;
    assert.ok(Math.abs(endOfFirst.etaSeconds - (2 * endOfFirst.batches * 20) / endOfFirst.imagesPerSecond) < 1e-9);
    assert.equal(events.at(-1)!.etaSeconds, 0);
    disposeNetwork(net);
  });

  it('loss falls and accuracy rises on a learnable problem', async () => {
    const config = makeConfig({ inputShape: [12, 12, 1], classes: 2, conv: [8], maxPool: [true], fc: [16] });
    const net = createNetwork(config, 3);
    const data = brightHalfImages(600);
    const val = brightHalfImages(200, 9);
    const { history } = await train(net, { train: data, validation: val, options: options({ epochs: 4, lrStart: 3e-3 }) });
    assert.ok(history[3].trainLoss < 0.7 * history[0].trainLoss, `loss ${history.map((h) => h.trainLoss)}`);
    assert.ok(history[3].validationAccuracy > 0.85, `validation accuracy ${history[3].validationAccuracy}`);
    disposeNetwork(net);
  });

  it("sets Adam's rate per epoch on the exponential schedule and per batch along the cosine", async () => {
    const rates: number[] = [];
    // Recorded on the prototype: train() makes its own optimizer. Restored below; called with that optimizer as `this`.
    // eslint-disable-next-line @typescript-eslint/unbound-method
    const setLearningRate = ScheduledAdam.prototype.setLearningRate;
    ScheduledAdam.prototype.setLearningRate = function (this: ScheduledAdam, lr: number) {
      rates.push(lr);
      setLearningRate.call(this, lr);
    };
    const runs: Record<string, number[][]> = {};
    try {
      for (const lrSchedule of ['exponential', 'cosine'] as const) {
        rates.length = 0;
        const net = createNetwork(small(), 1);
        // 60 images in batches of 20: three steps per epoch.
        const { history } = await train(net, { train: randomImages(60), validation: randomImages(20), options: options({ lrSchedule }) });
        runs[lrSchedule] = [[...rates], history.map((h) => h.learningRate)];
        disposeNetwork(net);
      }
    } finally {
      ScheduledAdam.prototype.setLearningRate = setLearningRate;
    }
    const e = 1e-2 * Math.sqrt(0.1); // 1e-2 · (1e-3 / 1e-2)^(1/2)
    assert.deepEqual(runs.exponential, [[1e-2, 1e-2, 1e-2, e, e, e], [1e-2, e]]);
    // lrEnd + (lrStart − lrEnd)·(1 + cos(π·t/2))/2 at t = 0, 1/3, …, 5/3 epochs: cos = 1, √3/2, 1/2, 0, −1/2, −√3/2.
    const cosine = [1, Math.sqrt(3) / 2, 0.5, 0, -0.5, -Math.sqrt(3) / 2].map((c) => 1e-3 + 9e-3 * ((1 + c) / 2));
    assertClose(runs.cosine[0], cosine, { rtol: 1e-14 }, 'the rate of each batch');
    assert.deepEqual(runs.cosine[1], [runs.cosine[0][0], runs.cosine[0][3]], "an epoch records its first batch's rate");
  });

  it('keeps latent weights in [-1, 1] even with a huge learning rate', async () => {
    const net = createNetwork(small(), 2);
    const data = randomImages(60);
    await train(net, { train: data, validation: data, options: options({ epochs: 1, lrStart: 5, lrEnd: 5 }) });
    for (const v of trainableVariables(net).filter((t) => t.name.endsWith('/W'))) {
      const w = v.dataSync();
      assert.ok(w.every((x) => x >= -1 && x <= 1));
      assert.ok(w.some((x) => Math.abs(x) === 1), 'a step of size 5 must hit the clip');
    }
    disposeNetwork(net);
  });

  it('same seed and backend give identical weights', async () => {
    const data = randomImages(60);
    const runs: Float32Array[][] = [];
    for (let r = 0; r < 2; r++) {
      const net = createNetwork(small(), 11);
      await train(net, { train: data, validation: data, options: options({ epochs: 1, seed: 4 }) });
      runs.push(await weightsOf(net));
      disposeNetwork(net);
    }
    runs[0].forEach((w, i) => assert.deepEqual(runs[1][i], w));
  });

  it('resuming from a checkpoint reproduces an uninterrupted run exactly', async () => {
    const data = randomImages(60);
    const straight = createNetwork(small(), 12);
    const straightRun = await train(straight, { train: data, validation: data, options: options({ epochs: 2 }) });
    // Stop a second run right after its epoch-1 checkpoint, then resume from it.
    const half = createNetwork(small(), 12);
    const halfDir = tmpDir();
    let stopAfterEpoch = false;
    await train(half, {
      train: data, validation: data, options: options({ epochs: 2, checkpointEvery: 1 }), checkpointDir: halfDir,
      onEvent: (e) => { if (e.kind === 'checkpoint') stopAfterEpoch = true; },
      shouldStop: () => stopAfterEpoch,
    });
    const ck = loadCheckpoint(halfDir, small());
    assert.equal(ck.epoch, 1);
    const resumed = await train(ck.net, {
      train: data, validation: data, options: ck.training!,
      resume: { epoch: ck.epoch, history: ck.history, optimizer: ck.optimizer, initialGeometry: ck.initialGeometry },
    });
    assert.equal(resumed.epoch, 2);
    assert.equal(resumed.history.length, 2);
    // The weights' geometry record continues as if never interrupted (flips counted against the checkpoint's signs).
    assert.deepEqual(resumed.initialGeometry, straightRun.initialGeometry);
    assert.deepEqual(resumed.history.map((h) => h.geometry), straightRun.history.map((h) => h.geometry));
    assert.ok(straightRun.history[1].geometry!.every((g) => g.flipped !== null));
    const [a, b] = [await weightsOf(straight), await weightsOf(ck.net)];
    a.forEach((w, i) => assert.deepEqual(b[i], w, `tensor ${i} differs after resume`));
    for (const n of [straight, half, ck.net]) disposeNetwork(n);
  });

  it('keeps tf.memory().numTensors flat across epochs, inspect and classify', async () => {
    const data = randomImages(60);
    const net = createNetwork(small(), 1);
    await train(net, { train: data, validation: data, options: options({ epochs: 1 }) }); // warm-up
    const base = tf.memory().numTensors;
    const perEpoch: number[] = [];
    await train(net, {
      train: data, validation: data, options: options({ epochs: 3 }), checkpointDir: tmpDir(),
      onEvent: (e) => { if (e.kind === 'epoch') perEpoch.push(tf.memory().numTensors); },
    });
    assert.equal(perEpoch.length, 3);
    assert.deepEqual(perEpoch, [perEpoch[0], perEpoch[0], perEpoch[0]]);
    assert.equal(tf.memory().numTensors, base);
    for (let i = 0; i < 3; i++) {
      inspect(net, data);
      classify(net, data);
    }
    assert.equal(tf.memory().numTensors, base);
    disposeNetwork(net);
  });

  // A NaN in the output layer's batch-norm offset β makes every logit NaN in the very next forward
  // pass on any backend: logits = x̂ + β, with no activation or pooling after it that could drop a
  // NaN. Softmax then gives a NaN loss. The hinge's relu gives NaN too on tensorflow, wasm and cpu
  // today, but a relu may map NaN to 0 and so hide it from the loss: the output check catches it
  // either way, and the message must say so.
  for (const [loss, lossIs] of [
    ['softmax', 'NaN'],
    ['hinge', '(NaN|\\d\\S*)'],
  ] as const) {
    it(`stops on NaN (${loss} loss), says where, and leaves the last good checkpoint intact`, async () => {
      const data = randomImages(60);
      const config = makeConfig({ inputShape: [28, 28, 1], classes: 10, conv: [8, 16], maxPool: [true, true], fc: [32], continuous: true });
      const net = createNetwork(config, 1);
      const dir = tmpDir();
      let manifest: string | undefined;
      let goodWeights: Float32Array[] = [];
      const output = net.layers[net.layers.length - 1];
      const run = train(net, {
        train: data, validation: data, options: options({ epochs: 2, loss }), checkpointDir: dir,
        onEvent: (e) => {
          if (e.kind !== 'checkpoint') return;
          assert.equal(e.epoch, 1, 'training went past the poisoned epoch');
          manifest = fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8');
          goodWeights = net.layers.flatMap((l) => [l.weights, l.offset]).map((v) => v.dataSync() as Float32Array);
          output.offset.assign(tf.fill(output.offset.shape, NaN)); // poisoned right after the epoch-1 checkpoint
        },
      });
      const where = new RegExp(
        `^Training diverged at epoch 2, batch 1: the loss is ${lossIs} and the network outputs are not finite\\. ` +
          `The last good checkpoint \\(epoch 1\\) is in ${escapeRegExp(dir)}\\. The learning rate was 0\\.00316 in this epoch: lower lrStart \\(now 0\\.01\\)`,
      );
      await assert.rejects(run, (err: Error) => {
        assert.ok(err instanceof DivergenceError, `not a DivergenceError: ${err.stack}`);
        assert.match(err.message, where);
        return true;
      });
      assert.equal(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'), manifest, 'the checkpoint was rewritten');
      const ck = loadCheckpoint(dir);
      assert.equal(ck.epoch, 1);
      const loaded = ck.net.layers.flatMap((l) => [l.weights, l.offset]).map((v) => v.dataSync() as Float32Array);
      assert.equal(loaded.length, goodWeights.length);
      loaded.forEach((w, i) => assert.deepEqual(w, goodWeights[i], `checkpoint tensor ${i} is not the epoch-1 one`));
      tf.dispose(ck.optimizer?.map((t) => t.tensor));
      disposeNetwork(net);
      disposeNetwork(ck.net);
    });
  }

  it('stops a finite but exploded loss (a runaway rate) before it is saved as a checkpoint', async () => {
    const data = randomImages(60);
    const net = createNetwork(small(), 1);
    const dir = tmpDir();
    await assert.rejects(train(net, { train: data, validation: data, options: options({ epochs: 1, lrStart: 1e6, lrEnd: 1e6 }), checkpointDir: dir }), (err: Error) => {
      assert.ok(err instanceof DivergenceError, err.stack);
      const loss = /the loss is (\S+), over 100 times that of an all-zero output \(1\.00\)\. This run wrote no checkpoint\./.exec(err.message);
      assert.ok(loss, err.message);
      assert.ok(Number(loss[1]) > 100 && Number.isFinite(Number(loss[1])), `a finite loss above the bound, not ${loss[1]}`);
      return true;
    });
    assert.deepEqual(fs.readdirSync(dir), [], 'nothing may be saved');
    assert.equal(divergenceBound('softmax', 10), 100 * Math.log(10));
    // On the cosine the rate changes every batch: the message gives the batch's.
    const cosine = options({ epochs: 1, lrStart: 1e6, lrEnd: 1e5, lrSchedule: 'cosine' });
    await assert.rejects(train(net, { train: data, validation: data, options: cosine }), /The learning rate was \S+ at this batch: lower lrStart \(now 1000000\)/);
    disposeNetwork(net);
  });

  it('refuses to save non-finite batch-norm statistics, and names the checkpoint a resume started from', async () => {
    const data = randomImages(60);
    const dir = tmpDir();
    const first = createNetwork(small(), 1);
    let stop = false;
    await train(first, {
      train: data, validation: data, options: options({ epochs: 2 }), checkpointDir: dir,
      onEvent: (e) => { stop ||= e.kind === 'checkpoint'; }, shouldStop: () => stop,
    });
    disposeNetwork(first);
    const manifest = fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8');
    const ck = loadCheckpoint(dir);
    const conv1 = ck.net.layers[0];
    await assert.rejects(train(ck.net, {
      train: data, validation: data, options: ck.training!, checkpointDir: dir,
      resume: { epoch: ck.epoch, history: ck.history, optimizer: ck.optimizer, dir },
      onEvent: (e) => {
        if (e.kind === 'batch' && e.batch === e.batches) conv1.movingVariance.assign(tf.fill(conv1.movingVariance.shape, Infinity));
      },
    }), {
      message: `Training diverged: conv1/moving_variance is not finite after epoch 2; no checkpoint was written for it. ` +
        `The last good checkpoint (epoch 1) is in ${dir}. The learning rate was 0.00316 in this epoch: lower lrStart (now 0.01).`,
    });
    assert.equal(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'), manifest);
    disposeNetwork(ck.net);
  });

  it('a checkpoint that cannot be saved (disk full) is an error that says what is kept; the last good one stays whole', async () => {
    const data = randomImages(60);
    const net = createNetwork(small(), 1);
    const dir = tmpDir();
    // The module object itself (this file's `fs` is a read-only namespace over it); the second
    // checkpoint's weights hit a full disk.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the mutable module object, see above
    const nodeFs = require('node:fs') as { writeFileSync: typeof fs.writeFileSync };
    const writeFileSync = nodeFs.writeFileSync;
    const full = (file: fs.PathOrFileDescriptor, ...rest: unknown[]) => {
      if (String(file).includes('weights-epoch0002')) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      return (writeFileSync as (...a: unknown[]) => void)(file, ...rest);
    };
    nodeFs.writeFileSync = full;
    try {
      await assert.rejects(train(net, { train: data, validation: data, options: options({ epochs: 2 }), checkpointDir: dir }), {
        message:
          `Could not save the checkpoint of epoch 2 in ${dir} (ENOSPC: no space left on device, write). ` +
          `The last good checkpoint (epoch 1) is kept in ${dir}. Free some space or choose another --out, then train again.`,
      });
    } finally {
      nodeFs.writeFileSync = writeFileSync;
    }
    const kept = loadCheckpoint(dir);
    assert.equal(kept.epoch, 1);
    assert.deepEqual(fs.readdirSync(dir).map((n) => n.replace(/-[0-9a-f]{16}\.bin$/, '-<sha>.bin')).sort(),
      ['.bnn-geometry', 'manifest.json', 'weights-epoch0001-<sha>.bin'], 'no temporary file is left');
    kept.optimizer?.forEach((o) => o.tensor.dispose());
    disposeNetwork(kept.net);
    disposeNetwork(net);
  });

  it('a manifest is never paired with another save\'s weights, and a changed byte is named as corruption', async () => {
    const dir = tmpDir();
    const first = createNetwork(small(), 0);
    await saveCheckpoint(dir, first, { epoch: 1, history: [] });
    const firstWeights = (await tf.io.encodeWeights(first.layers.flatMap(layerVariables).map((v) => ({ name: v.name, tensor: v })))).data;
    // Another run saves the same epoch into the folder and dies between its weights and its manifest.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the mutable module object (see the disk-full test)
    const nodeFs = require('node:fs') as { renameSync: typeof fs.renameSync };
    const renameSync = nodeFs.renameSync;
    nodeFs.renameSync = (from, to) => {
      if (String(to).endsWith('manifest.json')) throw new Error('killed before the manifest');
      renameSync(from, to);
    };
    const second = createNetwork(small(), 7);
    try {
      await assert.rejects(saveCheckpoint(dir, second, { epoch: 1, history: [] }), /killed before the manifest/);
    } finally {
      nodeFs.renameSync = renameSync;
    }
    const kept = loadCheckpoint(dir);
    const keptWeights = (await tf.io.encodeWeights(kept.net.layers.flatMap(layerVariables).map((v) => ({ name: v.name, tensor: v })))).data;
    assert.ok(Buffer.from(keptWeights).equals(Buffer.from(firstWeights)), 'the manifest of the first save loaded the second save\'s weights');
    disposeNetwork(kept.net);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { weightsFile: string };
    const weights = path.join(dir, manifest.weightsFile);
    const bytes = fs.readFileSync(weights);
    bytes[100] ^= 1;
    fs.writeFileSync(weights, bytes);
    const before = tf.memory().numTensors;
    assert.throws(() => loadCheckpoint(dir), {
      message: `Checkpoint ${weights} is corrupt: its content differs from what the manifest recorded (SHA-256). Restore it or train again.`,
    });
    assert.equal(tf.memory().numTensors, before);
    disposeNetwork(first);
    disposeNetwork(second);
  });

  it('rejects non-finite pixels before training', async () => {
    const net = createNetwork(small(), 1);
    const data = randomImages(60);
    data.images[784 * 3 + 5] = NaN;
    await assert.rejects(train(net, { train: data, validation: data, options: options() }), /training set: image 3 has a non-finite pixel \(NaN\) at offset 5/);
    disposeNetwork(net);
  });
});

describe('bad input', () => {
  before(() => initBackend());
  const base = small();

  const cases: [string, Partial<NetworkConfig>, RegExp][] = [
    ['levels', { levels: 4 as 2 }, /levels = 4; use 2 \(binary\) or 3 \(ternary\)/],
    ['ternary threshold', { levels: 3, threshold: 1.5 }, /threshold = 1.5 for ternary; it must lie in \(0, 1\)/],
    ['ternary threshold 0', { levels: 3, threshold: 0 }, /threshold = 0 for ternary/],
    ['maxPool length', { maxPool: [true] }, /maxPool has 1 entries but conv has 2/],
    ['maxPool entry', { maxPool: [true, 1 as unknown as boolean] }, /maxPool\[1\] = 1; each entry is true or false/],
    ['binWeights length', { binWeights: [true, true, true] }, /binWeights has 3 entries but conv has 2/],
    ['binActs length', { binActs: [] }, /binActs has 0 entries but conv has 2/],
    ['conv size', { conv: [8, 0], maxPool: [true, true] }, /conv\[1\] = 0; every entry must be a positive integer/],
    ['fc size', { fc: [-3] }, /fc\[0\] = -3/],
    ['even filter', { filterSize: 4 }, /filterSize = 4; use an odd size/],
    ['quantizeFc', { quantizeFc: 'yes' as unknown as boolean }, /quantizeFc = "yes"; it is true or false/],
  ];
  for (const [what, change, message] of cases) {
    it(`rejects a bad ${what}`, () => assert.throws(() => validateConfig({ ...base, ...change }), message));
  }

  it('rejects labels out of range and images of the wrong shape', async () => {
    const net = createNetwork(base, 1);
    const bad = randomImages(40);
    (bad.labels as Int32Array)[7] = 10;
    await assert.rejects(train(net, { train: bad, validation: bad, options: options() }), /label 10 at index 7 is out of range; labels must be integers in \[0, 9\]/);
    const rgb = randomImages(40, [32, 32, 3]);
    await assert.rejects(train(net, { train: rgb, validation: rgb, options: options() }), /images are 32×32×3 but the network expects 28×28×1/);
    await assert.rejects(train(net, { train: randomImages(40), validation: randomImages(10), options: options({ batchSize: 0 }) }), /batchSize = 0/);
    disposeNetwork(net);
  });

  /** The manifest fields this test corrupts on purpose. */
  interface EditableManifest {
    weightSpecs: { name: string; shape: number[]; dtype: string }[];
    weightsFile: string;
    config?: unknown;
    epoch: unknown;
  }

  it('names the first mismatch when a checkpoint does not fit the architecture', async () => {
    const net = createNetwork(base, 1);
    const dir = tmpDir();
    await saveCheckpoint(dir, net, { epoch: 0, history: [] });
    const other = makeConfig({ inputShape: [28, 28, 1], classes: 10, conv: [8, 32], maxPool: [true, true], fc: [32] });
    assert.throws(() => loadCheckpoint(dir, other), /does not match the requested architecture \(expected vs checkpoint\) at config\.conv\[1\]: 32 vs 16/);
    const manifestPath = path.join(dir, 'manifest.json');
    const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as EditableManifest;
    manifest.weightSpecs.find((s) => s.name === 'conv2/W')!.shape = [3, 3, 16, 8];
    fs.writeFileSync(manifestPath, JSON.stringify(manifest));
    assert.throws(() => loadCheckpoint(dir), /conv2\/W has shape \[3,3,16,8\] but the architecture needs \[3,3,8,16\]/);
    fs.truncateSync(path.join(dir, manifest.weightsFile), 100);
    assert.throws(() => loadCheckpoint(dir), /is truncated or corrupt: 100 bytes, the manifest needs/);
    assert.throws(() => loadCheckpoint(path.join(dir, 'nope')), /No checkpoint at .*manifest\.json is missing/);
    // Failed loads free what they decoded: a shape mismatch (before the network exists) and a dtype
    // error (after), with Adam's state in the file.
    const trained = createNetwork(base, 2);
    await train(trained, { train: randomImages(40), validation: randomImages(20), options: options({ epochs: 1 }), checkpointDir: dir });
    const withAdam = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as EditableManifest;
    const before = tf.memory().numTensors;
    withAdam.weightSpecs.find((s) => s.name === 'conv2/W')!.shape = [3, 3, 16, 8];
    fs.writeFileSync(manifestPath, JSON.stringify(withAdam));
    assert.throws(() => loadCheckpoint(dir), /conv2\/W has shape/);
    withAdam.weightSpecs.find((s) => s.name === 'conv2/W')!.shape = [3, 3, 8, 16];
    withAdam.weightSpecs.find((s) => s.name === 'output/beta')!.dtype = 'uint8';
    fs.writeFileSync(manifestPath, JSON.stringify(withAdam));
    assert.throws(() => loadCheckpoint(dir), /weightSpecs\[\d+\] \(output\/beta\) has dtype "uint8"; checkpoints hold float32/);
    // A bad shape on the last spec, which decoding reaches only after making every other tensor.
    withAdam.weightSpecs.find((s) => s.name === 'output/beta')!.dtype = 'float32';
    const last = withAdam.weightSpecs[withAdam.weightSpecs.length - 1];
    const size = last.shape.reduce((a, b) => a * b, 1);
    last.shape = [size / 2, 2.5];
    fs.writeFileSync(manifestPath, JSON.stringify(withAdam));
    assert.throws(() => loadCheckpoint(dir), new RegExp(`weightSpecs\\[${withAdam.weightSpecs.length - 1}\\] \\(${last.name.replace(/\//g, '\\/')}\\) has shape \\[.*2\\.5\\]; a shape is a list of positive whole numbers`));
    assert.equal(tf.memory().numTensors, before, 'tensors leaked by failed loads');
    disposeNetwork(trained);
    delete manifest.config;
    manifest.epoch = '3';
    fs.writeFileSync(manifestPath, JSON.stringify(manifest));
    assert.throws(() => loadCheckpoint(dir), {
      message: `Corrupt checkpoint manifest ${manifestPath}: config, epoch are missing or of the wrong type. Train again or restore the file.`,
    });
    disposeNetwork(net);
  });

  it('names the manifest field that is wrong, before anything is allocated', async () => {
    const net = createNetwork(base, 1);
    const dir = tmpDir();
    await saveCheckpoint(dir, net, { epoch: 1, history: [], training: options({ epochs: 2 }), run: { profile: 'custom', dataset: 'mnist' } });
    disposeNetwork(net);
    const manifestPath = path.join(dir, 'manifest.json');
    const saved = fs.readFileSync(manifestPath, 'utf8');
    const cases: [string, (m: Record<string, unknown>) => void, RegExp][] = [
      ['negative epoch', (m) => (m.epoch = -1), /epoch is -1; it must be a whole number ≥ 0/],
      ['fractional epoch', (m) => (m.epoch = 1.5), /epoch is 1\.5; it must be a whole number ≥ 0/],
      ['history text', (m) => (m.history = 'garbage'), /history is "garbage"; it must be a list of epoch records/],
      ['history entry', (m) => (m.history = [null]), /history\[0\] is null; each entry records an epoch's number and losses/],
      ['training', (m) => ((m.training as Record<string, unknown>).lrStart = -1), /training: Invalid training option: lrStart = -1; use a positive number such as 0\.001/],
      ['schedule', (m) => ((m.training as Record<string, unknown>).lrSchedule = 'linear'), /training: Invalid training option: lrSchedule = "linear"; use one of: exponential, cosine/],
      ['run', (m) => (m.run = null), /run is null; it must name the profile and dataset/],
      ['weights outside', (m) => (m.weightsFile = '../../etc/passwd'), /weightsFile is "\.\.\/\.\.\/etc\/passwd"; it must be a file name in the checkpoint folder/],
      ['spec without shape', (m) => delete (m.weightSpecs as Record<string, unknown>[])[0].shape, /weightSpecs\[0\] \(conv1\/W\) has shape undefined; a shape is a list of positive whole numbers/],
      ['huge layer', (m) => ((m.config as { conv: number[] }).conv[0] = 1e8), /conv\[0\] = 100000000; at most 65536 units per layer/],
    ];
    const before = tf.memory().numTensors;
    for (const [what, corrupt, message] of cases) {
      const manifest = JSON.parse(saved) as Record<string, unknown>;
      corrupt(manifest);
      fs.writeFileSync(manifestPath, JSON.stringify(manifest));
      assert.throws(() => loadCheckpoint(dir), message, what);
    }
    assert.equal(tf.memory().numTensors, before);
    // Saved before schedules had names: every run then decayed once per epoch.
    const unnamed = JSON.parse(saved) as { training: Record<string, unknown> };
    delete unnamed.training.lrSchedule;
    fs.writeFileSync(manifestPath, JSON.stringify(unnamed));
    assert.equal(readCheckpointInfo(dir).training?.lrSchedule, 'exponential');
    // An older save without its training options or data cannot be resumed exactly.
    const old = JSON.parse(saved) as Record<string, unknown>;
    delete old.training;
    fs.writeFileSync(manifestPath, JSON.stringify(old));
    assert.throws(() => resumeRun({}, dir), new RegExp(`^Error: Checkpoint ${dir} does not record its training options \\(an older save\\), so it cannot be resumed exactly\\.`));
  });
});
