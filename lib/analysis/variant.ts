/** Network variants for the "what if this layer kept full-precision weights" experiment. */
import * as tf from '@tensorflow/tfjs';
import { Network } from '../model/network';

export interface NetworkVariant {
  /** Runs like any network; do not pass it to disposeNetwork (it shares the original's weights). */
  net: Network;
  /** Frees the variant's own tensors (its batch-norm statistics); the original is untouched. */
  dispose(): void;
}

/**
 * A network that shares `net`'s latent weights and batch-norm offsets but uses W^c instead of W^b
 * in the named conv layers, and owns copies of every layer's moving mean and variance, so that
 * re-estimating them (see reestimateBatchNorm) leaves `net` unchanged.
 */
export function withUnquantizedWeights(net: Network, convLayers: readonly string[]): NetworkVariant {
  const convNames = net.layers.filter((l) => l.kind === 'conv').map((l) => l.name);
  for (const name of convLayers) {
    if (!convNames.includes(name)) {
      throw new Error(`withUnquantizedWeights: '${name}' is not a conv layer of this network; use some of: ${convNames.join(', ')}.`);
    }
  }
  const owned: tf.Variable[] = [];
  const copy = (v: tf.Variable): tf.Variable => {
    const c = tf.variable(v.clone(), false);
    owned.push(c);
    return c;
  };
  const layers = net.layers.map((l) => ({
    ...l,
    quantizeWeights: convLayers.includes(l.name) ? false : l.quantizeWeights,
    movingMean: tf.tidy(() => copy(l.movingMean)),
    movingVariance: tf.tidy(() => copy(l.movingVariance)),
  }));
  const binWeights = net.config.binWeights.map((b, i) => (convLayers.includes(convNames[i]) ? false : b));
  return {
    net: { ...net, config: { ...net.config, binWeights }, layers },
    dispose: () => tf.dispose(owned),
  };
}
