/**
 * Run by test/packed-asan.test.ts in a Node started with libasan preloaded: every packed file named
 * runs through the AddressSanitizer build of the native kernels, on every instruction set this CPU
 * has (1 and 2 threads). Prints the instruction sets and the addon's path (to check its
 * instrumentation).
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
  console.log(`addon ${Object.keys(require.cache).find((f) => f.endsWith('packed.node'))}`);
}

void main().catch((err: Error) => {
  console.error(err.message);
  process.exitCode = 1;
});
