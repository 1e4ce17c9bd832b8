/**
 * Architecture of a binary / ternary network, as the original `BinaryNeuralNetwork` took it
 * (`network_params` in bnn.py), with validation that names the bad field and the fix.
 */

export type Levels = 2 | 3;

export interface NetworkConfig {
  /** [height, width, channels] of one input image. */
  inputShape: [number, number, number];
  /** Number of classes (width of the output layer). */
  classes: number;
  /** Feature maps of each convolutional layer. */
  conv: number[];
  /** Side of the square convolution kernel (odd). */
  filterSize: number;
  /** 2×2 max-pool after each conv layer? One entry per conv layer. */
  maxPool: boolean[];
  /** Hidden units of each fully connected layer, before the output layer. */
  fc: number[];
  /** Quantize the weights of each conv layer? One entry per conv layer. */
  binWeights: boolean[];
  /** Quantize the activations of each conv layer? One entry per conv layer. */
  binActs: boolean[];
  /** Quantize the weights and hidden activations of the fully connected layers? (The original always did.) */
  quantizeFc: boolean;
  /** 2: binary {−1, +1}; 3: ternary {−1, 0, +1}. */
  levels: Levels;
  /** Ternary threshold t: values with |x| ≤ t become 0. Unused (0) for binary. */
  threshold: number;
}

/** Architecture options before the per-layer lists are expanded; see {@link makeConfig}. */
export interface ArchitectureOptions {
  inputShape: [number, number, number];
  classes: number;
  conv: number[];
  maxPool: boolean[];
  fc: number[];
  filterSize?: number;
  levels?: Levels;
  threshold?: number;
  /** No quantization anywhere: the full-precision baseline. */
  continuous?: boolean;
}

/** Builds a validated config, quantizing every layer unless `continuous` (as run_bnn.py does). */
export function makeConfig(o: ArchitectureOptions): NetworkConfig {
  const quantized = !o.continuous;
  return validateConfig({
    inputShape: o.inputShape,
    classes: o.classes,
    conv: o.conv,
    filterSize: o.filterSize ?? 3,
    maxPool: o.maxPool,
    fc: o.fc,
    binWeights: o.conv.map(() => quantized),
    binActs: o.conv.map(() => quantized),
    quantizeFc: quantized,
    levels: o.levels ?? 2,
    threshold: o.threshold ?? 0,
  });
}

/** The widest layer a config may ask for: far beyond any network here, and small enough that a corrupt file cannot ask for terabytes. */
const MAX_WIDTH = 65536;

function positiveInts(name: string, values: readonly number[]): void {
  if (!Array.isArray(values)) throw new Error(`Invalid network config: ${name} = ${JSON.stringify(values)}; it must be a list of positive integers.`);
  values.forEach((v, i) => {
    if (!Number.isInteger(v) || v <= 0) {
      throw new Error(`Invalid network config: ${name}[${i}] = ${v}; every entry must be a positive integer.`);
    }
    if (v > MAX_WIDTH) throw new Error(`Invalid network config: ${name}[${i}] = ${v}; at most ${MAX_WIDTH} units per layer.`);
  });
}

/** A list of true/false flags, one per conv layer. */
function sameLength(name: string, list: readonly unknown[], conv: readonly number[]): void {
  if (!Array.isArray(list)) throw new Error(`Invalid network config: ${name} = ${JSON.stringify(list)}; it must be a list of true/false, one per conv layer.`);
  if (list.length !== conv.length) {
    throw new Error(
      `Invalid network config: ${name} has ${list.length} entries but conv has ${conv.length}; give one per conv layer.`,
    );
  }
  const bad = list.findIndex((v) => typeof v !== 'boolean');
  if (bad >= 0) throw new Error(`Invalid network config: ${name}[${bad}] = ${JSON.stringify(list[bad])}; each entry is true or false.`);
}

/** Checks every field; returns the config unchanged or throws an error naming the problem. */
export function validateConfig(c: NetworkConfig): NetworkConfig {
  if (!Array.isArray(c.inputShape) || c.inputShape.length !== 3) {
    throw new Error(`Invalid network config: inputShape must be [height, width, channels], got ${JSON.stringify(c.inputShape)}.`);
  }
  positiveInts('inputShape', c.inputShape);
  positiveInts('classes', [c.classes]);
  if (c.classes < 2) throw new Error(`Invalid network config: classes = ${c.classes}; need at least 2.`);
  positiveInts('conv', c.conv);
  positiveInts('fc', c.fc);
  positiveInts('filterSize', [c.filterSize]);
  if (c.filterSize % 2 !== 1) {
    throw new Error(`Invalid network config: filterSize = ${c.filterSize}; use an odd size (1, 3, 5, …) so 'same' padding is symmetric.`);
  }
  sameLength('maxPool', c.maxPool, c.conv);
  sameLength('binWeights', c.binWeights, c.conv);
  sameLength('binActs', c.binActs, c.conv);
  if (typeof c.quantizeFc !== 'boolean') {
    throw new Error(`Invalid network config: quantizeFc = ${JSON.stringify(c.quantizeFc)}; it is true or false (quantize the fully connected layers).`);
  }
  if (c.levels !== 2 && c.levels !== 3) {
    throw new Error(`Invalid network config: levels = ${c.levels}; use 2 (binary) or 3 (ternary).`);
  }
  if (c.levels === 3 && !(c.threshold > 0 && c.threshold < 1)) {
    throw new Error(`Invalid network config: threshold = ${c.threshold} for ternary; it must lie in (0, 1), e.g. 0.02.`);
  }
  if (c.levels === 2 && c.threshold !== 0) {
    throw new Error(`Invalid network config: threshold = ${c.threshold} has no effect with levels = 2; set it to 0 or use levels = 3.`);
  }
  return c;
}

/** First field where two configs differ, as "path: a vs b", or null when equal. */
export function configDifference(a: unknown, b: unknown, path = 'config'): string | null {
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return `${path}: length ${a.length} vs ${b.length}`;
    for (let i = 0; i < a.length; i++) {
      const d = configDifference(a[i], b[i], `${path}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      const d = configDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
      if (d) return d;
    }
    return null;
  }
  return a === b ? null : `${path}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
}
