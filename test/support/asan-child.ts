/**
 * Run by test/packed-asan.test.ts in a Node started with libasan preloaded: every packed file named
 * runs through the AddressSanitizer build of the native kernels (1 and 2 threads); with --unchecked,
 * the first file's conv2 weights are cut short and handed to the addon without validation, which
 * AddressSanitizer must report.
 */
import { loadPacked } from '../../lib/packed/format';
import { describeForAddon, loadNative, nativeEngine } from '../../lib/packed/native';

async function main(): Promise<void> {
  const unchecked = process.argv[2] === '--unchecked';
  const files = process.argv.slice(unchecked ? 3 : 2);
  for (const file of files) {
    const { model } = loadPacked(file);
    const [h, w, c] = model.config.inputShape;
    const images = Float32Array.from({ length: 3 * h * w * c }, (_, i) => ((i * 37) % 17) / 16 - 0.5);
    if (unchecked) {
      const conv2 = model.layers[1];
      if (conv2.kind !== 'binary-conv') throw new Error('the first file must have a binary conv2');
      conv2.weights = conv2.weights.slice(0, conv2.weights.length >> 2); // its own allocation, so that reading past it is seen
      const loaded = loadNative();
      if ('missing' in loaded) throw new Error(loaded.missing);
      const { meta, arrays } = describeForAddon(model);
      loaded.addon.run(loaded.addon.create(meta, arrays), images, 3, 1, new Float32Array(3 * model.config.classes));
      return;
    }
    for (const threads of [1, 2]) await nativeEngine(model, threads).logits(images, 3);
  }
  console.log(`ran ${files.length} files`);
}

void main().catch((err: Error) => {
  console.error(err.message);
  process.exitCode = 1;
});
