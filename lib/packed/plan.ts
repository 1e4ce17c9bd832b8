/**
 * The execution plan of a packed model: the operations every engine runs, in order, computed once
 * here. Each operation is a kernel (what computes a layer's bits or integers) followed by an output
 * transform (what turns them into the next layer's input, or into logits), with its sizes, its
 * buffers in a per-image arena, and its weights and thresholds in the layout its kernel family
 * reads. The engines (reference.ts, wasm-engine.ts, native.ts) hold no layer logic of their own:
 * they walk the operations and call one kernel and one transform for each.
 *
 * Layouts (plan-abi.ts names them; sizes in 32-bit words):
 * - every family: float conv weights [k][k][cin][coutPadded] float32 with coutPadded = cout rounded
 *   up to 32 (zeros), thresholds [planes][coutPadded] float32 (padding NaN, never reached);
 *   dense thresholds [planes][units] int32 on z (z ≥ t); bit layouts as model.ts.
 * - portable (reference, scalar native): conv and dense weights as the file; binary conv thresholds
 *   [classes][cout] int32 on counts (count ≤ t); ternary conv thresholds [2][cout] int32 on z.
 * - wasm: binary conv weights in passes of 12 channels ({@link wasmConvWeights}), thresholds
 *   [classes][cout rounded up to 12] padded with −1; everything else portable.
 * - grouped4 / grouped8 (AVX2 / AVX-512): conv and dense weights [⌈channels/G⌉][64-bit word][G] (a
 *   ternary row's words alternate sign and non-zero, so each group reads [word pair][plane][G]),
 *   conv thresholds int64 (two 32-bit words) [classes or planes][channels rounded up to G], padded
 *   with a value never reached.
 * - grouped4 / grouped8 conv windows ({@link compactWindows}): where a pixel's channels fill an odd
 *   number of 32-bit halves per plane, a window leaves out each tap's empty last half (the AVX2 and
 *   AVX-512 kernels gather the input the same way), when no bit it leaves out could count.
 */
import { GATHERED_WINDOWS, Layout, LAYOUTS, HEADER_FIELDS, KernelKind, KERNEL_KINDS, OP_FIELDS, OpField, PLAN_ABI_VERSION, PLAN_MAGIC, TRANSFORM_KINDS, TransformKind } from './plan-abi';
import {
  BinaryConvLayer,
  BinaryDenseLayer,
  ConvLayer,
  DenseLayer,
  FloatConvLayer,
  PackedModel,
  TernaryConvLayer,
  TernaryDenseLayer,
  isConv,
  outputWords,
  planesOf,
  wordsPerPixel,
} from './model';
import { validatePackedModel } from './validate';

/** A buffer: offset and size in 32-bit words, in the arena or the constants. */
export interface Region {
  offset: number;
  words: number;
}

const NO_REGION: Region = { offset: 0, words: 0 };

/** One operation: a kernel and its output transform (fields as plan-abi.ts's OP_FIELDS). */
export interface PlanOp {
  /** The layer it computes. */
  name: string;
  kernel: KernelKind;
  transform: TransformKind;
  height: number;
  width: number;
  k: number;
  cin: number;
  /** Output channels or units, and the count the layout pads them to. */
  cout: number;
  coutPadded: number;
  planes: number;
  /** Position classes of a binary conv. */
  classes: number;
  /** Real inputs of a dense layer (a binary z is inputs − 2·count) and its input words; of a binary or ternary conv, the words of one window as its weights hold it. */
  inputs: number;
  inputWords: number;
  /** 1: 2×2 max-pool before the transform's output. */
  pool: number;
  /** Zero border (pixels) of the transform's destination: the next conv's (k − 1)/2. */
  pad: number;
  /** Arena: the kernel's input, its output (bits before pooling, or z), the transform's output, working space. */
  src: Region;
  out: Region;
  dst: Region;
  scratch: Region;
  /** Constants. */
  weights: Region;
  positionClass: Region;
  thresholds: Region;
  flip: Region;
  mean: Region;
  scale: Region;
  offset: Region;
}

export interface ExecutionPlan {
  layout: Layout;
  /** Values per image in, logits out. */
  imageSize: number;
  classes: number;
  /** Words of one image's working memory (one arena per thread), zero-initialised. */
  arenaWords: number;
  /** Where each image goes in, and its logits come out (float32). */
  image: Region;
  logits: Region;
  constants: Uint32Array;
  ops: PlanOp[];
}

