import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../lib/backend';
import { ArchitectureOptions, makeConfig } from '../lib/model/config';
import { classify } from '../lib/model/evaluate';
import { LayerTrace, Network, createNetwork, disposeNetwork, disposeTraces, forward } from '../lib/model/network';
import { train } from '../lib/train/train';
import { createRng } from '../lib/stats/random';
import { classifyPacked } from '../lib/packed/classify';
import { compareLogits } from '../lib/packed/compare';
import { batchNormFloat32, floatThreshold, floatThresholds, integerThreshold, integerThresholds, signIsPositive } from '../lib/packed/fold';
import { deserializePacked, loadPacked, savePacked, serializePacked } from '../lib/packed/format';
import { PackedModel, outputItems, planesOf } from '../lib/packed/model';
import { packNetwork } from '../lib/packed/pack';
import { validatePackedModel } from '../lib/packed/validate';
import { ReferenceTrace, popcount32, referenceEngine, runReference, unpackValues } from '../lib/packed/reference';
import { buildKernels, findAssemblyScript } from '../lib/packed/build-wasm';
import { openEngine } from '../lib/packed/open';
import { kernelsModule, kernelsWasmPath } from '../lib/packed/wasm-engine';
import { assertEnginesMatch } from './support/packed-engines';
import { measureBinarizationGains } from '../lib/packed/gains';
import { binarizationGainsChart, binarizationGainsTable } from '../lib/figures/packed';
import { brightHalfImages, randomImages } from './support/synthetic';
import { packRandom, randomNetwork } from './support/packed-networks';
import { joinPacked, mutatePacked, splitPacked } from './support/packed-mutations';

function floatTraces(net: Network, images: Float32Array, n: number): LayerTrace[] {
  const traces: LayerTrace[] = [];
  const x = tf.tensor4d(images.subarray(0, n * net.config.inputShape.reduce((a, b) => a * b, 1)), [n, ...net.config.inputShape]);
  forward(net, x, 'infer', traces).dispose();
  x.dispose();
  return traces;
}

/** The float network's integer pre-activations A·W^b (before pooling), exact in float32. */
function floatDotProducts(t: LayerTrace): Float32Array {
  return tf.tidy(() =>
    (t.kind === 'conv'
      ? tf.conv2d(t.input as tf.Tensor4D, t.wb as tf.Tensor4D, 1, 'same')
      : tf.matMul(t.input as tf.Tensor2D, t.wb as tf.Tensor2D)
    ).dataSync() as Float32Array,
  );
}

/** Compares every layer of the packed reference with the float network on `n` images; returns mismatching bits. */
function compareLayers(net: Network, model: PackedModel, images: Float32Array, n: number): { bitDiffs: number; compared: number } {
  const traces = floatTraces(net, images, n);
  const packedTraces: ReferenceTrace[][] = [];
  const logits = runReference(model, images, n, packedTraces);
  let bitDiffs = 0;
  let compared = 0;
  try {
    model.layers.forEach((l, li) => {
      const t = traces[li];
      if (l.kind !== 'float-conv') {
        const z = floatDotProducts(t);
        const per = z.length / n;
        for (let i = 0; i < n; i++) {
          const mine = packedTraces[i][li].z;
          for (let j = 0; j < per; j++) {
            if (mine[j] !== z[i * per + j]) assert.fail(`${l.name}: image ${i}, z[${j}] = ${mine[j]}, float network ${z[i * per + j]}`);
          }
        }
      }
      if (l.kind === 'output') {
        const floatLogits = t.postAct.dataSync();
        for (let j = 0; j < floatLogits.length; j++) assert.ok(Object.is(logits[j], floatLogits[j]), `logit ${j}: ${logits[j]} vs ${floatLogits[j]}`);
        return;
      }
      const post = t.postAct.dataSync();
      const { items, channels } = outputItems(l);
      for (let i = 0; i < n; i++) {
        const signs = unpackValues(packedTraces[i][li].bits!, items, channels, planesOf(model.config.levels));
        for (let j = 0; j < signs.length; j++) {
          compared++;
          if (signs[j] !== post[i * signs.length + j]) {
            if (l.kind !== 'float-conv') assert.fail(`${l.name}: image ${i}, bit ${j} is ${signs[j]}, float network ${post[i * signs.length + j]}`);
            bitDiffs++;
          }
        }
      }
    });
  } finally {
    disposeTraces(traces);
  }
  return { bitDiffs, compared };
}

