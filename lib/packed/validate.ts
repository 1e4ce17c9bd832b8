/**
 * Structural check of a packed model: every array has the length its layer's sizes imply, and each
 * layer takes what the previous one gives. The kernels (native ones especially) trust these sizes,
 * so a corrupt or hand-edited file is refused here instead of read out of bounds.
 */
import { PackedLayer, PackedModel, convOutputSize, outputWords, wordsPerPixel } from './model';

function fail(layer: string, what: string): never {
  throw new Error(`Invalid packed model: ${layer}: ${what}.`);
}

function positive(name: string, values: Record<string, unknown>): void {
  for (const [key, v] of Object.entries(values)) {
    if (!Number.isInteger(v) || (v as number) <= 0) fail(name, `${key} = ${String(v)} is not a positive integer`);
  }
}

function length(name: string, key: string, a: ArrayLike<number> | undefined, expected: number): void {
  if (!a || a.length !== expected) fail(name, `${key} has ${a?.length ?? 'no'} entries, expected ${expected}`);
}

export function validatePackedModel(model: PackedModel): PackedModel {
  const { layers, config } = model;
  if (!Array.isArray(layers) || layers.length < 2) fail('model', 'it needs a first layer and an output layer');
  const [h0, w0, c0] = config.inputShape;
  let previous: PackedLayer | undefined;
  layers.forEach((l, i) => {
    const name = `layer ${i} (${String(l?.name)})`;
    const isLast = i === layers.length - 1;
    if (i === 0 && l.kind !== 'float-conv') fail(name, `the first layer must be 'float-conv', not '${l.kind}'`);
    if (i > 0 && l.kind === 'float-conv') fail(name, "only the first layer may be 'float-conv'");
    if (isLast !== (l.kind === 'output')) fail(name, "the output layer must be the last, and only the last");
    if (l.kind === 'float-conv' || l.kind === 'binary-conv') {
      positive(name, { height: l.height, width: l.width, k: l.k, cin: l.cin, cout: l.cout });
      if (l.k % 2 !== 1) fail(name, `k = ${l.k} is not odd`);
      length(name, 'flip', l.flip, wordsPerPixel(l.cout));
      if (l.kind === 'float-conv') {
        if (l.height !== h0 || l.width !== w0 || l.cin !== c0) fail(name, `takes ${l.height}×${l.width}×${l.cin}, the model's input is ${h0}×${w0}×${c0}`);
        length(name, 'weights', l.weights, l.k * l.k * l.cin * l.cout);
        length(name, 'thresholds', l.thresholds, l.cout);
      } else {
        const prev = previous!;
        if (prev.kind !== 'float-conv' && prev.kind !== 'binary-conv') fail(name, 'a conv layer must follow a conv layer');
        const [ph, pw] = convOutputSize(prev);
        if (l.height !== ph || l.width !== pw || l.cin !== prev.cout) fail(name, `takes ${l.height}×${l.width}×${l.cin}, the previous layer gives ${ph}×${pw}×${prev.cout}`);
        length(name, 'weights', l.weights, l.cout * l.k * l.k * wordsPerPixel(l.cin));
        length(name, 'positionClass', l.positionClass, l.height * l.width);
        if (!l.classTaps || l.classTaps.length === 0) fail(name, 'classTaps is empty');
        length(name, 'thresholds', l.thresholds, l.classTaps.length * l.cout);
        for (let p = 0; p < l.positionClass.length; p++) {
          if (l.positionClass[p] >= l.classTaps.length) fail(name, `positionClass[${p}] = ${l.positionClass[p]} names no class`);
        }
      }
    } else {
      positive(name, { inputWords: l.inputWords, inputs: l.inputs, units: l.units });
      const prev = previous!;
      if (l.inputWords !== outputWords(prev)) fail(name, `reads ${l.inputWords} words, the previous layer gives ${outputWords(prev)}`);
      if (l.inputWords % 2 !== 0) fail(name, `inputWords = ${l.inputWords} is not a whole number of 64-bit words`);
      length(name, 'weights', l.weights, l.units * l.inputWords);
      if (l.kind === 'binary-dense') {
        length(name, 'thresholds', l.thresholds, l.units);
        length(name, 'flip', l.flip, wordsPerPixel(l.units));
      } else {
        if (l.units !== config.classes) fail(name, `has ${l.units} units for ${config.classes} classes`);
        for (const key of ['mean', 'scale', 'offset'] as const) length(name, key, l[key], l.units);
      }
    }
    previous = l;
  });
  return model;
}
