/**
 * The native binary conv (backend/binary-conv.ts, native/conv-counts.h), as the TensorFlow op
 * BnnBinaryConv2D in a graph, against TensorFlow's float conv of the same ±1 values, on every
 * instruction set this CPU has, and in the training step, where it replaces the binary convs'
 * Conv2D; its checks of what it is given, in the op and in the addon's direct entry.
 */
import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { onTensorflowBackend } from './backend-helpers';
import { binaryConvChoice, binaryConvOp, type BinaryConvOp } from '../lib/backend/binary-conv';
import { GraphBuilder } from '../lib/backend/graph/graph-builder';
import * as sessionModule from '../lib/backend/graph/graph-session';
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

interface ConvShape {
  images: number;
  height: number;
  width: number;
  channels: number;
  filters: number;
  k: number;
}

const SHAPES: ConvShape[] = [
  { images: 2, height: 5, width: 7, channels: 3, filters: 5, k: 3 },
  { images: 3, height: 14, width: 14, channels: 32, filters: 64, k: 3 }, // the quick profile's conv2
  { images: 2, height: 8, width: 9, channels: 130, filters: 20, k: 5 }, // channels past two words, filters not a multiple of 8
  { images: 1, height: 3, width: 2, channels: 64, filters: 9, k: 7 }, // windows wider than the image
  { images: 2, height: 6, width: 11, channels: 128, filters: 40, k: 1 },
];

