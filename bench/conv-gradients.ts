/**
 * Times conv2d forward, input gradient and filter gradient on the wasm backend (with the
 * kernels of lib/backend/wasm/conv-gradients.ts) for the conv layers of the two reference networks,
 * batch 50, 3×3 kernels, 'same' padding.
 *
 *   npx ts-node --transpile-only bench/conv-gradients.ts
 */
import * as tf from '@tensorflow/tfjs';
import { performance } from 'node:perf_hooks';
import { initBackend } from '../lib/backend';
import { createRng, normalArray, type Rng } from '../lib/stats/random';

const BATCH = 50;
const KERNEL = 3;
const REPEATS = 5;

interface ConvLayer {
  network: string;
  size: number; // input height = width
  inChannels: number;
  outChannels: number;
}

const layer = (network: string, size: number, inChannels: number, outChannels: number): ConvLayer => ({
  network,
  size,
  inChannels,
  outChannels,
});

/** Conv layers of the small MNIST net and of the CIFAR-10 net of the paper (Courbariaux et al. 2016). */
const LAYERS: ConvLayer[] = [
  layer('small', 28, 1, 32),
  layer('small', 14, 32, 64),
  layer('small', 7, 64, 128),
  layer('paper', 32, 3, 128),
  layer('paper', 32, 128, 128),
  layer('paper', 16, 128, 256),
  layer('paper', 16, 256, 256),
  layer('paper', 8, 256, 512),
  layer('paper', 8, 512, 512),
];

function randomTensor(rng: Rng, shape: number[]): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from(normalArray(rng, size)), shape);
}

/** Median wall time in ms of `run` (after one warm-up call), disposing each result. */
function medianMs(run: () => tf.Tensor): number {
  run().dispose();
  const times: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const start = performance.now();
    const out = run();
    out.dataSync();
    times.push(performance.now() - start);
    out.dispose();
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(REPEATS / 2)];
}

function benchLayer(rng: Rng, { size, inChannels, outChannels }: ConvLayer): [number, number, number] {
  const xShape: [number, number, number, number] = [BATCH, size, size, inChannels];
  const filterShape: [number, number, number, number] = [KERNEL, KERNEL, inChannels, outChannels];
  const x = randomTensor(rng, xShape) as tf.Tensor4D;
  const filter = randomTensor(rng, filterShape) as tf.Tensor4D;
  const dy = randomTensor(rng, [BATCH, size, size, outChannels]) as tf.Tensor4D;
  const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC' };
  const times: [number, number, number] = [
    medianMs(() => tf.conv2d(x, filter, 1, 'same')),
    medianMs(() => tf.engine().runKernel<tf.Tensor>('Conv2DBackpropInput', { dy, filter }, { ...attrs, inputShape: xShape })),
    medianMs(() => tf.engine().runKernel<tf.Tensor>('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape })),
  ];
  tf.dispose([x, filter, dy]);
  return times;
}

async function main(): Promise<void> {
  const { description } = await initBackend('wasm');
  console.log(`${description}; batch ${BATCH}, ${KERNEL}x${KERNEL} 'same', median of ${REPEATS}`);
  console.log('network  layer              |  forward ms GFLOP/s | input-grad ms GFLOP/s | filter-grad ms GFLOP/s');
  const rng = createRng(1);
  const totals = new Map<string, number[]>();
  for (const l of LAYERS) {
    const times = benchLayer(rng, l);
    const gflop = (2 * BATCH * l.size * l.size * KERNEL * KERNEL * l.inChannels * l.outChannels) / 1e9;
    const cells = times.map((ms) => `${ms.toFixed(1).padStart(9)} ${(gflop / (ms / 1e3)).toFixed(1).padStart(8)}`);
    const name = `${l.size}x${l.size} ${l.inChannels}->${l.outChannels}`.padEnd(18);
    console.log(`${l.network.padEnd(8)} ${name} | ${cells[0]} | ${cells[1].padStart(21)} | ${cells[2].padStart(22)}`);
    const total = totals.get(l.network) ?? [0, 0, 0];
    totals.set(l.network, total.map((t, i) => t + times[i]));
  }
  for (const [network, [forward, input, filter]] of totals) {
    const all = forward + input + filter;
    console.log(
      `${network}: forward ${forward.toFixed(0)} ms + input-grad ${input.toFixed(0)} ms + ` +
        `filter-grad ${filter.toFixed(0)} ms = ${all.toFixed(0)} ms of conv per batch`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
