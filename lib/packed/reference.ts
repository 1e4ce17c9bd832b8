/**
 * The reference engine: the execution plan (plan.ts, portable layout) run by plain TypeScript
 * kernels, 32-bit XOR and popcount, one image at a time. Exact and simple rather than fast: the
 * definition the WebAssembly and native kernels are tested against, and itself tested against the
 * float network layer by layer (its traces give each layer's z and output values).
 */
import { PackedEngine } from './engine';
import { batchNormFloat32 } from './fold';
import { PackedModel, channelWord, wordsPerPixel } from './model';
import { ExecutionPlan, PlanOp, buildPlan } from './plan';

/** Set bits of a 32-bit word (the SWAR count). */
export function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** A layer's per-image results, as {@link runReference} traces them. */
export interface ReferenceTrace {
  name: string;
  /** The dot product A·W before pooling ([h][w][cout] or [units]): int32, or float32 z for the float conv. */
  z: Int32Array | Float32Array;
  /** Output bits (after pooling, without the next layer's border), in the layout of model.ts. Absent for the output layer. */
  bits?: Uint32Array;
}

/** Typed views of one memory (the arena or the constants). */
interface Views {
  u32: Uint32Array;
  i32: Int32Array;
  f32: Float32Array;
  u8: Uint8Array;
}

function views(words: Uint32Array): Views {
  const { buffer, byteOffset, length } = words;
  return { u32: words, i32: new Int32Array(buffer, byteOffset, length), f32: new Float32Array(buffer, byteOffset, length), u8: new Uint8Array(buffer, byteOffset, length * 4) };
}

/** Bits [32 channels) of a word that are real channels, for channels from `first` on of `cout`. */
function validMask(cout: number, first: number): number {
  const n = cout - first;
  return n >= 32 ? 0xffffffff : n <= 0 ? 0 : (2 ** n - 1) >>> 0;
}

function setBit(words: Uint32Array, word: number, bit: number): void {
  words[word] |= 1 << (bit & 31);
}

// ---- kernels -----------------------------------------------------------------------------------

/** Float first layer: z summed in float64 in (dy, dx, i) order (exact for 8-bit pixels), rounded to float32; each plane's bit z ≥ t. */
function floatConv(op: PlanOp, a: Views, c: Views, z?: Float32Array): void {
  const { height: h, width: w, k, cin, cout, coutPadded, planes } = op;
  const r = (k - 1) / 2;
  const wpp = wordsPerPixel(cout, planes);
  const acc = new Float64Array(cout);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      acc.fill(0);
      for (let dy = 0; dy < k; dy++) {
        const yy = y + dy - r;
        if (yy < 0 || yy >= h) continue;
        for (let dx = 0; dx < k; dx++) {
          const xx = x + dx - r;
          if (xx < 0 || xx >= w) continue;
          for (let i = 0; i < cin; i++) {
            const v = a.f32[op.src.offset + (yy * w + xx) * cin + i];
            const row = op.weights.offset + ((dy * k + dx) * cin + i) * coutPadded;
            for (let o = 0; o < cout; o++) acc[o] += v * c.f32[row + o];
          }
        }
      }
      const pre = op.out.offset + (y * w + x) * wpp;
      a.u32.fill(0, pre, pre + wpp);
      for (let o = 0; o < cout; o++) {
        const zo = Math.fround(acc[o]);
        if (z) z[(y * w + x) * cout + o] = zo;
        for (let p = 0; p < planes; p++) if (zo >= c.f32[op.thresholds.offset + p * coutPadded + o]) setBit(a.u32, pre + channelWord(o, p, planes), o);
      }
    }
  }
}

