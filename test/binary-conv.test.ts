/**
 * The native binary conv (backend/binary-conv.ts, native/conv-counts.h) against TensorFlow's float
 * conv of the same ±1 values, on every instruction set this CPU has, and in the training step,
 * where it runs the binary convs between session runs; its checks of what it is given.
 */
import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { onTensorflowBackend } from './backend-helpers';
import { binaryConvChoice, binaryConvKernel, type BinaryConvShape } from '../lib/backend/binary-conv';
import { GraphSession } from '../lib/backend/graph/graph-session';
import { makeConfig } from '../lib/model/config';
import { createNetwork, disposeNetwork } from '../lib/model/network';
import { ISA_ENV_VAR, NATIVE_ENV_VAR, loadNative, type NativeAddon } from '../lib/packed/native';
import { ScheduledAdam } from '../lib/train/optimizer';
import { trainStep } from '../lib/train/train';
import { randomImages } from './support/synthetic';

/** Runs fn with the environment variable set (or removed for undefined), restoring it after. */
function withEnv<T>(name: string, value: string | undefined, fn: () => T): T {
  const old = process.env[name];
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
  try {
    return fn();
  } finally {
    if (old === undefined) delete process.env[name];
    else process.env[name] = old;
  }
}

/** ±1 values, −1 with probability ½, seeded. */
const signs = (shape: number[], seed: number) => tf.tidy(() => tf.sign(tf.add(tf.sign(tf.randomNormal(shape, 0, 1, 'float32', seed)), 0.5)));

const SHAPES: BinaryConvShape[] = [
  { images: 2, height: 5, width: 7, channels: 3, filters: 5, k: 3 },
  { images: 3, height: 14, width: 14, channels: 32, filters: 64, k: 3 }, // the quick profile's conv2
  { images: 2, height: 8, width: 9, channels: 130, filters: 20, k: 5 }, // channels past two words, filters not a multiple of 8
  { images: 1, height: 3, width: 2, channels: 64, filters: 9, k: 7 }, // windows wider than the image
  { images: 2, height: 6, width: 11, channels: 128, filters: 40, k: 1 },
];

