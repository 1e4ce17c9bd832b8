/**
 * The TensorFlow graphs of tfjs-node against the same work run eagerly, op by op: the training
 * step (train/graph-step.ts) against tfjs's gradient tape through model/network.ts's forward pass,
 * then the clip, Adam written out as TensorFlow's ApplyAdam computes it, and the weight clip; the
 * inference graph (model/graph-inference.ts) against the eager forward pass. Both run TensorFlow's
 * kernels in the same order, so every value must agree bit for bit.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { onTensorflowBackend } from './backend-helpers';
import { makeConfig, type ArchitectureOptions } from '../lib/model/config';
import { lossFunction, type LossName } from '../lib/model/loss';
import { createNetwork, disposeNetwork, disposeTraces, forward, layerVariables, trainableVariables, type LayerTrace, type Network } from '../lib/model/network';
import { ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON, ScheduledAdam } from '../lib/train/optimizer';
import { trainStep } from '../lib/train/train';
import { randomImages } from './support/synthetic';

type Moments = Map<string, [tf.Tensor, tf.Tensor]>;

/** One eager step with tfjs ops on tfjs-node: what the graph computes, node for node. */
function eagerStep(net: Network, moments: Moments, t: number, lr: number, x: tf.Tensor4D, y: tf.Tensor1D, loss: LossName): number {
  return tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => lossFunction(loss)(forward(net, x, 'train'), y, net.config.classes), trainableVariables(net));
    const alpha = tf.div(tf.mul(lr, tf.sqrt(tf.sub(1, tf.scalar(ADAM_BETA2 ** t)))), tf.sub(1, tf.scalar(ADAM_BETA1 ** t)));
    for (const variable of trainableVariables(net)) {
      const g = tf.clipByValue(grads[variable.name], -1, 1);
      const [m, v] = moments.get(variable.name) ?? [tf.zerosLike(variable), tf.zerosLike(variable)];
      const m1 = tf.add(m, tf.mul(tf.sub(g, m), 1 - Math.fround(ADAM_BETA1)));
      const v1 = tf.add(v, tf.mul(tf.sub(tf.square(g), v), 1 - Math.fround(ADAM_BETA2)));
      const w1 = tf.sub(variable, tf.div(tf.mul(m1, alpha), tf.add(tf.sqrt(v1), ADAM_EPSILON)));
      tf.dispose(moments.get(variable.name));
      moments.set(variable.name, [tf.keep(m1), tf.keep(v1)]);
      variable.assign(variable.name.endsWith('/W') ? tf.clipByValue(w1, -1, 1) : w1);
    }
    return value.dataSync()[0];
  });
}

function bitsOf(tensors: tf.Tensor[]): Uint32Array[] {
  return tensors.map((t) => new Uint32Array((t.dataSync() as Float32Array).slice().buffer));
}

/** How many values differ in their bits, per variable name, or an empty list. */
function differences(names: string[], a: Uint32Array[], b: Uint32Array[]): string[] {
  return names.flatMap((name, i) => {
    const count = a[i].reduce((n, bits, k) => n + (bits === b[i][k] ? 0 : 1), 0);
    return count > 0 ? [`${name}: ${count} of ${a[i].length}`] : [];
  });
}

const CASES: { name: string; architecture: ArchitectureOptions; loss: LossName; batch: number }[] = [
  {
    name: 'binary, squared hinge, the quick profile network',
    architecture: { inputShape: [28, 28, 1], classes: 10, conv: [32, 64, 128], maxPool: [true, true, false], fc: [256] },
    loss: 'hinge',
    batch: 50,
  },
  {
    // Two binary convs the native kernel runs (backend/binary-conv.ts): 70 channels in (past one 64-bit word), 5×5 windows, 13 filters.
    name: 'binary, softmax, odd sizes, 5×5 windows',
    architecture: { inputShape: [9, 7, 2], classes: 5, conv: [70, 13, 9], maxPool: [false, true, false], fc: [], filterSize: 5 },
    loss: 'softmax',
    batch: 6,
  },
  {
    name: 'ternary, softmax, odd sizes pooled with padding, two fc layers',
    architecture: { inputShape: [13, 11, 3], classes: 7, conv: [8, 12], maxPool: [true, true], fc: [20, 16], levels: 3, threshold: 0.05 },
    loss: 'softmax',
    batch: 9,
  },
  {
    name: 'ternary, softmax, fully connected only',
    architecture: { inputShape: [13, 11, 3], classes: 7, conv: [], maxPool: [], fc: [20, 16], levels: 3, threshold: 0.05 },
    loss: 'softmax',
    batch: 9,
  },
  {
    name: 'full precision, no pooling',
    architecture: { inputShape: [8, 8, 2], classes: 4, conv: [6], maxPool: [false], fc: [10], continuous: true },
    loss: 'hinge',
    batch: 16,
  },
];