/** Ternary networks (T = 0.3: about a quarter of the activations are 0) of the shapes the binary tests use. */
const TERNARY_ARCHITECTURES: [string, Omit<ArchitectureOptions, 'classes'>][] = [
  ['ternary, odd widths, pooling 7×5', { inputShape: [7, 5, 3], conv: [5, 70], maxPool: [true, false], fc: [33], levels: 3, threshold: 0.3 }],
  ['ternary, 64, 65, 130 channels', { inputShape: [6, 6, 2], conv: [64, 65, 130], maxPool: [false, true, true], fc: [], levels: 3, threshold: 0.3 }],
  ['ternary, 5×5 kernels', { inputShape: [5, 4, 1], conv: [3, 7], maxPool: [true, true], fc: [10], filterSize: 5, levels: 3, threshold: 0.3 }],
  ['ternary, 1×1 kernels', { inputShape: [1, 1, 4], conv: [31, 97], maxPool: [false, true], fc: [129, 7], levels: 3, threshold: 0.3 }],
];

describe('packed binary and ternary inference', () => {
  before(() => initBackend());

  describe('batch norm + sign folded into thresholds', () => {
    it('integer thresholds reproduce the float32 batch norm for every z, for positive and negative scales', () => {
      const rng = createRng(5);
      for (let trial = 0; trial < 300; trial++) {
        const bound = 1 + rng.int(200);
        const mean = trial % 4 === 0 ? rng.int(2 * bound) - bound : (rng.uniform() * 2 - 1) * bound;
        const scale = Math.fround((trial % 5 === 0 ? -1 : 1) * (0.01 + rng.uniform()));
        const offset = trial % 4 === 0 ? 0 : Math.fround(rng.normal());
        const { t, flip } = integerThreshold(Math.fround(mean), scale, offset, bound);
        for (let z = -bound; z <= bound; z++) {
          assert.equal((z >= t) !== flip, signIsPositive(z, Math.fround(mean), scale, offset), `trial ${trial}, z = ${z}`);
        }
      }
    });

    it('float thresholds split float32 z exactly, including the neighbours of the threshold', () => {
      const rng = createRng(6);
      for (let trial = 0; trial < 200; trial++) {
        const mean = Math.fround(rng.normal() * 3);
        const scale = Math.fround((trial % 5 === 0 ? -1 : 1) * (0.01 + rng.uniform()));
        const offset = Math.fround(rng.normal());
        const { t, flip } = floatThreshold(mean, scale, offset);
        const probes = [t, Math.fround(t * (1 + 2 ** -23)), Math.fround(t * (1 - 2 ** -23)), 0, -0, mean, rng.normal() * 5].map(Math.fround);
        for (const z of probes) assert.equal((z >= t) !== flip, signIsPositive(z, mean, scale, offset), `trial ${trial}, z = ${z}, t = ${t}`);
      }
    });

    it('ternary: two thresholds reproduce the float network\'s ternarize (|x| > T in float32) of the batch norm, for every integer z and float32 probes', () => {
      const rng = createRng(7);
      const ternarize = (pre: number, t: number) => (pre > Math.fround(t) ? 1 : pre < -Math.fround(t) ? -1 : 0);
      const level = (z: number, t: number[], flip: boolean) => {
        const c = (z >= t[0] ? 1 : 0) + (z >= t[1] ? 1 : 0);
        return flip ? 1 - c : c - 1;
      };
      for (let trial = 0; trial < 300; trial++) {
        const bound = 1 + rng.int(200);
        const mean = Math.fround(trial % 4 === 0 ? rng.int(2 * bound) - bound : (rng.uniform() * 2 - 1) * bound);
        const scale = Math.fround((trial % 5 === 0 ? -1 : 1) * (0.01 + rng.uniform()));
        const offset = trial % 4 === 0 ? 0 : Math.fround(rng.normal());
        const threshold = trial % 3 === 0 ? 0.02 : rng.uniform();
        const { t, flip } = integerThresholds(3, threshold, mean, scale, offset, bound);
        assert.ok(t[0] <= t[1], `trial ${trial}: thresholds ${t} out of order`);
        for (let z = -bound; z <= bound; z++) {
          assert.equal(level(z, t, flip), ternarize(batchNormFloat32(z, mean, scale, offset), threshold), `trial ${trial}, z = ${z}`);
        }
        const float = floatThresholds(3, threshold, mean, scale, offset);
        const probes = [...float.t.flatMap((x) => [x, Math.fround(x * (1 + 2 ** -23)), Math.fround(x * (1 - 2 ** -23))]), 0, -0, mean, rng.normal() * 5].map(Math.fround);
        for (const z of probes.filter(Number.isFinite)) {
          assert.equal(level(z, float.t, float.flip), ternarize(batchNormFloat32(z, mean, scale, offset), threshold), `trial ${trial}, float z = ${z}`);
        }
      }
    });

    it('refuses non-finite batch-norm parameters', () => {
      assert.throws(() => integerThreshold(0, NaN, 0, 10), /must be finite/);
    });
  });

  describe('packNetwork', () => {
    it('refuses continuous and conv-less networks, naming what is supported', () => {
      const base = { inputShape: [8, 8, 1] as [number, number, number], classes: 3, conv: [4], maxPool: [true], fc: [8] };
      const cases: [Parameters<typeof makeConfig>[0], RegExp][] = [
        [{ ...base, continuous: true }, /continuous.*Packing supports binary and ternary networks/],
        [{ ...base, conv: [], maxPool: [] }, /no conv layer.*first layer/],
      ];
      for (const [arch, message] of cases) {
        const net = createNetwork(makeConfig(arch), 0);
        try {
          assert.throws(() => packNetwork(net), message);
        } finally {
          disposeNetwork(net);
        }
      }
    });

    it('round-trips through the file format, and the file is written atomically', () => {
      const net = randomNetwork({ inputShape: [7, 5, 3], conv: [5, 70], maxPool: [true, false], fc: [33] }, 1);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bnn-packed-'));
      try {
        const model = packNetwork(net);
        const bytes = serializePacked(model, { note: 'test' });
        const { model: back, source } = deserializePacked(bytes);
        assert.deepEqual(source, { note: 'test' });
        assert.deepEqual(back, model);
        // A Node Buffer inside a larger pool (as fs.readFileSync returns small files) reads the same.
        const pooled = Buffer.concat([Buffer.alloc(13), bytes]).subarray(13);
        assert.deepEqual(deserializePacked(pooled).model, model);
        const file = path.join(dir, 'm.bnnp');
        assert.equal(savePacked(file, model), serializePacked(model).length);
        assert.deepEqual(loadPacked(file).model, model);
        assert.deepEqual(fs.readdirSync(dir), ['m.bnnp']);
        assert.throws(() => deserializePacked(bytes.subarray(0, bytes.length - 8)), /truncated/);
        assert.throws(() => deserializePacked(new Uint8Array(20)), /not a packed model/);
        // Sizes that do not fit are refused before any kernel reads them.
        const broken = packNetwork(net);
        const conv2 = broken.layers[1];
        assert.equal(conv2.kind, 'binary-conv');
        if (conv2.kind === 'binary-conv') conv2.weights = conv2.weights.subarray(1);
        assert.throws(() => deserializePacked(serializePacked(broken)), /corrupt: Invalid packed model: layer 1 \(conv2\): weights has \d+ entries, expected \d+/);
        assert.throws(() => validatePackedModel({ ...model, layers: model.layers.slice(1) }), /the first layer must be 'float-conv'/);
        const badClass = packNetwork(net);
        if (badClass.layers[1].kind === 'binary-conv') badClass.layers[1].positionClass[0] = 200;
        assert.throws(() => validatePackedModel(badClass), /positionClass\[0\] = 200 names no class/);
        assert.throws(() => loadPacked(path.join(dir, 'missing.bnnp')), /No packed model.*npm run pack/);
      } finally {
        disposeNetwork(net);
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('a packed file read back is validated: every header field, and the body by its checksum', () => {
    const net = () => randomNetwork({ inputShape: [8, 8, 1], conv: [8, 16], maxPool: [true, true], fc: [32] }, 3);
    type Layers = { name: string; inputs?: number; arrays: Record<string, { dtype: string; offset: unknown; length: number }> }[];

    it('names a changed byte by the checksum; without one (older files), a wrong dtype, an input count, a moved or missing offset', () => {
      const n = net();
      const bytes = serializePacked(packNetwork(n));
      disposeNetwork(n);
      const edits: [string, (h: { layers: Layers }) => void, RegExp][] = [
        // The same bytes read as uint8: the kernels would read four times past the array's end.
        ['dtype', (h) => Object.assign(h.layers[1].arrays.weights, { dtype: 'uint8', length: 4 * h.layers[1].arrays.weights.length }), /layer 1 \(conv2\): weights is Uint8Array, expected Uint32Array/],
        ['inputs', (h) => (h.layers[2].inputs = 300), /layer 2 \(fc1\): has 300 inputs, the previous layer gives 64/],
        ['null offset', (h) => (h.layers[1].arrays.thresholds.offset = null), /array thresholds of layer conv2: offset null is not \d+, where it follows the array before it/],
        ['list offset', (h) => (h.layers[1].arrays.thresholds.offset = []), /array thresholds of layer conv2: offset \[\] is not \d+, where it follows the array before it/],
        ['unknown dtype', (h) => (h.layers[0].arrays.weights.dtype = 'float64'), /array weights of layer conv1: dtype "float64" is none of float32, int32, uint32, uint8/],
        ['moved offset', (h) => (h.layers[1].arrays.flip.offset = 0), /array flip of layer conv2: offset 0 is not \d+, where it follows the array before it/],
      ];
      for (const [what, edit, message] of edits) {
        const { header, body } = splitPacked(bytes);
        edit(header as unknown as { layers: Layers });
        assert.throws(() => deserializePacked(joinPacked(header, body)), /is corrupt: its bytes differ from the checksum in its header \(a changed byte\)/, what);
        delete header.fileSha256; // as files written before the checksum: the structure is checked field by field
        assert.throws(() => deserializePacked(joinPacked(header, body)), message, what);
      }
      const { header, body } = splitPacked(bytes);
      assert.deepEqual(joinPacked(header, body), bytes, 'the test rebuilds files byte for byte');
      const flipped = body.slice();
      flipped[flipped.length - 3] ^= 4;
      assert.throws(() => deserializePacked(joinPacked(header, flipped)), /is corrupt: its bytes differ from the checksum/);
      delete header.fileSha256;
      assert.deepEqual(deserializePacked(joinPacked(header, body)).model, deserializePacked(bytes).model, 'a file without a checksum loads');
    });

    it('reads version 1 files (binary, written before ternary packing) and ternary files it writes; refuses an unknown version', async () => {
      const bytes = new Uint8Array(fs.readFileSync(path.resolve(__dirname, 'fixtures', 'packed-corpus', 'valid.bnnp')));
      const { header, body } = splitPacked(bytes);
      assert.equal(header.version, 1);
      const { model } = deserializePacked(bytes);
      assert.equal(splitPacked(serializePacked(model)).header.version, 2);
      assert.deepEqual(deserializePacked(serializePacked(model)).model, model);
      const images = randomImages(5, model.config.inputShape, 3, 1).images;
      await assertEnginesMatch(model, images, 5, runReference(model, images, 5), [1], assert.fail);
      delete header.fileSha256;
      header.version = 3;
      assert.throws(() => deserializePacked(joinPacked(header, body)), /^Error: packed model is format bnn-geometry-packed v3; this version reads bnn-geometry-packed v1 and v2 \(a newer file needs a newer bnn-geometry/);
      Object.assign(header, { version: 1, config: { ...(header.config as object), levels: 3, threshold: 0.02 } });
      assert.throws(() => deserializePacked(joinPacked(header, body)), /packed model is corrupt: a version 1 file holds binary networks only/);
      const ternary = packRandom({ inputShape: [7, 5, 3], conv: [5, 70], maxPool: [true, false], fc: [33], levels: 3, threshold: 0.3 }, 2);
      assert.deepEqual(deserializePacked(serializePacked(ternary)).model, ternary);
      const swapped = structuredClone(ternary);
      const conv2 = swapped.layers[1];
      assert.equal(conv2.kind, 'ternary-conv');
      if (conv2.kind === 'ternary-conv') conv2.thresholds.set([5, 4], 0);
      assert.throws(() => validatePackedModel(swapped), /layer 1 \(conv2\): thresholds of channel 0 \(5, 4\) are not in order/);
    });

    it('200 seeded mutations of header values and body bytes: all refused; without the checksum, each header change is refused by name or predicts as the original', () => {
      const n = net();
      const model = packNetwork(n);
      disposeNetwork(n);
      const bytes = serializePacked(model);
      const images = randomImages(6, [8, 8, 1]).images;
      const expected = runReference(model, images, 6);
      const rng = createRng(2026);
      let refusedWithoutChecksum = 0;
      for (let i = 0; i < 200; i++) {
        const m = mutatePacked(bytes, rng, i % 5 === 4);
        assert.throws(() => deserializePacked(m.bytes), /^Error: packed model is (corrupt|truncated|format)/, `mutation ${i} (${m.change})`);
        if (m.bodyByte) continue; // a body byte: only the checksum can tell
        let mutated: PackedModel;
        try {
          mutated = deserializePacked(m.withoutChecksum).model;
        } catch (err) {
          assert.match((err as Error).message, /^packed model is (corrupt|truncated|format)/, `mutation ${i} (${m.change})`);
          refusedWithoutChecksum++;
          continue;
        }
        assert.deepEqual(runReference(mutated, images, 6), expected, `mutation ${i} (${m.change}) was accepted and changed the predictions`);
      }
      assert.ok(refusedWithoutChecksum > 80, `only ${refusedWithoutChecksum} of 160 header mutations were refused by the structural checks`);
    });
  });

  describe('reference kernels against the float network, layer by layer', () => {
    const architectures: [string, Omit<ArchitectureOptions, 'classes'>][] = [
      ['odd widths (5, 70, 33 channels), odd map sizes, pooling 7×5 → 4×3', { inputShape: [7, 5, 3], conv: [5, 70], maxPool: [true, false], fc: [33] }],
      ['64, 65, 130 channels, no fc layer', { inputShape: [6, 6, 2], conv: [64, 65, 130], maxPool: [false, true, true], fc: [] }],
      ['5×5 kernels on a 5×4 image', { inputShape: [5, 4, 1], conv: [3, 7], maxPool: [true, true], fc: [10], filterSize: 5 }],
      ['1×1 kernels, 1×1 image', { inputShape: [1, 1, 4], conv: [31, 97], maxPool: [false, true], fc: [129, 7] }],
      ...TERNARY_ARCHITECTURES,
    ];
    architectures.forEach(([label, arch], i) => {
      it(`${label}: A·W^b and every layer's values equal, logits bit for bit`, () => {
        const net = randomNetwork(arch, 10 + i);
        try {
          const model = packNetwork(net);
          const images = randomImages(20, arch.inputShape, 3, 20 + i).images;
          const { bitDiffs, compared } = compareLayers(net, model, images, 20);
          assert.ok(compared > 0);
          // Only the float first layer can differ, where its float32 sum lands on the threshold.
          assert.ok(bitDiffs <= 2, `${bitDiffs} first-layer bits differ`);
        } finally {
          disposeNetwork(net);
        }
      });
    });

    it('zero padding at the border: all-(+1) input and weights give 4·C at corners, 6·C on edges, 9·C inside', () => {
      const net = randomNetwork({ inputShape: [4, 5, 1], conv: [2, 3], maxPool: [false, false], fc: [] }, 3);
      try {
        net.layers[0].weights.assign(tf.ones(net.layers[0].weights.shape));
        net.layers[0].movingMean.assign(tf.fill([2], -100)); // conv1 outputs +1 everywhere
        net.layers[1].weights.assign(tf.ones(net.layers[1].weights.shape));
        const model = packNetwork(net);
        const traces: ReferenceTrace[][] = [];
        runReference(model, new Float32Array(20).fill(1), 1, traces);
        const z = traces[0][1].z;
        const expected = [4, 6, 6, 6, 4, 6, 9, 9, 9, 6, 6, 9, 9, 9, 6, 4, 6, 6, 6, 4].map((v) => v * 2);
        for (let p = 0; p < 20; p++) for (let o = 0; o < 3; o++) assert.equal(z[p * 3 + o], expected[p], `pixel ${p}, channel ${o}`);
        compareLayers(net, model, new Float32Array(20).fill(1), 1);
      } finally {
        disposeNetwork(net);
      }
    });

    (['binary', 'ternary'] as const).forEach((mode) => {
      it(`a trained ${mode} network: identical predictions, values of every layer and bit-identical logits on real inputs, on every engine`, async () => {
        const data = brightHalfImages(400);
        const levels = mode === 'ternary' ? { levels: 3 as const, threshold: 0.02 } : {};
        const net = createNetwork(makeConfig({ inputShape: [12, 12, 1], classes: 2, conv: [8, 16], maxPool: [true, true], fc: [24], ...levels }), 0);
        try {
          await train(net, {
            train: data,
            validation: data,
            options: { epochs: 2, batchSize: 20, lrStart: 1e-2, lrEnd: 1e-3, lrSchedule: 'exponential', loss: 'hinge', seed: 0, checkpointEvery: 1 },
          });
          const model = packNetwork(net);
          const { bitDiffs } = compareLayers(net, model, data.images, 100);
          const r = await compareLogits(net, referenceEngine(model), data);
          // The bound: the float first layer may flip a value where its float32 sum sits exactly on a
          // threshold; none occur here (and none in the 10 000 Fashion-MNIST test images, see README).
          assert.equal(bitDiffs, 0);
          assert.equal(r.predictionDifferences, 0);
          assert.equal(r.logitDifferences, 0);
          const packedCorrect = await classifyPacked(model, data, { batchSize: 64 });
          assert.deepEqual(packedCorrect, classify(net, data));
          await assertEnginesMatch(model, data.images, data.count, runReference(model, data.images, data.count), [2], assert.fail);
        } finally {
          disposeNetwork(net);
        }
      });
    });
  });

  describe('classifyPacked', () => {
    it('leaves no tensors behind and keeps its memory flat over repeated calls', async () => {
      const net = randomNetwork({ inputShape: [8, 8, 1], conv: [8, 16], maxPool: [true, true], fc: [16] }, 4);
      const data = randomImages(50, [8, 8, 1], 3, 4);
      try {
        const model = packNetwork(net);
        const tensors = tf.memory().numTensors;
        const first = await classifyPacked(model, data, { batchSize: 16 });
        for (let i = 0; i < 5; i++) assert.deepEqual(await classifyPacked(model, data, { batchSize: 16 }), first);
        assert.equal(tf.memory().numTensors, tensors);
        await assert.rejects(classifyPacked(model, { ...data, shape: [4, 4, 4] }), /classifyPacked/);
      } finally {
        disposeNetwork(net);
      }
    });
  });
});

describe('packed wasm kernels', () => {
  before(() => initBackend());

  it('the committed binary is what its source builds to', function () {
    this.timeout(120000);
    const found = findAssemblyScript();
    if ('missing' in found) assert.fail(`cannot check wasm/packed-kernels.wasm against its source: ${found.missing}`);
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bnn-wasm-')), 'k.wasm');
    buildKernels(out);
    assert.ok(Buffer.compare(fs.readFileSync(out), fs.readFileSync(kernelsWasmPath())) === 0, 'wasm/packed-kernels.wasm differs from a fresh build: run npm run build:wasm and commit it');
  });

  it('denseCounts: popcount of XOR over rows of 8…640 bytes (not multiples of 16; past 30 chunks the byte counters are flushed), 1…9 units', () => {
    const kernels = new WebAssembly.Instance(kernelsModule(), {}).exports as unknown as {
      memory: WebAssembly.Memory;
      denseCounts(inp: number, bytes: number, units: number, weights: number, counts: number): void;
    };
    kernels.memory.grow(4);
    const rng = createRng(9);
    for (let trial = 0; trial < 60; trial++) {
      const bytes = 8 * (1 + rng.int(80));
      const units = 1 + rng.int(9);
      const words = bytes / 4;
      const u32 = new Uint32Array(kernels.memory.buffer);
      const input = Uint32Array.from({ length: words }, () => (rng.uniform() * 2 ** 32) >>> 0);
      const weights = Uint32Array.from({ length: words * units }, () => (rng.uniform() * 2 ** 32) >>> 0);
      const [inp, wts, counts] = [65536, 65536 + 1024, 65536 + 16384];
      assert.ok(wts + bytes * units < counts);
      u32.set(input, inp / 4);
      u32.set(weights, wts / 4);
      kernels.denseCounts(inp, bytes, units, wts, counts);
      const got = new Int32Array(kernels.memory.buffer, counts, units);
      for (let u = 0; u < units; u++) {
        let expected = 0;
        for (let j = 0; j < words; j++) expected += popcount32(input[j] ^ weights[u * words + j]);
        assert.equal(got[u], expected, `trial ${trial}: ${bytes} bytes, unit ${u}`);
      }
    }
  });

  const architectures: [string, Omit<ArchitectureOptions, 'classes'>][] = [
    ['odd widths, pooling 7×5', { inputShape: [7, 5, 3], conv: [5, 70], maxPool: [true, false], fc: [33] }],
    ['64, 65, 130 channels', { inputShape: [6, 6, 2], conv: [64, 65, 130], maxPool: [false, true, true], fc: [] }],
    ['5×5 kernels', { inputShape: [5, 4, 1], conv: [3, 7], maxPool: [true, true], fc: [10], filterSize: 5 }],
    ['1×1 kernels', { inputShape: [1, 1, 4], conv: [31, 97], maxPool: [false, true], fc: [129, 7] }],
    ['wide rows (1300 channels: byte counters flushed within a kernel row)', { inputShape: [3, 3, 3], conv: [17, 1300, 9], maxPool: [false, false, true], fc: [5] }],
    ...TERNARY_ARCHITECTURES,
    ['ternary, wide rows (1300 channels)', { inputShape: [3, 3, 3], conv: [17, 1300, 9], maxPool: [false, false, true], fc: [5], levels: 3, threshold: 0.4 }],
    ['128 channels into a 3×3 conv (a window size the AVX2 kernels unroll)', { inputShape: [5, 6, 2], conv: [128, 24], maxPool: [false, true], fc: [] }],
    ['ternary, 128 channels into a 3×3 conv', { inputShape: [5, 6, 2], conv: [128, 24], maxPool: [false, true], fc: [], levels: 3, threshold: 0.3 }],
  ];
  architectures.forEach(([label, arch], i) => {
    it(`${label}: wasm and native logits (every instruction set this CPU has) equal the reference kernels' bit for bit, on 1, 2 and 3 threads`, async () => {
      const net = randomNetwork(arch, 30 + i);
      try {
        const model = packNetwork(net);
        const data = randomImages(23, arch.inputShape, 3, 40 + i);
        await assertEnginesMatch(model, data.images, data.count, runReference(model, data.images, data.count), [1, 2, 3], assert.fail);
      } finally {
        disposeNetwork(net);
      }
    });
  });

  it('first layer on integer images, whose sums land exactly on integer thresholds: every kernel and the float network agree', async () => {
    const net = randomNetwork({ inputShape: [6, 6, 3], conv: [48, 16], maxPool: [false, true], fc: [] }, 12);
    try {
      // Integer means with offset 0 put thresholds on integers (every third channel); integer pixels hit them.
      const model = packNetwork(net);
      const rng = createRng(12);
      const images = Float32Array.from({ length: 30 * 6 * 6 * 3 }, () => rng.int(5) - 2);
      const { bitDiffs } = compareLayers(net, model, images, 30);
      assert.equal(bitDiffs, 0);
      await assertEnginesMatch(model, images, 30, runReference(model, images, 30), [1], assert.fail);
    } finally {
      disposeNetwork(net);
    }
  });

  ([[], { levels: 3, threshold: 0.3 }] as const).forEach((levels, case_) => {
    it(`flip flags (a negative batch-norm scale), ${case_ ? 'ternary' : 'binary'}: the values reversed after pooling, the same on every kernel`, async () => {
      const net = randomNetwork({ inputShape: [7, 6, 2], conv: [9, 40, 33], maxPool: [true, false, true], fc: [20], ...levels }, 8);
      try {
        const model = packNetwork(net);
        const plain = packNetwork(net);
        const rng = createRng(8);
        for (const l of model.layers) {
          if (l.kind === 'output') continue;
          const { channels } = outputItems(l);
          for (let o = 0; o < channels; o++) if (rng.uniform() < 0.5) l.flip[o >>> 5] |= 1 << (o & 31);
        }
        const data = randomImages(9, [7, 6, 2], 3, 8);
        // The first layer's values are the plain ones negated where the flag is set.
        const flipped: ReferenceTrace[][] = [];
        const unflipped: ReferenceTrace[][] = [];
        const expected = runReference(model, data.images, data.count, flipped);
        runReference(plain, data.images, 1, unflipped);
        const first = model.layers[0];
        assert.equal(first.kind, 'float-conv');
        if (first.kind !== 'float-conv') return;
        const { items, channels } = outputItems(first);
        const planes = planesOf(model.config.levels);
        const values = unpackValues(flipped[0][0].bits!, items, channels, planes);
        const plainValues = unpackValues(unflipped[0][0].bits!, items, channels, planes);
        let reversed = 0;
        for (let j = 0; j < values.length; j++) {
          const o = j % channels;
          const flag: number = (first.flip[o >>> 5] >>> (o & 31)) & 1;
          assert.equal(values[j], flag ? -plainValues[j] || 0 : plainValues[j], `value ${j}`);
          if (flag && plainValues[j] !== 0) reversed++;
        }
        assert.ok(reversed > 20);
        await assertEnginesMatch(model, data.images, data.count, expected, [2], assert.fail);
      } finally {
        disposeNetwork(net);
      }
    });
  });

  it('auto falls back to wasm, saying why, when the native kernels are unavailable (BNN_PACKED_NATIVE=0, fresh process)', () => {
    const code = `
      const { makeConfig } = require('./lib/model/config');
      const { createNetwork } = require('./lib/model/network');
      const { initBackend } = require('./lib/backend');
      const { packNetwork, openEngine } = require('./lib/packed');
      initBackend().then(async () => {
        const net = createNetwork(makeConfig({ inputShape: [6, 6, 1], classes: 3, conv: [4], maxPool: [true], fc: [] }), 0);
        const engine = await openEngine(packNetwork(net), { threads: 1 });
        console.log('ENGINE ' + engine.description);
        await engine.close();
      });`;
    const run = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', code], {
      cwd: path.resolve(__dirname, '..'),
      env: { ...process.env, BNN_PACKED_NATIVE: '0' },
      encoding: 'utf8',
    });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /ENGINE wasm SIMD, 1 thread \(native kernels unavailable: BNN_PACKED_NATIVE=0\)/);
  });

  it('classifyPacked on wasm: same as the float network, no tensors, memory flat over repeated calls', async () => {
    const net = randomNetwork({ inputShape: [8, 8, 1], conv: [8, 16], maxPool: [true, true], fc: [16] }, 4);
    const data = randomImages(60, [8, 8, 1], 3, 4);
    const engine = await openEngine(packNetwork(net), { kernels: 'wasm', threads: 2 });
    try {
      assert.match(engine.description, /wasm SIMD, 2 threads/);
      const model = packNetwork(net);
      const expected = classify(net, data);
      const tensors = tf.memory().numTensors;
      const first = await classifyPacked(model, data, { batchSize: 16, engine });
      assert.deepEqual(first, expected);
      global.gc?.();
      const heap = process.memoryUsage().heapUsed;
      for (let i = 0; i < 20; i++) assert.deepEqual(await classifyPacked(model, data, { batchSize: 16, engine }), first);
      global.gc?.();
      assert.equal(tf.memory().numTensors, tensors);
      assert.ok(process.memoryUsage().heapUsed - heap < 20e6, `heap grew by ${process.memoryUsage().heapUsed - heap} bytes`);
    } finally {
      await engine.close();
      disposeNetwork(net);
    }
  });
});

describe('what binarization buys (gen_plots section)', () => {
  before(() => initBackend());

  it('measures size, speed and accuracy of both networks and draws the table and chart, for binary and ternary networks; says why for a continuous one', async () => {
    const net = randomNetwork({ inputShape: [8, 8, 1], conv: [8, 16], maxPool: [true, true], fc: [16] }, 6);
    const ternary = randomNetwork({ inputShape: [8, 8, 1], conv: [8, 16], maxPool: [true, true], fc: [16], levels: 3, threshold: 0.3 }, 6);
    const continuous = createNetwork(makeConfig({ inputShape: [8, 8, 1], classes: 3, conv: [4], maxPool: [true], fc: [], continuous: true }), 0);
    try {
      const gains = await measureBinarizationGains(net, randomImages(40, [8, 8, 1], 3, 6), 16);
      assert.ok(!('unsupported' in gains));
      assert.equal(gains.predictionDifferences, 0);
      assert.equal(gains.floatAccuracy, gains.packedAccuracy);
      assert.ok(gains.floatBytes > 20 * gains.packedBytes / 10 && gains.packedImagesPerSecond > 0);
      const table = binarizationGainsTable(gains);
      assert.deepEqual(table.map((r) => r.quantity), ['model size', 'inference (img/s)', 'test accuracy (40 images)']);
      const spec = JSON.stringify(binarizationGainsChart(gains));
      assert.match(spec, /What binarization buys/);
      const ternaryGains = await measureBinarizationGains(ternary, randomImages(40, [8, 8, 1], 3, 6), 16);
      assert.ok(!('unsupported' in ternaryGains));
      assert.equal(ternaryGains.predictionDifferences, 0);
      assert.equal(ternaryGains.floatAccuracy, ternaryGains.packedAccuracy);
      assert.ok(ternaryGains.packedBytes > gains.packedBytes, 'two bit-planes take more room than one');
      const refused = await measureBinarizationGains(continuous, randomImages(4, [8, 8, 1], 3, 6));
      assert.ok('unsupported' in refused && /continuous/.test(refused.unsupported));
    } finally {
      disposeNetwork(net);
      disposeNetwork(ternary);
      disposeNetwork(continuous);
    }
  });
});