describe('native binary conv (XNOR-popcount in the training step)', () => {
  onTensorflowBackend();
  let addon: NativeAddon;
  before(function () {
    const loaded = loadNative();
    if ('missing' in loaded) this.skip(); // packed-native.test.ts says why when the build is expected
    else addon = loaded.addon;
  });

  for (const isa of ['avx512', 'scalar'] as const) {
    it(`${isa}: gives TensorFlow's float conv of ±1 values, bit for bit, at every border`, function () {
      if (isa === 'avx512' && addon.convCountsIsa !== 'avx512') this.skip();
      const kernel = withEnv(ISA_ENV_VAR, isa === 'avx512' ? 'avx512' : 'scalar', () => binaryConvKernel())!;
      assert.equal(kernel.description, isa === 'avx512' ? 'AVX-512 VPOPCNTDQ' : 'scalar popcount');
      for (const [n, s] of SHAPES.entries()) {
        const x = signs([s.images, s.height, s.width, s.channels], n);
        const w = signs([s.k, s.k, s.channels, s.filters], 100 + n);
        const expected = tf.tidy(() => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same').dataSync());
        const out = new Float32Array(expected.length).fill(NaN);
        kernel.run(x.dataSync() as Float32Array, w.dataSync() as Float32Array, s, out);
        assert.deepEqual(out, expected, JSON.stringify(s));
        tf.dispose([x, w]);
      }
    });
  }

  it('trains the binary convs with it: the same weights as TensorFlow\'s float convs, one session run more per binary conv', () => {
    const config = makeConfig({ inputShape: [12, 12, 1], classes: 4, conv: [8, 70, 16], maxPool: [true, false, true], fc: [12] });
    const before = tf.memory().numTensors;
    const data = randomImages(10, [12, 12, 1], 4, 1);
    const x = tf.tensor4d(data.images, [10, 12, 12, 1]);
    const y = tf.tensor1d(Array.from(data.labels), 'int32');
    // eslint-disable-next-line @typescript-eslint/unbound-method -- put back after each training
    const run = GraphSession.prototype.run;
    const train = (native: boolean) => {
      const net = createNetwork(config, 3);
      const optimizer = new ScheduledAdam(0.01);
      let runs = 0;
      GraphSession.prototype.run = function (...args) {
        runs++;
        return run.apply(this, args);
      };
      try {
        // Without AVX-512 the scalar kernel runs only when asked for.
        withEnv(ISA_ENV_VAR, addon.convCountsIsa === 'avx512' ? process.env[ISA_ENV_VAR] : 'scalar', () =>
          withEnv(NATIVE_ENV_VAR, native ? undefined : '0', () => {
            for (let i = 0; i < 3; i++) trainStep(net, optimizer, x, y, 'hinge');
          }),
        );
      } finally {
        GraphSession.prototype.run = run;
      }
      const weights = net.layers.flatMap((l) => [l.weights, l.offset, l.movingMean, l.movingVariance].map((v) => Array.from(v.dataSync())));
      optimizer.dispose();
      disposeNetwork(net);
      return { weights, runs };
    };
    const float = train(false);
    const native = train(true);
    assert.equal(float.runs, 3);
    assert.equal(native.runs, 3 * 3, 'conv2 and conv3 take ±1 inputs and weights: two runs more per step');
    assert.deepEqual(native.weights, float.weights);
    tf.dispose([x, y]);
    assert.equal(tf.memory().numTensors, before);
  });

  it('runs by default only with AVX-512 VPOPCNTDQ, and says why not', () => {
    const choice = withEnv(ISA_ENV_VAR, undefined, () => binaryConvChoice());
    if (addon.convCountsIsa === 'avx512') assert.equal('kernel' in choice && choice.kernel.description, 'AVX-512 VPOPCNTDQ');
    else assert.deepEqual(choice, { missing: 'this CPU lacks AVX-512 VPOPCNTDQ' });
    assert.deepEqual(withEnv(NATIVE_ENV_VAR, '0', () => binaryConvChoice()), { missing: `${NATIVE_ENV_VAR}=0` });
    const forced = withEnv(ISA_ENV_VAR, 'scalar', () => binaryConvChoice());
    assert.equal('kernel' in forced && forced.kernel.description, 'scalar popcount');
  });

  it('refuses sizes that do not match its buffers, and even windows', () => {
    const shape = Float64Array.of(1, 2, 2, 3, 4, 3);
    const [input, weights, out] = [new Float32Array(12), new Float32Array(108), new Float32Array(16)];
    const isa = addon.convCountsIsa === 'avx512';
    assert.throws(() => addon.convCounts(input.subarray(1), weights, shape, isa, 1, out), /input, weights or out does not hold the values its shape gives/);
    assert.throws(() => addon.convCounts(input, weights, shape, isa, 1, out.subarray(1)), /does not hold the values its shape gives/);
    assert.throws(() => addon.convCounts(input, weights, Float64Array.of(1, 2, 2, 3, 4, 2), isa, 1, out), /k must be odd/);
    assert.throws(() => addon.convCounts(input, weights, Float64Array.of(1, 2, 2, 3, 4, 0.5), isa, 1, out), /whole number from 1/);
    assert.throws(() => addon.convCounts(input, weights, Float64Array.of(1, 2 ** 20, 2 ** 20, 3, 4, 3), isa, 1, out), /exceed 2\^31 elements/);
    assert.throws(() => addon.convCounts(input, weights, shape, isa, 0, out), /threads out of range/);
    // +1 everywhere: each output counts its in-bounds taps only (a 2×2 image: 4 of 9) times 3 channels.
    addon.convCounts(input, weights, shape, isa, 1, out);
    assert.deepEqual(Array.from(out), new Array(16).fill(12));
  });
});