/** Regions start on 64-byte boundaries and have 16 spare bytes (SIMD loads of a tail may read them). */
const ALIGN_WORDS = 16;
const SPARE_WORDS = 4;

class Allocator {
  words = 0;
  readonly blocks: { at: number; data: ArrayBufferView }[] = [];

  take(words: number, data?: ArrayBufferView): Region {
    const at = this.words;
    if (data) this.blocks.push({ at, data });
    this.words = Math.ceil((at + words + SPARE_WORDS) / ALIGN_WORDS) * ALIGN_WORDS;
    return { offset: at, words };
  }

  /** A typed array's words (bytes rounded up to whole words). */
  add(data: ArrayBufferView): Region {
    return this.take(Math.ceil(data.byteLength / 4), data);
  }

  contents(): Uint32Array {
    const out = new Uint8Array(this.words * 4);
    for (const b of this.blocks) out.set(new Uint8Array(b.data.buffer, b.data.byteOffset, b.data.byteLength), b.at * 4);
    return new Uint32Array(out.buffer);
  }
}

const roundUp = (n: number, m: number) => Math.ceil(n / m) * m;

/** Channels per group of the grouped layouts. */
function groupSize(layout: Layout): number {
  return layout === 'grouped8' ? 8 : layout === 'grouped4' ? 4 : 1;
}

/** Rows (channels) of 64-bit words → [⌈rows/G⌉][word][G], zeros past the last row. */
function groupedWeights(weights: Uint32Array, rows: number, g: number): Uint32Array {
  const words = weights.length / rows / 2;
  const out = new Uint32Array(roundUp(rows, g) * words * 2);
  for (let o = 0; o < rows; o++) {
    for (let j = 0; j < words; j++) {
      const at = ((Math.floor(o / g) * words + j) * g + (o % g)) * 2;
      out[at] = weights[(o * words + j) * 2];
      out[at + 1] = weights[(o * words + j) * 2 + 1];
    }
  }
  return out;
}

/** int32 values → int64 (pairs of 32-bit words, little-endian) in `padded` entries, `fill` past the end of each row of `rowLength`. */
function int64Rows(values: Int32Array, rowLength: number, padded: number, fill: number): Int32Array {
  const rows = values.length / rowLength;
  const out = new Int32Array(rows * padded * 2);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < padded; i++) {
      const v = i < rowLength ? values[r * rowLength + i] : fill;
      out[(r * padded + i) * 2] = v;
      out[(r * padded + i) * 2 + 1] = v < 0 ? -1 : 0;
    }
  }
  return out;
}

/** int32 rows of `rowLength` → rows of `padded`, `fill` past the end. */
function int32Rows(values: Int32Array, rowLength: number, padded: number, fill: number): Int32Array {
  const rows = values.length / rowLength;
  const out = new Int32Array(rows * padded).fill(fill);
  for (let r = 0; r < rows; r++) out.set(values.subarray(r * rowLength, (r + 1) * rowLength), r * padded);
  return out;
}

/** [items][planes] → [planes][items]. */
function planeMajor<T extends Int32Array | Float32Array>(values: T, planes: number): T {
  const items = values.length / planes;
  const out = values.slice() as T;
  for (let i = 0; i < items; i++) for (let p = 0; p < planes; p++) out[p * items + i] = values[i * planes + p];
  return out;
}

/** Output channels per pass of the wasm binary conv: 8 on SIMD, 4 on the scalar popcount. */
export const WASM_CONV_PASS = 12;

/**
 * A binary conv's weights as the wasm binaryConv reads them: the window ([k][k][wordsPerPixel(cin)])
 * in 16-byte chunks (zero-padded), channels in passes of 12 (zero-padded): [⌈cout/12⌉][chunks] of 192
 * bytes, the chunk's 8 halfwords × channels 0–7 of the pass ([halfword][channel]), then its 16 bytes
 * of each of channels 8–11.
 */
function wasmConvWeights(l: BinaryConvLayer): Uint16Array {
  const winHalves = l.k * l.k * wordsPerPixel(l.cin) * 2;
  const chunks = Math.ceil(winHalves / 8);
  const src = new Uint16Array(l.weights.buffer, l.weights.byteOffset, l.weights.length * 2);
  const out = new Uint16Array(Math.ceil(l.cout / WASM_CONV_PASS) * chunks * 96);
  for (let o = 0; o < l.cout; o++) {
    const pass = Math.floor(o / WASM_CONV_PASS);
    const m = o % WASM_CONV_PASS;
    for (let q = 0; q < winHalves; q++) {
      const chunk = (pass * chunks + (q >> 3)) * 96;
      out[m < 8 ? chunk + (q & 7) * 8 + m : chunk + 64 + (m - 8) * 8 + (q & 7)] = src[o * winHalves + q];
    }
  }
  return out;
}

