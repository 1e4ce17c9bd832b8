/**
 * Run by test/packed-asan.test.ts in a Node started with libasan preloaded: every packed file named
 * runs through the AddressSanitizer build of the native kernels, on every instruction set this CPU
 * has (1 and 2 threads); then the binary conv of the training step (native/conv-counts.h) on sizes
 * that reach every border, with its kernels and 1–3 threads. Prints the instruction sets, the convs
 * run and the addon's path (to check its instrumentation).
 */
import { loadPacked } from '../../lib/packed/format';
import { loadNative, nativeEngine } from '../../lib/packed/native';

async function main(): Promise<void> {
  const files = process.argv.slice(2);
  const loaded = loadNative();
  if ('missing' in loaded) throw new Error(loaded.missing);
  for (const file of files) {
    const { model } = loadPacked(file);
    const [h, w, c] = model.config.inputShape;
    const images = Float32Array.from({ length: 3 * h * w * c }, (_, i) => ((i * 37) % 17) / 16 - 0.5);
    for (const isa of loaded.addon.isas) {
      for (const threads of [1, 2]) await nativeEngine(model, { threads, isa }).logits(images, 3);
    }
  }
  console.log(`ran ${files.length} files on ${loaded.addon.isas.join(', ')}`);
  // [images, height, width, channels, filters, k]: windows wider than the image, channels past a word, filters not a multiple of 8.
  const shapes = [[1, 1, 1, 1, 1, 1], [2, 5, 7, 3, 5, 3], [1, 3, 2, 64, 9, 7], [2, 8, 9, 130, 20, 5], [3, 6, 11, 128, 40, 1], [1, 2, 13, 65, 17, 9]];
  const kernels = loaded.addon.convCountsIsa === 'avx512' ? [true, false] : [false];
  for (const [n, h, w, c, f, k] of shapes) {
    const input = Float32Array.from({ length: n * h * w * c }, (_, i) => ((i * 7919) % 13 < 6 ? -1 : 1));
    const weights = Float32Array.from({ length: k * k * c * f }, (_, i) => ((i * 104729) % 11 < 5 ? -1 : 1));
    for (const avx512 of kernels) {
      for (const threads of [1, 2, 3]) loaded.addon.convCounts(input, weights, Float64Array.of(n, h, w, c, f, k), avx512, threads, new Float32Array(n * h * w * f));
    }
  }
  console.log(`ran ${shapes.length} binary convs`);
  console.log(`addon ${Object.keys(require.cache).find((f) => f.endsWith('packed.node'))}`);
}

void main().catch((err: Error) => {
  console.error(err.message);
  process.exitCode = 1;
});
