/** The conv layers of a network and the per-layer tensor steps the analyses share. */
import * as tf from '@tensorflow/tfjs';
import { Layer, Network } from '../model/network';

/** Indices into `net.layers` of the convolutional layers, in order (they come first). */
export function convLayerIndices(net: Network): number[] {
  return net.layers.flatMap((l, i) => (l.kind === 'conv' ? [i] : []));
}

/** The weights the forward pass uses: W^b = quantize(W^c), or W^c where the layer keeps full precision. */
function forwardWeights(net: Network, layer: Layer): tf.Tensor {
  return layer.quantizeWeights ? net.quantize(layer.weights) : layer.weights;
}

/**
 * W^c and W^b of a layer as typed arrays, in the weights' own layout ([k, k, C_in, C_out] or
 * [D_in, D_out]). Values are read outside tf.tidy: tidy walks a returned typed array element by
 * element looking for tensors, which takes seconds for millions of weights.
 */
export function layerWeightValues(net: Network, layer: Layer): { latent: Float32Array; quantized: Float32Array; shape: number[] } {
  const latent = layer.weights.dataSync() as Float32Array;
  let quantized = latent;
  if (layer.quantizeWeights) {
    const wb = tf.tidy(() => net.quantize(layer.weights));
    quantized = wb.dataSync() as Float32Array;
    wb.dispose();
  }
  return { latent, quantized, shape: layer.weights.shape };
}

/**
 * Every dot product of each filter with each input patch: conv2d(A, W, stride 1, 'same'), the
 * original's `utils.conv2d`; before any pooling or batch norm.
 */
export function convDotProducts(a: tf.Tensor, w: tf.Tensor): tf.Tensor4D {
  return tf.conv2d(a as tf.Tensor4D, w as tf.Tensor4D, 1, 'same');
}

/**
 * What a layer's batch norm normalises: conv with W^b (or matMul for fc layers, flattening a conv
 * input) followed by the layer's 2×2 max-pool, exactly as `forward` computes it.
 */
export function preNormalization(net: Network, layer: Layer, input: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const w = forwardWeights(net, layer);
    if (layer.kind === 'fc') {
      const flat = input.rank === 2 ? input : tf.reshape(input, [input.shape[0], -1]);
      return tf.matMul(flat, w);
    }
    const z = convDotProducts(input, w);
    return layer.maxPool ? tf.maxPool(z, 2, 2, 'same') : z;
  });
}