/** The 32-bit word of half s (32 channels) of plane p of a pixel, or of a window held as a stream of halves: planes alternate by 64-bit word (model.ts). */
const halfAt = (s: number, p: number, planes: number) => ((s >> 1) * planes + p) * 2 + (s & 1);

/**
 * A conv's weights as the grouped kernels (AVX2, AVX-512) read each window: on each plane, the k²
 * taps' used halves (⌈cin/32⌉ each) end to end, and a zero half to end on a whole 64-bit word, planes
 * alternating by word as in a pixel: [rows][word][plane][2 halves]. When ⌈cin/32⌉ is odd that leaves
 * out each tap's last half, so it is undefined where a bit there could count: a binary weight bit, or
 * a bit the previous layer sets there (its flip; the kernels leave the rest of the padding zero, and
 * ternary padding has a zero non-zero plane).
 */
function compactWindows(l: BinaryConvLayer | TernaryConvLayer, planes: number, inputFlip: Uint32Array): Uint32Array | undefined {
  const taps = l.k * l.k, halves = Math.ceil(l.cin / 32), wpp = wordsPerPixel(l.cin, planes);
  if (halves % 2 === 0) return l.weights; // nothing to leave out
  if (planes === 1) {
    if (inputFlip[halves] !== 0) return undefined;
    for (let t = 0; t < l.cout * taps; t++) if (l.weights[t * wpp + halves] !== 0) return undefined;
  }
  const held = 2 * planes * Math.ceil((taps * halves) / 2);
  const out = new Uint32Array(l.cout * held);
  for (let o = 0; o < l.cout; o++) {
    for (let t = 0; t < taps; t++) {
      for (let i = 0; i < halves; i++) {
        for (let p = 0; p < planes; p++) out[o * held + halfAt(t * halves + i, p, planes)] = l.weights[(o * taps + t) * wpp + halfAt(i, p, planes)];
      }
    }
  }
  return out;
}

/** A threshold z never reaches (|z| ≤ k²·cin or the inputs, far below). */
const NEVER = 0x7fffffff;

type OpBase = Omit<PlanOp, 'name' | 'kernel' | 'transform'>;

function blankOp(): OpBase {
  return {
    height: 1, width: 1, k: 1, cin: 0, cout: 0, coutPadded: 0, planes: 1, classes: 0, inputs: 0, inputWords: 0, pool: 0, pad: 0,
    src: NO_REGION, out: NO_REGION, dst: NO_REGION, scratch: NO_REGION,
    weights: NO_REGION, positionClass: NO_REGION, thresholds: NO_REGION, flip: NO_REGION, mean: NO_REGION, scale: NO_REGION, offset: NO_REGION,
  };
}

function floatConvConstants(l: FloatConvLayer, planes: number, c: Allocator): Partial<OpBase> {
  const coutPadded = roundUp(l.cout, 32);
  const rows = l.k * l.k * l.cin;
  const weights = new Float32Array(rows * coutPadded);
  for (let row = 0; row < rows; row++) weights.set(l.weights.subarray(row * l.cout, (row + 1) * l.cout), row * coutPadded);
  const thresholds = new Float32Array(planes * coutPadded).fill(NaN);
  const byPlane = planeMajor(l.thresholds, planes);
  for (let p = 0; p < planes; p++) thresholds.set(byPlane.subarray(p * l.cout, (p + 1) * l.cout), p * coutPadded);
  return { coutPadded, weights: c.add(weights), thresholds: c.add(thresholds) };
}

/**
 * A binary or ternary conv's weights in `layout` (windows compacted, where they can be, for the kernels
 * that gather them), and the words of a window they hold.
 */
function convWeights(l: BinaryConvLayer | TernaryConvLayer, planes: number, layout: Layout, inputFlip: Uint32Array): { weights: Uint32Array; inputWords: number } {
  const g = groupSize(layout);
  const windows = (GATHERED_WINDOWS[layout] > 0 && compactWindows(l, planes, inputFlip)) || l.weights;
  return { weights: g === 1 ? windows : groupedWeights(windows, l.cout, g), inputWords: windows.length / l.cout };
}