/** Binary conv on a zero-bordered input: bit = popcount(window XOR weights) ≤ the threshold of the pixel's position class. */
function binaryConv(op: PlanOp, a: Views, c: Views): void {
  const { height: h, width: w, k, cin, cout } = op;
  const wIn = wordsPerPixel(cin);
  const wOut = wordsPerPixel(cout);
  const pw = w + k - 1;
  const rowWords = k * wIn;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const cls = c.u8[op.positionClass.offset * 4 + y * w + x];
      const pre = op.out.offset + (y * w + x) * wOut;
      a.u32.fill(0, pre, pre + wOut);
      for (let o = 0; o < cout; o++) {
        let count = 0;
        for (let dy = 0; dy < k; dy++) {
          const at = op.src.offset + ((y + dy) * pw + x) * wIn;
          const wt = op.weights.offset + (o * k + dy) * rowWords;
          for (let j = 0; j < rowWords; j++) count += popcount32(a.u32[at + j] ^ c.u32[wt + j]);
        }
        if (count <= c.i32[op.thresholds.offset + cls * cout + o]) setBit(a.u32, pre + (o >>> 5), o);
      }
    }
  }
}

/** z of ternary values over `words` 32-bit words (sign and non-zero words alternating by 64-bit word): popcount(m) − 2·popcount(m ∧ (s_a ⊕ s_w)). */
function ternaryDot(a: Uint32Array, at: number, wts: Uint32Array, wt: number, words: number): number {
  let nonzero = 0;
  let negative = 0;
  for (let b = 0; b < words; b += 4) {
    for (let half = 0; half < 2; half++) {
      const m = a[at + b + 2 + half] & wts[wt + b + 2 + half];
      nonzero += popcount32(m);
      negative += popcount32((a[at + b + half] ^ wts[wt + b + half]) & m);
    }
  }
  return nonzero - 2 * negative;
}

/** Ternary conv on a zero-bordered input (zeros are exact: their non-zero bit is 0); each plane's bit z ≥ t. */
function ternaryConv(op: PlanOp, a: Views, c: Views, z?: Int32Array): void {
  const { height: h, width: w, k, cin, cout } = op;
  const wIn = wordsPerPixel(cin, 2);
  const wOut = wordsPerPixel(cout, 2);
  const pw = w + k - 1;
  const rowWords = k * wIn;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const pre = op.out.offset + (y * w + x) * wOut;
      a.u32.fill(0, pre, pre + wOut);
      for (let o = 0; o < cout; o++) {
        let zo = 0;
        for (let dy = 0; dy < k; dy++) zo += ternaryDot(a.u32, op.src.offset + ((y + dy) * pw + x) * wIn, c.u32, op.weights.offset + (o * k + dy) * rowWords, rowWords);
        if (z) z[(y * w + x) * cout + o] = zo;
        for (let p = 0; p < 2; p++) if (zo >= c.i32[op.thresholds.offset + p * cout + o]) setBit(a.u32, pre + channelWord(o, p, 2), o);
      }
    }
  }
}

/** z of a dense layer: binary inputs − 2·popcount(input XOR weights), or the ternary dot product. */
function dense(op: PlanOp, a: Views, c: Views): void {
  for (let u = 0; u < op.cout; u++) {
    const wt = op.weights.offset + u * op.inputWords;
    let zu: number;
    if (op.kernel === 'ternary-dense') {
      zu = ternaryDot(a.u32, op.src.offset, c.u32, wt, op.inputWords);
    } else {
      let count = 0;
      for (let j = 0; j < op.inputWords; j++) count += popcount32(a.u32[op.src.offset + j] ^ c.u32[wt + j]);
      zu = op.inputs - 2 * count;
    }
    a.i32[op.out.offset + u] = zu;
  }
}

// ---- output transforms -------------------------------------------------------------------------

/** One pixel's levels (bits z ≥ t per plane, pooled) → its values: binary XOR flip; ternary sign and non-zero planes. */
function levelsToValues(v: Uint32Array, flip: Uint32Array, flipAt: number, cout: number, planes: number): void {
  if (planes === 1) {
    for (let j = 0; j < v.length; j++) v[j] = (v[j] ^ flip[flipAt + j]) >>> 0;
    return;
  }
  for (let b = 0; b < v.length; b += 4) {
    for (let half = 0; half < 2; half++) {
      const notLowest = v[b + half];
      const highest = v[b + 2 + half];
      const f = flip[flipAt + b / 2 + half];
      const valid = validMask(cout, (b / 4) * 64 + half * 32);
      v[b + half] = ((highest & ~f) | (~notLowest & f)) & valid; // +1: highest level, or the lowest reversed
      v[b + 2 + half] = (~notLowest | highest) & valid; // non-zero: not the middle level
    }
  }
}

