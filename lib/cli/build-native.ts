/**
 * `npm install` step: builds the native addon (packed/native.ts) now, so that the first training,
 * `npm run figures` or `classify` does not wait for the compiler. Never fails the install: without
 * the addon, packed inference runs on wasm and binary convs on TensorFlow's float kernels.
 */
import { loadNative } from '../packed/native';

if (require.main === module) {
  const started = Date.now();
  const loaded = loadNative();
  console.log(
    'missing' in loaded
      ? `native kernels: unavailable (${loaded.missing}); packed inference then runs on wasm, binary convs on TensorFlow's float kernels`
      : `native kernels: ready (${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );
}