function binaryConvConstants(l: BinaryConvLayer, layout: Layout, c: Allocator, inputFlip: Uint32Array): Partial<OpBase> {
  const classes = l.classTaps.length;
  const positionClass = c.add(l.positionClass);
  if (layout === 'wasm') {
    const coutPadded = roundUp(l.cout, WASM_CONV_PASS);
    return {
      coutPadded, classes, positionClass, inputWords: l.weights.length / l.cout,
      weights: c.add(wasmConvWeights(l)), thresholds: c.add(int32Rows(l.thresholds, l.cout, coutPadded, -1)),
    };
  }
  const { weights, inputWords } = convWeights(l, 1, layout, inputFlip);
  const g = groupSize(layout);
  if (g === 1) return { coutPadded: l.cout, classes, positionClass, inputWords, weights: c.add(weights), thresholds: c.add(l.thresholds) };
  const coutPadded = roundUp(l.cout, g);
  return { coutPadded, classes, positionClass, inputWords, weights: c.add(weights), thresholds: c.add(int64Rows(l.thresholds, l.cout, coutPadded, -1)) };
}

function ternaryConvConstants(l: TernaryConvLayer, layout: Layout, c: Allocator, inputFlip: Uint32Array): Partial<OpBase> {
  const byPlane = planeMajor(l.thresholds, 2);
  const { weights, inputWords } = convWeights(l, 2, layout, inputFlip);
  const g = groupSize(layout);
  if (g === 1) return { coutPadded: l.cout, inputWords, weights: c.add(weights), thresholds: c.add(byPlane) };
  const coutPadded = roundUp(l.cout, g);
  return { coutPadded, inputWords, weights: c.add(weights), thresholds: c.add(int64Rows(byPlane, l.cout, coutPadded, NEVER)) };
}

/** A dense layer's kernel fields and weights; z goes to `out`, one int32 per padded unit. */
function denseKernel(l: DenseLayer, levels: number, layout: Layout, c: Allocator, a: Allocator): OpBase & { kernel: KernelKind } {
  const g = groupSize(layout);
  const coutPadded = roundUp(l.units, g);
  return {
    ...blankOp(),
    kernel: levels === 3 ? 'ternary-dense' : 'binary-dense',
    cout: l.units,
    coutPadded,
    inputs: l.inputs,
    inputWords: l.inputWords,
    planes: levels === 3 ? 2 : 1,
    weights: c.add(g === 1 ? l.weights : groupedWeights(l.weights, l.units, g)),
    out: a.take(coutPadded),
  };
}

/** Thresholds of a hidden dense layer on z: [planes][units] (binary: count ≤ t ⇔ z = inputs − 2·count ≥ inputs − 2t). */
function denseZThresholds(l: BinaryDenseLayer | TernaryDenseLayer): Int32Array {
  return l.kind === 'binary-dense' ? l.thresholds.map((t) => (t < 0 ? NEVER : l.inputs - 2 * t)) : planeMajor(l.thresholds, 2);
}

/** The execution plan of a validated model, with the weight layouts of `layout`. */
export function buildPlan(model: PackedModel, layout: Layout): ExecutionPlan {
  validatePackedModel(model);
  const planes = planesOf(model.config.levels);
  const [h0, w0, c0] = model.config.inputShape;
  const imageSize = h0 * w0 * c0;
  const classes = model.config.classes;
  const constants = new Allocator();
  const arena = new Allocator();
  const image = arena.take(imageSize);
  const layers = model.layers;
  // The input region of each layer (the previous layer's destination), with a zero border for convs.
  const pads = layers.map((l) => (l.kind === 'binary-conv' || l.kind === 'ternary-conv' ? (l.k - 1) / 2 : 0));
  const inputs = layers.map((l, i) => {
    if (i === 0) return image;
    if (l.kind === 'binary-conv' || l.kind === 'ternary-conv') {
      return arena.take((l.height + 2 * pads[i]) * (l.width + 2 * pads[i]) * wordsPerPixel(l.cin, planes));
    }
    return arena.take(outputWords(layers[i - 1], planes));
  });
  const logits = arena.take(classes);
  const ops = layers.map((l, i): PlanOp => {
    const last = i === layers.length - 1;
    const dst = last ? logits : inputs[i + 1];
    const pad = last ? 0 : pads[i + 1];
    const prev = i > 0 ? layers[i - 1] : undefined;
    const inputFlip = prev && isConv(prev) ? prev.flip : new Uint32Array(0);
    if (isConv(l)) return convOp(l, { src: inputs[i], dst, pad, planes, layout, constants, arena, inputFlip });
    const kernel = denseKernel(l, model.config.levels, layout, constants, arena);
    const op = { ...kernel, name: l.name, src: inputs[i], dst, pad };
    if (l.kind === 'output') {
      return { ...op, transform: 'batch-norm', mean: constants.add(l.mean), scale: constants.add(l.scale), offset: constants.add(l.offset) };
    }
    return {
      ...op,
      transform: 'threshold',
      thresholds: constants.add(denseZThresholds(l)),
      flip: constants.add(l.flip),
      scratch: arena.take(wordsPerPixel(l.units, planes)),
    };
  });
  return { layout, imageSize, classes, arenaWords: arena.words, image, logits, constants: constants.contents(), ops };
}