/** Bits before pooling [h][w][wpp] → optional 2×2 'same' max-pool (OR) → values → dst with a zero border of `pad` pixels. */
function finish(op: PlanOp, pre: number, h: number, w: number, a: Views, c: Views): void {
  const wpp = wordsPerPixel(op.cout, op.planes);
  const pool = op.pool === 1;
  const oh = pool ? Math.ceil(h / 2) : h;
  const ow = pool ? Math.ceil(w / 2) : w;
  const v = new Uint32Array(wpp);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      v.fill(0);
      const ys = pool ? [2 * y, 2 * y + 1] : [y];
      const xs = pool ? [2 * x, 2 * x + 1] : [x];
      for (const yy of ys) {
        for (const xx of xs) {
          if (yy >= h || xx >= w) continue;
          for (let j = 0; j < wpp; j++) v[j] |= a.u32[pre + (yy * w + xx) * wpp + j];
        }
      }
      levelsToValues(v, c.u32, op.flip.offset, op.cout, op.planes);
      a.u32.set(v, op.dst.offset + ((y + op.pad) * (ow + 2 * op.pad) + x + op.pad) * wpp);
    }
  }
}

/** z → each plane's bit z ≥ t in the working space, then as finish. */
function threshold(op: PlanOp, a: Views, c: Views): void {
  const pre = op.scratch.offset;
  a.u32.fill(0, pre, pre + wordsPerPixel(op.cout, op.planes));
  for (let u = 0; u < op.cout; u++) {
    const zu = a.i32[op.out.offset + u];
    for (let p = 0; p < op.planes; p++) if (zu >= c.i32[op.thresholds.offset + p * op.cout + u]) setBit(a.u32, pre + channelWord(u, p, op.planes), u);
  }
  finish(op, pre, 1, 1, a, c);
}

/** Logits in float32, as the float network's batch norm computes them from the exact integer z. */
function batchNorm(op: PlanOp, a: Views, c: Views): void {
  for (let u = 0; u < op.cout; u++) {
    a.f32[op.dst.offset + u] = batchNormFloat32(a.i32[op.out.offset + u], c.f32[op.mean.offset + u], c.f32[op.scale.offset + u], c.f32[op.offset.offset + u]);
  }
}

// ---- the plan, image by image ------------------------------------------------------------------

/** z of a binary conv over the taps inside the image (trace only): Σ (cin − 2·mismatches). */
function binaryConvZ(op: PlanOp, a: Views, c: Views): Int32Array {
  const { height: h, width: w, k, cin, cout } = op;
  const wIn = wordsPerPixel(cin);
  const r = (k - 1) / 2;
  const z = new Int32Array(h * w * cout);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let o = 0; o < cout; o++) {
        let zo = 0;
        for (let dy = 0; dy < k; dy++) {
          for (let dx = 0; dx < k; dx++) {
            if (y + dy - r < 0 || y + dy - r >= h || x + dx - r < 0 || x + dx - r >= w) continue;
            const at = op.src.offset + ((y + dy) * (w + k - 1) + x + dx) * wIn;
            const wt = op.weights.offset + ((o * k + dy) * k + dx) * wIn;
            let mismatches = 0;
            for (let j = 0; j < wIn; j++) mismatches += popcount32(a.u32[at + j] ^ c.u32[wt + j]);
            zo += cin - 2 * mismatches;
          }
        }
        z[(y * w + x) * cout + o] = zo;
      }
    }
  }
  return z;
}