describe('native binary conv (XNOR-popcount in the training step\'s graph)', () => {
  onTensorflowBackend();
  let addon: NativeAddon;
  before(function () {
    const loaded = loadNative();
    if ('missing' in loaded) this.skip(); // packed-native.test.ts says why when the build is expected
    else addon = loaded.addon;
  });

  /** BnnBinaryConv2D of x and w, run in a graph of its own. */
  const convOp = (op: BinaryConvOp, x: tf.Tensor, w: tf.Tensor): tf.Tensor => {
    const g = new GraphBuilder();
    const input = g.placeholder('input', 'float32', [-1, -1, -1, -1]);
    const filter = g.placeholder('filter', 'float32', [-1, -1, -1, -1]);
    const out = g.op('BnnBinaryConv2D', 'conv', [input, filter], { avx512: { b: op.avx512 } });
    const session = new sessionModule.GraphSession(g);
    try {
      return session.run([[input, x], [filter, w]], [out])[0];
    } finally {
      session.dispose();
    }
  };
  const opFor = (isa: 'avx512' | 'scalar') => withEnv(ISA_ENV_VAR, isa, () => binaryConvOp())!;

  for (const isa of ['avx512', 'scalar'] as const) {
    it(`${isa}: as a TensorFlow op, gives TensorFlow's float conv of ±1 values, bit for bit, at every border`, function () {
      if (isa === 'avx512' && addon.convCountsIsa !== 'avx512') this.skip();
      const op = opFor(isa);
      assert.deepEqual(op, { avx512: isa === 'avx512', description: isa === 'avx512' ? 'AVX-512 VPOPCNTDQ' : 'scalar popcount' });
      for (const [n, s] of SHAPES.entries()) {
        const x = signs([s.images, s.height, s.width, s.channels], n);
        const w = signs([s.k, s.k, s.channels, s.filters], 100 + n);
        const expected = tf.tidy(() => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'));
        const out = convOp(op, x, w);
        assert.deepEqual(out.shape, expected.shape);
        assert.deepEqual(out.dataSync(), expected.dataSync(), JSON.stringify(s));
        tf.dispose([x, w, expected, out]);
      }
    });
  }

  it('as a TensorFlow op: NaN in, NaNs out; no images, no outputs; a filter that does not fit, an error that says so', () => {
    const op = opFor(addon.convCountsIsa === 'avx512' ? 'avx512' : 'scalar');
    const x = signs([2, 4, 4, 3], 1);
    const w = signs([3, 3, 3, 5], 2);
    const withNaN = tf.tidy(() => tf.concat([tf.fill([1], NaN), x.flatten().slice(1)]).reshape(x.shape));
    const nan = convOp(op, withNaN, w);
    assert.deepEqual(nan.shape, [2, 4, 4, 5]);
    assert.ok(Array.from(nan.dataSync()).every(Number.isNaN));
    const none = convOp(op, tf.zeros([0, 4, 4, 3]), w);
    assert.deepEqual(none.shape, [0, 4, 4, 5]);
    const even = signs([2, 2, 3, 5], 3);
    assert.throws(() => convOp(op, x, even), /BnnBinaryConv2D: k must be odd/);
    const wrongChannels = signs([3, 3, 4, 5], 4);
    assert.throws(() => convOp(op, x, wrongChannels), /BnnBinaryConv2D takes a float32 input \[images, height, width, channels\] and filter \[k, k, channels, filters\]/);
    tf.dispose([x, w, withNaN, nan, none, even, wrongChannels]);
  });

  it('trains the binary convs with it: the same weights as TensorFlow\'s float convs, in the same one session run per step', () => {
    const config = makeConfig({ inputShape: [12, 12, 1], classes: 4, conv: [8, 70, 16], maxPool: [true, false, true], fc: [12] });
    const before = tf.memory().numTensors;
    const data = randomImages(10, [12, 12, 1], 4, 1);
    const x = tf.tensor4d(data.images, [10, 12, 12, 1]);
    const y = tf.tensor1d(Array.from(data.labels), 'int32');
    const Session = sessionModule.GraphSession;
    const train = (native: boolean) => {
      const net = createNetwork(config, 3);
      const optimizer = new ScheduledAdam(0.01);
      const convs: string[] = [];
      let runs = 0;
      // Spies on the graphs built and the runs made.
      const Spy = class extends Session {
        constructor(g: GraphBuilder) {
          super(g);
          convs.push(...g.nodes.filter((node) => /Conv2D$/.test(node.op)).map((node) => `${node.name} ${node.op}`));
        }
        override run(...args: Parameters<InstanceType<typeof Session>['run']>) {
          runs++;
          return super.run(...args);
        }
      };
      Object.assign(sessionModule, { GraphSession: Spy });
      try {
        // Without AVX-512 the scalar kernel runs only when asked for.
        withEnv(ISA_ENV_VAR, addon.convCountsIsa === 'avx512' ? process.env[ISA_ENV_VAR] : 'scalar', () =>
          withEnv(NATIVE_ENV_VAR, native ? undefined : '0', () => {
            for (let i = 0; i < 3; i++) trainStep(net, optimizer, x, y, 'hinge');
          }),
        );
      } finally {
        Object.assign(sessionModule, { GraphSession: Session });
      }
      const weights = net.layers.flatMap((l) => [l.weights, l.offset, l.movingMean, l.movingVariance].map((v) => Array.from(v.dataSync())));
      optimizer.dispose();
      disposeNetwork(net);
      return { weights, runs, convs };
    };
    const float = train(false);
    const native = train(true);
    assert.deepEqual(float.convs, ['conv1/Conv2D Conv2D', 'conv2/Conv2D Conv2D', 'conv3/Conv2D Conv2D']);
    assert.deepEqual(native.convs, ['conv1/Conv2D Conv2D', 'conv2/BinaryConv2D BnnBinaryConv2D', 'conv3/BinaryConv2D BnnBinaryConv2D'], 'conv2 and conv3 take ±1 inputs and weights');
    assert.equal(float.runs, 3);
    assert.equal(native.runs, 3);
    assert.deepEqual(native.weights, float.weights);
    tf.dispose([x, y]);
    assert.equal(tf.memory().numTensors, before);
  });

  it('runs by default only with AVX-512 VPOPCNTDQ and not where TensorFlow uses a GPU, and says why not', () => {
    const choice = withEnv(ISA_ENV_VAR, undefined, () => binaryConvChoice());
    if (addon.convCountsIsa === 'avx512') assert.deepEqual(choice, { op: { avx512: true, description: 'AVX-512 VPOPCNTDQ' } });
    else assert.deepEqual(choice, { missing: 'this CPU lacks AVX-512 VPOPCNTDQ' });
    assert.deepEqual(withEnv(NATIVE_ENV_VAR, '0', () => binaryConvChoice()), { missing: `${NATIVE_ENV_VAR}=0` });
    const forced = withEnv(ISA_ENV_VAR, 'scalar', () => binaryConvChoice());
    assert.deepEqual(forced, { op: { avx512: false, description: 'scalar popcount' } });
    // tfjs-node-gpu with a GPU: its convs stay there.
    const backend = tf.backend() as unknown as { isUsingGpuDevice: boolean };
    const onCpu = backend.isUsingGpuDevice;
    backend.isUsingGpuDevice = true;
    try {
      assert.deepEqual(binaryConvChoice(), { missing: 'TensorFlow runs them on the GPU' });
    } finally {
      backend.isUsingGpuDevice = onCpu;
    }
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
