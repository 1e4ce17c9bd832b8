/**
 * Training and inference throughput (images/s, batch 50) of the two reference networks on the
 * active backend, against PyTorch 1.13 on this 2-core CPU with the same architecture.
 * Arguments name the networks to run (default: all), e.g. `… bench/train-throughput.ts small`;
 * BNN_WASM_THREADS=1 compares with single-threaded wasm.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../lib/backend';
import { ArchitectureOptions, makeConfig } from '../lib/model/config';
import { createNetwork, disposeNetwork, forward } from '../lib/model/network';
import { ScheduledAdam } from '../lib/train/optimizer';
import { trainStep } from '../lib/train/train';

/** Images/s measured for PyTorch 1.13 (CPU, 2 cores, batch 50) with the same networks (issue #2). */
const PYTORCH_CPU_IMAGES_PER_SECOND = {
  small: { train: 540, inference: 1500 },
  paper: { train: 22, inference: 60 },
};

const NETWORKS: Record<keyof typeof PYTORCH_CPU_IMAGES_PER_SECOND, ArchitectureOptions> = {
  small: { inputShape: [28, 28, 1], classes: 10, conv: [32, 64, 128], maxPool: [true, true, false], fc: [256] },
  paper: {
    inputShape: [32, 32, 3], classes: 10, conv: [128, 128, 256, 256, 512, 512],
    maxPool: [false, true, false, true, false, true], fc: [1024, 1024],
  },
};

const BATCH = 50;

/** Seconds per call of fn, after one warm-up call, over at least minSeconds. */
function timePerCall(fn: () => void, minSeconds: number): number {
  fn();
  let calls = 0;
  const start = performance.now();
  while (performance.now() - start < minSeconds * 1000 || calls < 2) {
    fn();
    calls++;
  }
  return (performance.now() - start) / 1000 / calls;
}

export async function run(only: string[] = []): Promise<void> {
  const unknown = only.filter((name) => !(name in NETWORKS));
  if (unknown.length > 0) throw new Error(`Unknown network ${unknown.join(', ')}; choose from ${Object.keys(NETWORKS).join(', ')}.`);
  console.log((await initBackend()).description);
  for (const [name, arch] of Object.entries(NETWORKS) as [keyof typeof NETWORKS, ArchitectureOptions][]) {
    if (only.length > 0 && !only.includes(name)) continue;
    const net = createNetwork(makeConfig(arch), 0);
    const optimizer = new ScheduledAdam(1e-3);
    const x = tf.randomNormal([BATCH, ...arch.inputShape], 0, 1, 'float32', 1) as tf.Tensor4D;
    const y = tf.tensor1d(Array.from({ length: BATCH }, (_, i) => i % arch.classes), 'int32');
    const seconds = name === 'paper' ? 20 : 5;
    const phases = {
      train: () => void trainStep(net, optimizer, x, y, 'hinge'),
      inference: () => tf.tidy(() => {
        forward(net, x, 'infer').dataSync();
      }),
    };
    for (const [phase, fn] of Object.entries(phases) as ['train' | 'inference', () => void][]) {
      const rate = BATCH / timePerCall(fn, seconds);
      const reference = PYTORCH_CPU_IMAGES_PER_SECOND[name][phase];
      console.log(`${name} ${phase} ${rate.toFixed(rate < 100 ? 1 : 0)} img/s (${(rate / reference).toFixed(2)}x PyTorch-CPU ${reference})`);
    }
    tf.dispose([x, y]);
    optimizer.dispose();
    disposeNetwork(net);
  }
}

if (require.main === module) void run(process.argv.slice(2));