describe('training and inference as TensorFlow graphs (tfjs-node)', () => {
  onTensorflowBackend();

  for (const c of CASES) {
    it(`${c.name}: three steps give the eager step's weights, batch-norm statistics and Adam moments, then the eager logits, bit for bit`, () => {
      const config = makeConfig(c.architecture);
      const [graphNet, eagerNet] = [createNetwork(config, 5), createNetwork(config, 5)];
      const data = randomImages(c.batch, c.architecture.inputShape, c.architecture.classes, 3);
      const x = tf.tensor4d(data.images, [c.batch, ...c.architecture.inputShape]);
      const y = tf.tensor1d(Array.from(data.labels), 'int32');
      const optimizer = new ScheduledAdam(0.01);
      const moments: Moments = new Map();
      const shortName = (v: tf.Variable) => v.name.replace(/^bnn\d+\//, '');
      const names = graphNet.layers.flatMap(layerVariables).map(shortName);
      for (let t = 1; t <= 3; t++) {
        const graph = trainStep(graphNet, optimizer, x, y, c.loss);
        const eagerLoss = eagerStep(eagerNet, moments, t, 0.01, x, y, c.loss);
        assert.equal(graph.loss, eagerLoss, `step ${t}: loss`);
        const diff = differences(names, bitsOf(graphNet.layers.flatMap(layerVariables)), bitsOf(eagerNet.layers.flatMap(layerVariables)));
        assert.deepEqual(diff, [], `step ${t}: variables differ`);
      }
      const eagerMoments = trainableVariables(eagerNet).flatMap((v) => moments.get(v.name)!);
      const graphMoments = trainableVariables(graphNet).flatMap((v) => optimizer.momentsOf(v));
      const momentNames = trainableVariables(graphNet).map(shortName).flatMap((n) => [`${n}/m`, `${n}/v`]);
      assert.deepEqual(differences(momentNames, bitsOf(graphMoments), bitsOf(eagerMoments)), [], 'Adam moments differ');
      assert.equal(optimizer.iterations, 3);

      // Inference of the trained network, on batches of other sizes than training's.
      for (const count of [1, c.batch + 2]) {
        const images = tf.tensor4d(randomImages(count, c.architecture.inputShape, c.architecture.classes, 8).images, [count, ...c.architecture.inputShape]);
        const traces: LayerTrace[] = [];
        const [graphLogits, eagerLogits] = [forward(graphNet, images, 'infer'), forward(graphNet, images, 'infer', traces)];
        assert.deepEqual(differences(['logits'], bitsOf([graphLogits]), bitsOf([eagerLogits])), [], `inference of ${count} images`);
        disposeTraces(traces);
        tf.dispose([images, graphLogits, eagerLogits]);
      }
      for (const m of moments.values()) tf.dispose(m);
      optimizer.dispose();
      tf.dispose([x, y]);
      [graphNet, eagerNet].forEach(disposeNetwork);
    });
  }

  it('keeps the number of tensors flat across steps, and frees them all with the optimizer', () => {
    const config = makeConfig(CASES[1].architecture);
    const before = tf.memory().numTensors;
    const net = createNetwork(config, 1);
    const data = randomImages(9, CASES[1].architecture.inputShape, 7, 4);
    const x = tf.tensor4d(data.images, [9, ...CASES[1].architecture.inputShape]);
    const y = tf.tensor1d(Array.from(data.labels), 'int32');
    const optimizer = new ScheduledAdam(0.01);
    trainStep(net, optimizer, x, y, 'hinge');
    const afterFirst = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) trainStep(net, optimizer, x, y, 'hinge');
    assert.equal(tf.memory().numTensors, afterFirst);
    optimizer.dispose();
    tf.dispose([x, y]);
    disposeNetwork(net);
    assert.equal(tf.memory().numTensors, before);
  });

  it('reports a diverged step (NaN images: a NaN loss and non-finite outputs) and refuses images of another shape', () => {
    const net = createNetwork(makeConfig({ inputShape: [8, 8, 2], classes: 4, conv: [6], maxPool: [false], fc: [10] }), 1);
    const x = tf.fill<tf.Rank.R4>([16, 8, 8, 2], NaN);
    const y = tf.zeros<tf.Rank.R1>([16], 'int32');
    const optimizer = new ScheduledAdam(0.01);
    const step = trainStep(net, optimizer, x, y, 'hinge');
    assert.ok(Number.isNaN(step.loss), `loss ${step.loss}`);
    assert.equal(step.outputsFinite, false);
    assert.throws(() => trainStep(net, optimizer, tf.zeros([16, 8, 8, 1]), y, 'hinge'), /Input shape mismatch: got images of 8×8×1, the network expects 8×8×2\./);
    optimizer.dispose();
    tf.dispose([x, y]);
    disposeNetwork(net);
  });

  it('leaves no temporary folder behind, and names TMPDIR when it cannot write the graph', () => {
    const ours = () => fs.readdirSync(os.tmpdir()).filter((name) => name.startsWith('bnn-graph-')).length;
    const before = ours();
    const net = createNetwork(makeConfig({ inputShape: [6, 6, 1], classes: 3, conv: [4], maxPool: [true], fc: [] }), 1);
    const x = tf.randomNormal<tf.Rank.R4>([4, 6, 6, 1], 0, 1, 'float32', 2);
    const y = tf.tensor1d([0, 1, 2, 0], 'int32');
    const optimizer = new ScheduledAdam(0.01);
    trainStep(net, optimizer, x, y, 'hinge');
    assert.equal(ours(), before, 'a bnn-graph-* folder was left in the temporary folder');
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = '/nonexistent/bnn-tmp';
    try {
      assert.throws(() => trainStep(net, optimizer, x, y, 'softmax'), /Could not write a TensorFlow graph into a new folder in \/nonexistent\/bnn-tmp \(ENOENT.*set TMPDIR to a writable folder/);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
    assert.equal(optimizer.iterations, 1, 'a step that failed was counted');
    optimizer.dispose();
    tf.dispose([x, y]);
    disposeNetwork(net);
  });

  it('inference follows the layers a network runs: one layer of a network alone, as the analyses run it', () => {
    const net = createNetwork(makeConfig(CASES[0].architecture), 2);
    const images = tf.randomNormal<tf.Rank.R4>([3, 28, 28, 1], 0, 1, 'float32', 4);
    forward(net, images, 'infer').dispose(); // the whole network's graph first, under the same config
    const input = tf.randomNormal<tf.Rank.R4>([3, 14, 14, 32], 0, 1, 'float32', 5);
    const single: Network = { ...net, config: { ...net.config, inputShape: [14, 14, 32] }, layers: [net.layers[1]] };
    const traces: LayerTrace[] = [];
    const [graphOut, eagerOut] = [forward(single, input, 'infer'), forward(single, input, 'infer', traces)];
    assert.deepEqual([graphOut.shape, eagerOut.shape], [[3, 7, 7, 64], [3, 7, 7, 64]]);
    assert.deepEqual(differences(['conv2 alone'], bitsOf([graphOut]), bitsOf([eagerOut])), []);
    disposeTraces(traces);
    tf.dispose([images, input, graphOut, eagerOut]);
    disposeNetwork(net);
  });
});
