/**
 * The convs of a graph whose inputs and weights are both ±1 (binary networks, from the second conv
 * on), run by the native binary conv (backend/binary-conv.ts) between session runs: a run fetches a
 * conv's input and weights, the kernel computes its output exactly as the float Conv2D would, and
 * the output is fed in the Conv2D's place, the input in its quantizer's (TensorFlow then prunes them
 * and everything only they needed). The graph's values, and so the training step's weights, are unchanged.
 */
import * as tf from '@tensorflow/tfjs';
import type { Output } from '../backend/graph/graph-builder';
import type { GraphSession } from '../backend/graph/graph-session';
import { binaryConvKernel, type BinaryConvKernel, type BinaryConvShape } from '../backend/binary-conv';
import type { LayerNodes } from './graph-network';
import type { Network } from './network';

interface BinaryConvNodes {
  /** The Conv2D's output. */
  conv: Output;
  /** Its ±1 input (the previous layer's quantizer) and ±1 weights. */
  input: Output;
  weights: Output;
  shape: BinaryConvShape;
  /** The kernel's output, reused run after run (the tensor made from it copies it); sized on use where images is −1 (any). */
  buffer: Float32Array;
}

/** True when layer i's conv multiplies ±1 inputs (the previous conv's binary activations) by ±1 weights. */
function isBinaryConv(net: Network, i: number): boolean {
  const layer = net.layers[i];
  const previous = i > 0 ? net.layers[i - 1] : undefined;
  return net.config.levels === 2 && layer.kind === 'conv' && layer.quantizeWeights && previous?.kind === 'conv' && previous.quantizeActs;
}

/** A graph's binary convs and the kernel that runs them. */
export interface BinaryConvs {
  kernel: BinaryConvKernel;
  convs: BinaryConvNodes[];
}

/** The binary convs among the forward pass's `layers`, or undefined when there are none or the native kernel does not run. */
export function binaryConvsOf(net: Network, layers: LayerNodes[]): BinaryConvs | undefined {
  const kernel = binaryConvKernel();
  if (kernel === undefined) return undefined;
  const convs = layers.flatMap((t, i) => {
    if (!isBinaryConv(net, i)) return [];
    const [k, , channels, filters] = t.layer.weights.shape;
    const [images, height, width] = t.inputShape;
    const shape = { images, height, width, channels, filters, k };
    return [{ conv: t.conv, input: t.input, weights: t.weights, shape, buffer: new Float32Array(Math.max(0, images * height * width * filters)) }];
  });
  return convs.length > 0 ? { kernel, convs } : undefined;
}

/**
 * Computes the binary convs in order: each conv's input is fetched with the outputs computed before
 * it fed; returns the feeds to add to the graph's run: each conv's output and input.
 */
function computeBinaryConvs(session: GraphSession, feeds: ReadonlyArray<readonly [Output, tf.Tensor]>, { kernel, convs }: BinaryConvs): [Output, tf.Tensor][] {
  const computed: [Output, tf.Tensor][] = [];
  try {
    // The first run fetches the weights too (they depend only on the fed variables), unless they are fed themselves.
    const fed = new Map(feeds.map(([name, value]) => [name, value]));
    const toFetch = convs.filter((c) => !fed.has(c.weights)).map((c) => c.weights);
    const [first, ...fetchedWeights] = session.run(feeds, [convs[0].input, ...toFetch]);
    computed.push([convs[0].input, first]);
    let weights: Float32Array[];
    try {
      weights = convs.map((c) => (fed.get(c.weights) ?? fetchedWeights[toFetch.indexOf(c.weights)]).dataSync() as Float32Array);
    } finally {
      tf.dispose(fetchedWeights);
    }
    convs.forEach((c, j) => {
      if (j > 0) computed.push([c.input, session.run([...feeds, ...computed], [c.input])[0]]);
      const input = computed[computed.length - 1][1];
      const shape = { ...c.shape, images: input.shape[0] };
      const size = shape.images * shape.height * shape.width * shape.filters;
      if (c.buffer.length !== size) c.buffer = new Float32Array(size);
      kernel.run(input.dataSync() as Float32Array, weights[j], shape, c.buffer);
      computed.push([c.conv, tf.tensor4d(c.buffer, [shape.images, shape.height, shape.width, shape.filters])]);
    });
  } catch (err) {
    tf.dispose(computed.map(([, value]) => value));
    throw err;
  }
  return computed;
}

/** session.run(feeds, fetches), with the binary convs (if any) computed first and fed in. */
export function runWithBinaryConvs(
  session: GraphSession, feeds: ReadonlyArray<readonly [Output, tf.Tensor]>, fetches: readonly Output[], binary: BinaryConvs | undefined,
): tf.Tensor[] {
  const computed = binary ? computeBinaryConvs(session, feeds, binary) : [];
  try {
    return session.run([...feeds, ...computed], fetches);
  } finally {
    tf.dispose(computed.map(([, value]) => value));
  }
}
