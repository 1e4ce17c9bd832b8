/** Model sizes for reports: float32 checkpoint weights vs the packed file. */
import { NetworkConfig } from '../model/config';
import { weightShapes } from '../model/network';

/** Bytes of a network's float32 tensors (W, β, moving mean and variance), as a checkpoint stores them without optimizer state. */
export function floatWeightBytes(config: NetworkConfig): number {
  return weightShapes(config).reduce((n, { shape }) => n + 4 * (shape.reduce((a, b) => a * b, 1) + 3 * shape[shape.length - 1]), 0);
}
