/** Networks for the packed tests: random weights, and batch-norm statistics that put thresholds on exact values. */
import * as tf from '@tensorflow/tfjs';
import { ArchitectureOptions, makeConfig } from '../../lib/model/config';
import { Network, createNetwork, disposeNetwork } from '../../lib/model/network';
import { PackedModel } from '../../lib/packed/model';
import { packNetwork } from '../../lib/packed/pack';
import { createRng } from '../../lib/stats/random';

/** A network with random weights and random batch-norm statistics (some at integer means, to hit thresholds exactly). */
export function randomNetwork(arch: Omit<ArchitectureOptions, 'classes'> & { classes?: number }, seed: number): Network {
  const net = createNetwork(makeConfig({ classes: 3, ...arch }), seed);
  const rng = createRng(seed + 100);
  for (const l of net.layers) {
    const shape = l.weights.shape;
    const fanIn = shape.slice(0, -1).reduce((a, b) => a * b, 1);
    const units = shape[shape.length - 1];
    const spread = Math.sqrt(fanIn);
    const mean = Float32Array.from({ length: units }, (_, i) => (i % 3 === 0 ? Math.round(rng.normal() * spread) : rng.normal() * spread));
    const variance = Float32Array.from({ length: units }, () => (0.2 + rng.uniform()) * fanIn);
    const offset = Float32Array.from({ length: units }, (_, i) => (i % 3 === 0 ? 0 : rng.normal()));
    l.movingMean.assign(tf.tensor1d(mean));
    l.movingVariance.assign(tf.tensor1d(variance));
    l.offset.assign(tf.tensor1d(offset));
  }
  return net;
}

/** The packed form of {@link randomNetwork} (the float network disposed). */
export function packRandom(arch: Omit<ArchitectureOptions, 'classes'> & { classes?: number }, seed: number): PackedModel {
  const net = randomNetwork(arch, seed);
  try {
    return packNetwork(net);
  } finally {
    disposeNetwork(net);
  }
}
