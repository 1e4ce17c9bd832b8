/**
 * Structural check of a packed model: every array has the type and length its layer's sizes imply,
 * and each layer takes what the previous one gives. The plan (plan.ts) and the kernels trust these
 * sizes, so a corrupt or hand-edited file is refused here instead of read out of bounds.
 */
import { PackedLayer, PackedModel, convOutputSize, isConv, outputItems, outputWords, planesOf, wordsPerPixel } from './model';

function fail(layer: string, what: string): never {
  throw new Error(`Invalid packed model: ${layer}: ${what}.`);
}

function positive(name: string, values: Record<string, unknown>): void {
  for (const [key, v] of Object.entries(values)) {
    if (!Number.isInteger(v) || (v as number) <= 0) fail(name, `${key} = ${String(v)} is not a positive integer`);
  }
}

const LAYER_KINDS: readonly PackedLayer['kind'][] = ['float-conv', 'binary-conv', 'ternary-conv', 'binary-dense', 'ternary-dense', 'output'];

type ArrayType = Float32ArrayConstructor | Int32ArrayConstructor | Uint32ArrayConstructor | Uint8ArrayConstructor;

/** `a` is an array of type `type` (the kernels read it as such: a narrower one would be read past its end) with `expected` entries. */
function length(name: string, key: string, a: ArrayLike<number> | undefined, expected: number, type: ArrayType): void {
  if (!(a instanceof type)) fail(name, `${key} is ${a === undefined ? 'missing' : (a as object).constructor.name}, expected ${type.name}`);
  if (a.length !== expected) fail(name, `${key} has ${a.length} entries, expected ${expected}`);
}

/** Ternary thresholds [channels][2]: the first never above the second (the levels nest). */
function ordered(name: string, thresholds: Int32Array | Float32Array): void {
  for (let i = 0; i < thresholds.length; i += 2) {
    if (thresholds[i] > thresholds[i + 1]) fail(name, `thresholds of channel ${i / 2} (${thresholds[i]}, ${thresholds[i + 1]}) are not in order`);
  }
}

export function validatePackedModel(model: PackedModel): PackedModel {
  const { layers, config } = model;
  if (!Array.isArray(layers) || layers.length < 2) fail('model', 'it needs a first layer and an output layer');
  if (config.levels !== 2 && config.levels !== 3) fail('model', `levels = ${String(config.levels)} is neither 2 nor 3`);
  const ternary = config.levels === 3;
  const planes = planesOf(config.levels);
  const [h0, w0, c0] = config.inputShape;
  let previous: PackedLayer | undefined;
  layers.forEach((l, i) => {
    checkLayer(l, i);
    previous = l;
  });
  return model;

  function checkLayer(l: PackedLayer, i: number): void {
    const name = `layer ${i} (${String(l?.name)})`;
    if (!LAYER_KINDS.includes(l?.kind)) fail(name, `kind ${JSON.stringify(l?.kind)} is none of ${LAYER_KINDS.join(', ')}`);
    const isLast = i === layers.length - 1;
    if (i === 0 && l.kind !== 'float-conv') fail(name, `the first layer must be 'float-conv', not '${l.kind}'`);
    if (i > 0 && l.kind === 'float-conv') fail(name, "only the first layer may be 'float-conv'");
    if (isLast !== (l.kind === 'output')) fail(name, 'the output layer must be the last, and only the last');
    if (l.kind.startsWith(ternary ? 'binary' : 'ternary')) fail(name, `a ${l.kind} layer in a network of levels ${config.levels}`);
    if (isConv(l)) {
      positive(name, { height: l.height, width: l.width, k: l.k, cin: l.cin, cout: l.cout });
      if (l.k % 2 !== 1) fail(name, `k = ${l.k} is not odd`);
      length(name, 'flip', l.flip, wordsPerPixel(l.cout), Uint32Array);
      if (typeof l.maxPool !== 'boolean') fail(name, `maxPool = ${String(l.maxPool)} is not true or false`);
      if (l.kind === 'float-conv') {
        if (l.height !== h0 || l.width !== w0 || l.cin !== c0) fail(name, `takes ${l.height}×${l.width}×${l.cin}, the model's input is ${h0}×${w0}×${c0}`);
        length(name, 'weights', l.weights, l.k * l.k * l.cin * l.cout, Float32Array);
        length(name, 'thresholds', l.thresholds, l.cout * planes, Float32Array);
        if (ternary) ordered(name, l.thresholds);
        return;
      }
      const prev = previous!;
      if (!isConv(prev)) fail(name, 'a conv layer must follow a conv layer');
      const [ph, pw] = convOutputSize(prev);
      if (l.height !== ph || l.width !== pw || l.cin !== prev.cout) fail(name, `takes ${l.height}×${l.width}×${l.cin}, the previous layer gives ${ph}×${pw}×${prev.cout}`);
      length(name, 'weights', l.weights, l.cout * l.k * l.k * wordsPerPixel(l.cin, planes), Uint32Array);
      if (l.kind === 'ternary-conv') {
        length(name, 'thresholds', l.thresholds, 2 * l.cout, Int32Array);
        ordered(name, l.thresholds);
        return;
      }
      length(name, 'positionClass', l.positionClass, l.height * l.width, Uint8Array);
      if (!(l.classTaps instanceof Uint32Array) || l.classTaps.length === 0) fail(name, 'classTaps is missing or empty');
      if (l.k * l.k > 32) fail(name, `k = ${l.k}: position classes hold at most 32 taps (k ≤ 5)`);
      const allTaps = 2 ** (l.k * l.k) - 1;
      l.classTaps.forEach((taps, c) => { if (taps > allTaps) fail(name, `classTaps[${c}] = ${taps} names taps past the ${l.k}×${l.k} window`); });
      length(name, 'thresholds', l.thresholds, l.classTaps.length * l.cout, Int32Array);
      for (let p = 0; p < l.positionClass.length; p++) {
        if (l.positionClass[p] >= l.classTaps.length) fail(name, `positionClass[${p}] = ${l.positionClass[p]} names no class`);
      }
      return;
    }
    positive(name, { inputWords: l.inputWords, inputs: l.inputs, units: l.units });
    const prev = previous!;
    if (l.inputWords !== outputWords(prev, planes)) fail(name, `reads ${l.inputWords} words, the previous layer gives ${outputWords(prev, planes)}`);
    const { items, channels } = outputItems(prev);
    if (l.inputs !== items * channels) fail(name, `has ${l.inputs} inputs, the previous layer gives ${items * channels}`);
    length(name, 'weights', l.weights, l.units * l.inputWords, Uint32Array);
    if (l.kind === 'output') {
      if (l.units !== config.classes) fail(name, `has ${l.units} units for ${config.classes} classes`);
      for (const key of ['mean', 'scale', 'offset'] as const) length(name, key, l[key], l.units, Float32Array);
    } else {
      length(name, 'thresholds', l.thresholds, l.units * planes, Int32Array);
      if (ternary) ordered(name, l.thresholds);
      length(name, 'flip', l.flip, wordsPerPixel(l.units), Uint32Array);
    }
  }
}