/** Runs one operation; returns its z when traced. */
function runOp(op: PlanOp, a: Views, c: Views, traced: boolean): Int32Array | Float32Array | undefined {
  let z: Int32Array | Float32Array | undefined;
  switch (op.kernel) {
    case 'float-conv':
      z = traced ? new Float32Array(op.height * op.width * op.cout) : undefined;
      floatConv(op, a, c, z);
      break;
    case 'binary-conv':
      z = traced ? binaryConvZ(op, a, c) : undefined;
      binaryConv(op, a, c);
      break;
    case 'ternary-conv':
      z = traced ? new Int32Array(op.height * op.width * op.cout) : undefined;
      ternaryConv(op, a, c, z);
      break;
    case 'binary-dense':
    case 'ternary-dense':
      dense(op, a, c);
      z = traced ? a.i32.slice(op.out.offset, op.out.offset + op.cout) : undefined;
      break;
  }
  if (op.transform === 'finish') finish(op, op.out.offset, op.height, op.width, a, c);
  else if (op.transform === 'threshold') threshold(op, a, c);
  else batchNorm(op, a, c);
  return z;
}

/** A layer's output bits without the next layer's zero border. */
function outputBits(op: PlanOp, a: Views): Uint32Array {
  const wpp = wordsPerPixel(op.cout, op.planes);
  const oh = op.pool ? Math.ceil(op.height / 2) : op.height;
  const ow = op.pool ? Math.ceil(op.width / 2) : op.width;
  const out = new Uint32Array(oh * ow * wpp);
  for (let y = 0; y < oh; y++) {
    const at = op.dst.offset + ((y + op.pad) * (ow + 2 * op.pad) + op.pad) * wpp;
    out.set(a.u32.subarray(at, at + ow * wpp), y * ow * wpp);
  }
  return out;
}

/** Runs a plan (portable layout) on `count` NHWC images; logits [count][classes]; with `trace`, each image's per-layer results. */
function runPlanReference(plan: ExecutionPlan, images: Float32Array, count: number, trace?: ReferenceTrace[][]): Float32Array {
  if (plan.layout !== 'portable') throw new Error(`The reference kernels read the portable layout, not ${plan.layout}.`);
  const arena = views(new Uint32Array(plan.arenaWords));
  const constants = views(plan.constants);
  const logits = new Float32Array(count * plan.classes);
  for (let n = 0; n < count; n++) {
    arena.f32.set(images.subarray(n * plan.imageSize, (n + 1) * plan.imageSize), plan.image.offset);
    const layers = plan.ops.map((op): ReferenceTrace => {
      const z = runOp(op, arena, constants, trace !== undefined);
      return { name: op.name, z: z!, bits: op.transform === 'batch-norm' ? undefined : outputBits(op, arena) };
    });
    trace?.push(layers);
    logits.set(arena.f32.subarray(plan.logits.offset, plan.logits.offset + plan.classes), n * plan.classes);
  }
  return logits;
}

/** Runs the packed network on `count` images (NHWC float32) with the reference kernels; see {@link runPlanReference}. */
export function runReference(model: PackedModel, images: Float32Array, count: number, trace?: ReferenceTrace[][]): Float32Array {
  return runPlanReference(buildPlan(model, 'portable'), images, count, trace);
}

/** The reference kernels as an engine: slow but the definition of exact. */
export function referenceEngine(model: PackedModel): PackedEngine {
  const plan = buildPlan(model, 'portable');
  return {
    description: 'reference (TypeScript)',
    logits: (images, count) => Promise.resolve(runPlanReference(plan, images, count)),
    close: () => Promise.resolve(),
  };
}

/** Unpacks `items` of `channels` channels each ([items][wordsPerPixel(channels, planes)]) to −1, +1 (binary) or −1, 0, +1 (ternary). */
export function unpackValues(bits: Uint32Array, items: number, channels: number, planes: number): Float32Array {
  const wpp = wordsPerPixel(channels, planes);
  const out = new Float32Array(items * channels);
  for (let p = 0; p < items; p++) {
    for (let ch = 0; ch < channels; ch++) {
      const bit = (plane: number) => (bits[p * wpp + channelWord(ch, plane, planes)] >>> (ch & 31)) & 1;
      out[p * channels + ch] = planes === 2 && !bit(1) ? 0 : bit(0) ? 1 : -1;
    }
  }
  return out;
}
