/** Replacing a backend's built-in tfjs kernel with our own, once. */
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs';

const ourKernelFuncs = new WeakSet<KernelFunc>();

/**
 * Registers `makeConfig(builtIn)` for `backendName` in place of the built-in kernel `kernelName`
 * (undefined when there is none). Idempotent: does nothing if our replacement is already
 * registered. A wasm replacement should carry the built-in's setupFunc so that a later
 * (re)initialisation of the wasm backend still sets up the code it delegates to.
 */
export function overrideKernel(
  kernelName: string,
  backendName: string,
  makeConfig: (builtIn: KernelConfig | undefined) => KernelConfig,
): void {
  const builtIn = tf.getKernel(kernelName, backendName);
  if (builtIn !== undefined && ourKernelFuncs.has(builtIn.kernelFunc)) return;
  const config = makeConfig(builtIn);
  if (builtIn !== undefined) tf.unregisterKernel(kernelName, backendName);
  tf.registerKernel(config);
  ourKernelFuncs.add(config.kernelFunc);
}
