/**
 * analyzeNetwork on the two reference architectures with random weights and N(0, 1) images:
 * seconds for the quick network on 500 images (target < 60 s), and peak memory (process RSS and the
 * WebAssembly heap, which never shrinks) for the paper network on 100 images (target < 2 GB).
 * Also times the accuracy-impact experiment (batch-norm re-estimation on 1000 images per variant), and
 * the weight-geometry record training takes once per epoch.
 * Run: npx ts-node --transpile-only bench/analysis.ts [quick|paper]
 */
import * as tf from '@tensorflow/tfjs';
import { analyzeNetwork, weightGeometry, weightQuantizationImpact } from '../lib/analysis';
import { initBackend } from '../lib/backend';
import { ArchitectureOptions, makeConfig } from '../lib/model/config';
import { createNetwork, disposeNetwork } from '../lib/model/network';
import { randomImages } from '../test/support/synthetic';

const ARCHITECTURES: Record<'quick' | 'paper', ArchitectureOptions & { images: number }> = {
  quick: { inputShape: [28, 28, 1], classes: 10, conv: [32, 64, 128], maxPool: [true, true, false], fc: [256], images: 500 },
  paper: {
    inputShape: [32, 32, 3], classes: 10, conv: [128, 128, 256, 256, 512, 512],
    maxPool: [false, true, false, true, false, true], fc: [1024, 1024], images: 100,
  },
};

const MB = 1024 * 1024;

/** Size of the wasm backend's heap in MB, when the active backend is wasm. */
function wasmHeapMB(): number | undefined {
  const backend = tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } };
  const heap = backend.wasm?.HEAPU8;
  return heap ? heap.buffer.byteLength / MB : undefined;
}

/** Peak resident set size of this process so far, in MB (getrusage's ru_maxrss). */
const peakRssMB = (): number => (process.resourceUsage().maxRSS * 1024) / MB;

async function seconds(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return (performance.now() - start) / 1000;
}

export async function run(which: string[] = ['paper', 'quick']): Promise<void> {
  console.log((await initBackend()).description);
  for (const name of which as (keyof typeof ARCHITECTURES)[]) {
    const { images, ...arch } = ARCHITECTURES[name];
    const net = createNetwork(makeConfig(arch), 0);
    const test = randomImages(images, arch.inputShape, arch.classes, 1);
    const t = await seconds(() => analyzeNetwork(net, test, { images, batchSize: 50 }));
    const heap = wasmHeapMB();
    // Peaks cover the whole process so far: run the paper network first (the default order) or alone.
    console.log(
      `${name}: analyzeNetwork on ${images} images ${t.toFixed(1)} s; peak RSS so far ${peakRssMB().toFixed(0)} MB` +
        (heap === undefined ? '' : `, wasm heap ${heap.toFixed(0)} MB`),
    );
    // The weights' geometry record that training takes after every epoch (the median of 5).
    const record = [0, 1, 2, 3, 4].map(() => { const start = performance.now(); weightGeometry(net); return performance.now() - start; }).sort((a, b) => a - b)[2];
    console.log(`${name}: weight geometry record (once per epoch) ${record.toFixed(0)} ms`);
    if (name === 'quick') {
      const train = randomImages(1000, arch.inputShape, arch.classes, 2);
      const ti = await seconds(() => weightQuantizationImpact(net, { train, test }));
      console.log(`${name}: weightQuantizationImpact (5 variants, batch norm on 1000 images, scored on ${images}) ${ti.toFixed(1)} s`);
    }
    disposeNetwork(net);
  }
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const bad = args.filter((a) => !(a in ARCHITECTURES));
  if (bad.length) {
    console.error(`Unknown architecture ${bad.join(', ')}; use quick and/or paper.`);
    process.exit(1);
  }
  void run(args.length ? args : undefined);
}