interface ConvContext {
  src: Region;
  dst: Region;
  pad: number;
  planes: number;
  layout: Layout;
  constants: Allocator;
  arena: Allocator;
  /** The flip of the conv whose output this one reads (its input's padding bits, with the zeros the kernels leave there). */
  inputFlip: Uint32Array;
}

function convOp(l: ConvLayer, x: ConvContext): PlanOp {
  const { constants: c, arena: a, planes, layout } = x;
  const kernelFields =
    l.kind === 'float-conv'
      ? floatConvConstants(l, planes, c)
      : l.kind === 'binary-conv'
        ? binaryConvConstants(l, layout, c, x.inputFlip)
        : ternaryConvConstants(l, layout, c, x.inputFlip);
  const winWords = l.k * l.k * wordsPerPixel(l.cin, planes);
  // Working space of a binary or ternary conv: the windows its kernels gather, as the weights hold them, or a copy of one
  // pixel's window (whole 16-byte chunks, and 16 bytes more).
  const gathered = GATHERED_WINDOWS[layout];
  const scratchWords = gathered > 0 ? gathered * (kernelFields.inputWords ?? 0) : roundUp(winWords, 4) + 4;
  const scratch = l.kind === 'float-conv' ? NO_REGION : a.take(scratchWords);
  return {
    ...blankOp(),
    ...kernelFields,
    name: l.name,
    kernel: l.kind,
    transform: 'finish',
    height: l.height,
    width: l.width,
    k: l.k,
    cin: l.cin,
    cout: l.cout,
    planes,
    pool: l.maxPool ? 1 : 0,
    pad: x.pad,
    src: x.src,
    out: a.take(l.height * l.width * wordsPerPixel(l.cout, planes)),
    dst: x.dst,
    scratch,
    flip: c.add(l.flip),
  };
}

/** The plan as the int32 header and operation records that the native and wasm kernels read (plan-abi.ts). */
export function encodePlan(plan: ExecutionPlan): Int32Array {
  const header: Record<(typeof HEADER_FIELDS)[number], number> = {
    magic: PLAN_MAGIC,
    version: PLAN_ABI_VERSION,
    headerFields: HEADER_FIELDS.length,
    opFields: OP_FIELDS.length,
    opCount: plan.ops.length,
    layout: LAYOUTS.indexOf(plan.layout),
    imageSize: plan.imageSize,
    classes: plan.classes,
    arenaWords: plan.arenaWords,
    constantsWords: plan.constants.length,
    image: plan.image.offset,
    logits: plan.logits.offset,
  };
  const out = new Int32Array(HEADER_FIELDS.length + plan.ops.length * OP_FIELDS.length);
  HEADER_FIELDS.forEach((f, i) => (out[i] = header[f]));
  plan.ops.forEach((op, n) => {
    const at = HEADER_FIELDS.length + n * OP_FIELDS.length;
    OP_FIELDS.forEach((f, i) => (out[at + i] = opField(op, f)));
  });
  return out;
}

/** One field's int32 value: a code, a number, or a region's offset or size. */
function opField(op: PlanOp, field: OpField): number {
  if (field === 'kernel') return KERNEL_KINDS.indexOf(op.kernel);
  if (field === 'transform') return TRANSFORM_KINDS.indexOf(op.transform);
  if (field.endsWith('Words') && field !== 'inputWords') return (op[field.slice(0, -5) as keyof PlanOp] as Region).words;
  const value = op[field as keyof PlanOp];
  return typeof value === 'number' ? value : (value as Region).offset;
}
