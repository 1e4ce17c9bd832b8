// Kernels and output transforms of the packed network in AssemblyScript, compiled to WebAssembly
// with SIMD (npm run build:wasm → wasm/packed-kernels.wasm, committed). They run the execution plan
// of lib/packed/plan.ts (layout 'wasm'): lib/packed/wasm-engine.ts copies the plan's operation records
// and constants into this module's memory, writes each image into the arena and calls `run`. Each
// operation names its buffers as 32-bit word offsets into the arena or the constants (fields:
// plan-abi.ts, generated from lib/packed/plan-abi.ts); nothing is allocated here.
//
// Results equal lib/packed/reference.ts exactly: popcounts are integers, and the float first layer
// sums in float32 SIMD only where that provably decides the comparison with the threshold, and in
// float64 in the reference's order elsewhere.
import {
  F_CIN, F_COUT, F_COUT_PADDED, F_DST, F_FLIP, F_HEIGHT, F_INPUTS, F_INPUT_WORDS, F_K, F_KERNEL, F_MEAN, F_OFFSET, F_OUT,
  F_PAD, F_PLANES, F_POOL, F_POSITION_CLASS, F_SCALE, F_SCRATCH, F_SRC, F_THRESHOLDS, F_TRANSFORM, F_WEIGHTS, F_WIDTH,
  K_BINARY_CONV, K_BINARY_DENSE, K_FLOAT_CONV, K_TERNARY_CONV, OP_FIELDS, T_FINISH, T_THRESHOLD,
} from './plan-abi';

/** An int32 field of the operation at `op`. */
@inline function field(op: usize, f: i32): i32 {
  return load<i32>(op + <usize>(f << 2));
}

/** The address of a region named by field `f`, in the memory starting at `base`. */
@inline function at(base: usize, op: usize, f: i32): usize {
  return base + (<usize>field(op, f) << 2);
}

/** Bytes of one pixel's bits: channels padded to whole 64-bit words, on `planes` planes. */
@inline function pixelBytes(channels: i32, planes: i32): i32 {
  return (((channels + 63) >> 6) << 3) * planes;
}

/** The byte offset in a pixel of the 32-bit word holding channel c of plane p. */
@inline function channelByte(c: i32, p: i32, planes: i32): i32 {
  return ((((c >> 6) * planes + p) << 1) + ((c >> 5) & 1)) << 2;
}

@inline function hsum16(s: v128): i32 {
  const t = i32x4.extadd_pairwise_i16x8_u(s);
  return i32x4.extract_lane(t, 0) + i32x4.extract_lane(t, 1) + i32x4.extract_lane(t, 2) + i32x4.extract_lane(t, 3);
}

/**
 * Binary conv, k×k, stride 1, on a zero-bordered input (h+k−1)×(w+k−1) pixels of `wppIn` 32-bit
 * words. Writes the bits before pooling and flip, [h][w][cout padded to 64], into `pre`.
 * Bit = popcount(window XOR weights) ≤ thr[class][o].
 *
 * Each pixel's window (k rows of k·wppIn words) is first copied into `win`, contiguous and
 * zero-padded to `chunks` 16-byte chunks (`win` has 16 more bytes, see below). Output channels go
 * in passes of 12, with weights laid out by the engine as [⌈cout/12⌉][chunks][192 bytes]: per chunk,
 * its 8 halfwords for channels 0–7 of the pass ([halfword][channel], 16 bits each), then its 16 bytes
 * for each of channels 8–11. Thresholds are [classes][cout rounded up to 12], padded with −1.
 *
 * Channels 0–7 run on SIMD: the vector of halfword j of the window (splat) XOR the 8 channels'
 * halfwords j holds 16 bits of each channel, so its popcount per 16-bit lane counts them. Eight such
 * vectors go through a Harley–Seal carry-save adder tree (ones, twos, fours kept across chunks) and
 * only the eights are popcounted, 1 i8x16.popcnt per 8 vectors instead of 8. Channels 8–11 run at
 * the same time on the scalar 64-bit popcount, which uses other execution units. A store of a
 * partial sum to the 16 spare bytes of `win` in the middle of each chunk keeps the compiler from
 * hoisting all of its loads ahead of the arithmetic (which spilled registers).
 */
function binaryConv(op: usize, a: usize, c: usize): void {
  const inp = at(a, op, F_SRC);
  const h = field(op, F_HEIGHT);
  const w = field(op, F_WIDTH);
  const wppIn = ((field(op, F_CIN) + 63) >> 6) << 1;
  const k = field(op, F_K);
  const cout = field(op, F_COUT);
  const weights = at(c, op, F_WEIGHTS);
  const posClass = at(c, op, F_POSITION_CLASS);
  const thr = at(c, op, F_THRESHOLDS);
  const pre = at(a, op, F_OUT);
  const win = at(a, op, F_SCRATCH);
  const pw = w + k - 1;
  const rowBytes = k * wppIn * 4;
  const imageRowBytes = pw * wppIn * 4;
  const chunks = (k * rowBytes + 15) >> 4;
  const outBytes = pixelBytes(cout, 1);
  const coutT = field(op, F_COUT_PADDED); // cout rounded up to 12
  const sink = win + <usize>(chunks * 16);
  store<u64>(win + <usize>(chunks * 16 - 8), 0); // window sizes are whole 8-byte words: at most this is padding
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let d = win;
      for (let dy = 0; dy < k; dy++) {
        const src = inp + <usize>((y + dy) * imageRowBytes + x * wppIn * 4);
        for (let j = 0; j < rowBytes; j += 8) {
          store<u64>(d, load<u64>(src + <usize>j));
          d += 8;
        }
      }
      const p = y * w + x;
      const thrRow = thr + <usize>(<i32>load<u8>(posClass + p) * coutT * 4);
      const out = pre + <usize>(p * outBytes);
      for (let b = 0; b < outBytes; b += 4) store<u32>(out + b, 0);
      let wp = weights;
      for (let o = 0; o < cout; o += 12) {
        let n0: u64 = 0;
        let n1: u64 = 0;
        let n2: u64 = 0;
        let n3: u64 = 0;
        // Per-channel counts of the eights (i32 lanes: channels 0–3, 4–7), and the carry-save state.
        let lo = i32x4.splat(0);
        let hi = i32x4.splat(0);
        let ones = i32x4.splat(0);
        let twos = i32x4.splat(0);
        let fours = i32x4.splat(0);
        let c = 0;
        let a = win;
        do {
          // Byte lanes count eights (≤ 8 per chunk): flushed every 31 chunks.
          const end = min(c + 31, chunks);
          let e = i8x16.splat(0);
          for (; c < end; c++) {
            const q0 = load<u64>(a);
            const q1 = load<u64>(a, 8);
            n0 += popcnt<u64>(q0 ^ load<u64>(wp, 128)) + popcnt<u64>(q1 ^ load<u64>(wp, 136));
            n1 += popcnt<u64>(q0 ^ load<u64>(wp, 144)) + popcnt<u64>(q1 ^ load<u64>(wp, 152));
            // CSA(x, y, z): sum x^y^z, carry (x&y) | ((x^y)&z).
            let x0 = v128.xor(v128.load16_splat(a, 0), v128.load(wp, 0));
            let x1 = v128.xor(v128.load16_splat(a, 2), v128.load(wp, 16));
            let u = v128.xor(ones, x0);
            const twosA = v128.or(v128.and(ones, x0), v128.and(u, x1));
            ones = v128.xor(u, x1);
            x0 = v128.xor(v128.load16_splat(a, 4), v128.load(wp, 32));
            x1 = v128.xor(v128.load16_splat(a, 6), v128.load(wp, 48));
            u = v128.xor(ones, x0);
            const twosB = v128.or(v128.and(ones, x0), v128.and(u, x1));
            ones = v128.xor(u, x1);
            u = v128.xor(twos, twosA);
            const foursA = v128.or(v128.and(twos, twosA), v128.and(u, twosB));
            twos = v128.xor(u, twosB);
            v128.store(sink, foursA); // the scheduling barrier (see above)
            n2 += popcnt<u64>(q0 ^ load<u64>(wp, 160)) + popcnt<u64>(q1 ^ load<u64>(wp, 168));
            n3 += popcnt<u64>(q0 ^ load<u64>(wp, 176)) + popcnt<u64>(q1 ^ load<u64>(wp, 184));
            x0 = v128.xor(v128.load16_splat(a, 8), v128.load(wp, 64));
            x1 = v128.xor(v128.load16_splat(a, 10), v128.load(wp, 80));
            u = v128.xor(ones, x0);
            const twosC = v128.or(v128.and(ones, x0), v128.and(u, x1));
            ones = v128.xor(u, x1);
            x0 = v128.xor(v128.load16_splat(a, 12), v128.load(wp, 96));
            x1 = v128.xor(v128.load16_splat(a, 14), v128.load(wp, 112));
            u = v128.xor(ones, x0);
            const twosD = v128.or(v128.and(ones, x0), v128.and(u, x1));
            ones = v128.xor(u, x1);
            u = v128.xor(twos, twosC);
            const foursB = v128.or(v128.and(twos, twosC), v128.and(u, twosD));
            twos = v128.xor(u, twosD);
            u = v128.xor(fours, foursA);
            const eights = v128.or(v128.and(fours, foursA), v128.and(u, foursB));
            fours = v128.xor(u, foursB);
            e = i8x16.add(e, i8x16.popcnt(eights));
            a += 16;
            wp += 192;
          }
          const e16 = i16x8.extadd_pairwise_i8x16_u(e);
          lo = i32x4.add(lo, i32x4.extend_low_i16x8_u(e16));
          hi = i32x4.add(hi, i32x4.extend_high_i16x8_u(e16));
        } while (c < chunks);
        // count = 8·eights + 4·popcount(fours) + 2·popcount(twos) + popcount(ones); bytes stay ≤ 56.
        let b = i8x16.popcnt(fours);
        b = i8x16.add(b, b);
        b = i8x16.add(b, i8x16.popcnt(twos));
        b = i8x16.add(b, b);
        b = i8x16.add(b, i8x16.popcnt(ones));
        const b16 = i16x8.extadd_pairwise_i8x16_u(b);
        lo = i32x4.add(i32x4.shl(lo, 3), i32x4.extend_low_i16x8_u(b16));
        hi = i32x4.add(i32x4.shl(hi, 3), i32x4.extend_high_i16x8_u(b16));
        const t = thrRow + <usize>(o * 4);
        let bits = <u32>i32x4.bitmask(i32x4.le_s(lo, v128.load(t))) | (<u32>i32x4.bitmask(i32x4.le_s(hi, v128.load(t, 16))) << 4);
        bits |= <u32>(<i32>n0 <= load<i32>(t, 32)) << 8;
        bits |= <u32>(<i32>n1 <= load<i32>(t, 36)) << 9;
        bits |= <u32>(<i32>n2 <= load<i32>(t, 40)) << 10;
        bits |= <u32>(<i32>n3 <= load<i32>(t, 44)) << 11;
        // Padding channels (thresholds −1) give 0 bits, so nothing lands past the pixel's words.
        const sh = <u32>o & 31;
        const wordAt = out + <usize>((o >> 5) << 2);
        store<u32>(wordAt, load<u32>(wordAt) | (bits << sh));
        if (sh > 20) {
          const rest = bits >> (32 - sh);
          if (rest != 0) store<u32>(wordAt, load<u32>(wordAt, 4) | rest, 4);
        }
      }
    }
  }
}

/** popcount(input XOR weight row) for every unit of a dense layer: counts[u], over `bytes` bytes (a multiple of 8). */
export function denseCounts(inp: usize, bytes: i32, units: i32, weights: usize, counts: usize): void {
  const chunks = bytes >> 4;
  const tail = (bytes & 15) != 0;
  const stride = <usize>bytes;
  let u = 0;
  for (; u + 4 <= units; u += 4) {
    let s0 = i16x8.splat(0);
    let s1 = i16x8.splat(0);
    let s2 = i16x8.splat(0);
    let s3 = i16x8.splat(0);
    const w0 = weights + <usize>u * stride;
    let j = 0;
    while (j < chunks || (j == chunks && tail)) {
      const end = min(j + 30, chunks);
      let c0 = i8x16.splat(0);
      let c1 = i8x16.splat(0);
      let c2 = i8x16.splat(0);
      let c3 = i8x16.splat(0);
      for (; j < end; j++) {
        const off = <usize>(j << 4);
        const v = v128.load(inp + off);
        c0 = i8x16.add(c0, i8x16.popcnt(v128.xor(v, v128.load(w0 + off))));
        c1 = i8x16.add(c1, i8x16.popcnt(v128.xor(v, v128.load(w0 + stride + off))));
        c2 = i8x16.add(c2, i8x16.popcnt(v128.xor(v, v128.load(w0 + 2 * stride + off))));
        c3 = i8x16.add(c3, i8x16.popcnt(v128.xor(v, v128.load(w0 + 3 * stride + off))));
      }
      if (j == chunks && tail) {
        const off = <usize>(j << 4);
        const v = v128.load64_zero(inp + off);
        c0 = i8x16.add(c0, i8x16.popcnt(v128.xor(v, v128.load64_zero(w0 + off))));
        c1 = i8x16.add(c1, i8x16.popcnt(v128.xor(v, v128.load64_zero(w0 + stride + off))));
        c2 = i8x16.add(c2, i8x16.popcnt(v128.xor(v, v128.load64_zero(w0 + 2 * stride + off))));
        c3 = i8x16.add(c3, i8x16.popcnt(v128.xor(v, v128.load64_zero(w0 + 3 * stride + off))));
        j++;
      }
      s0 = i16x8.add(s0, i16x8.extadd_pairwise_i8x16_u(c0));
      s1 = i16x8.add(s1, i16x8.extadd_pairwise_i8x16_u(c1));
      s2 = i16x8.add(s2, i16x8.extadd_pairwise_i8x16_u(c2));
      s3 = i16x8.add(s3, i16x8.extadd_pairwise_i8x16_u(c3));
    }
    // u16 lanes hold at most bytes·8/8 = bytes ones each: exact below 64 KiB rows.
    store<i32>(counts + <usize>(u * 4), hsum16(s0));
    store<i32>(counts + <usize>(u * 4 + 4), hsum16(s1));
    store<i32>(counts + <usize>(u * 4 + 8), hsum16(s2));
    store<i32>(counts + <usize>(u * 4 + 12), hsum16(s3));
  }
  for (; u < units; u++) {
    let count = 0;
    const w0 = weights + <usize>u * stride;
    for (let j = 0; j < bytes; j += 8) count += <i32>popcnt<u64>(load<u64>(inp + <usize>j) ^ load<u64>(w0 + <usize>j));
    store<i32>(counts + <usize>(u * 4), count);
  }
}

/** The largest |w| of the float conv's weights (for the float32 error bound). */
function maxAbs(weights: usize, n: i32): f32 {
  let m: f32 = 0;
  for (let i = 0; i < n; i++) m = max(m, abs<f32>(load<f32>(weights + <usize>(i << 2))));
  return m;
}

/**
 * Float first layer: image [h][w][cin] float32, weights [k][k][cin][coutPadded] float32 (zeros past
 * cout), thresholds [planes][coutPadded] float32. Each plane's bit = fround(z) ≥ t with z the float64
 * sum in (dy, dx, i) order, as the reference computes it. A float32 SIMD sum decides where its error
 * bound (n + 2)·2⁻²³·Σ|a|·max|w| keeps it clear of the threshold.
 */
function floatConv(op: usize, a: usize, c: usize): void {
  const img = at(a, op, F_SRC);
  const h = field(op, F_HEIGHT);
  const w = field(op, F_WIDTH);
  const cin = field(op, F_CIN);
  const cout = field(op, F_COUT);
  const coutP = field(op, F_COUT_PADDED);
  const k = field(op, F_K);
  const planes = field(op, F_PLANES);
  const weights = at(c, op, F_WEIGHTS);
  const thresholds = at(c, op, F_THRESHOLDS);
  const pre = at(a, op, F_OUT);
  const maxAbsW = maxAbs(weights, k * k * cin * coutP);
  const r = (k - 1) >> 1;
  const outBytes = pixelBytes(cout, planes);
  const rel = f32x4.splat(<f32>4.76837158203125e-7); // 2⁻²¹: covers the final rounding near t
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const y0 = max(0, y - r);
      const y1 = min(h, y + r + 1);
      const x0 = max(0, x - r);
      const x1 = min(w, x + r + 1);
      let absSum: f64 = 0;
      let n = 0;
      for (let yy = y0; yy < y1; yy++) {
        for (let xx = x0; xx < x1; xx++) {
          for (let i = 0; i < cin; i++) {
            absSum += abs<f64>(<f64>load<f32>(img + <usize>(((yy * w + xx) * cin + i) * 4)));
            n++;
          }
        }
      }
      const bound = f32x4.splat(<f32>(<f64>(n + 2) * 1.1920928955078125e-7 * absSum * <f64>maxAbsW + 1e-30));
      const out = pre + <usize>((y * w + x) * outBytes);
      for (let b = 0; b < outBytes; b += 4) store<u32>(out + b, 0);
      for (let ob = 0; ob < coutP; ob += 16) {
        let a0 = f32x4.splat(0);
        let a1 = f32x4.splat(0);
        let a2 = f32x4.splat(0);
        let a3 = f32x4.splat(0);
        for (let yy = y0; yy < y1; yy++) {
          for (let xx = x0; xx < x1; xx++) {
            const tap = (yy - y + r) * k + (xx - x + r);
            for (let i = 0; i < cin; i++) {
              const v = f32x4.splat(load<f32>(img + <usize>(((yy * w + xx) * cin + i) * 4)));
              const wp = weights + <usize>(((tap * cin + i) * coutP + ob) * 4);
              a0 = f32x4.add(a0, f32x4.mul(v, v128.load(wp)));
              a1 = f32x4.add(a1, f32x4.mul(v, v128.load(wp + 16)));
              a2 = f32x4.add(a2, f32x4.mul(v, v128.load(wp + 32)));
              a3 = f32x4.add(a3, f32x4.mul(v, v128.load(wp + 48)));
            }
          }
        }
        for (let q = 0; q < 4; q++) {
          const acc = q == 0 ? a0 : q == 1 ? a1 : q == 2 ? a2 : a3;
          const o0 = ob + 4 * q;
          if (o0 >= cout) break;
          const valid: u32 = cout - o0 >= 4 ? 15 : (<u32>1 << (cout - o0)) - 1;
          for (let p = 0; p < planes; p++) {
            const tp = thresholds + <usize>((p * coutP + o0) * 4);
            const t = v128.load(tp);
            const d = f32x4.sub(acc, t);
            const m = f32x4.add(bound, f32x4.mul(f32x4.abs(t), rel));
            const hi = i32x4.bitmask(f32x4.gt(d, m));
            const lo = i32x4.bitmask(f32x4.lt(d, f32x4.neg(m)));
            let bits: u32 = <u32>hi;
            let undecided = ~(hi | lo) & valid;
            while (undecided != 0) {
              const lane = ctz(undecided);
              undecided &= undecided - 1;
              const o = o0 + lane;
              let z: f64 = 0;
              for (let yy = y0; yy < y1; yy++) {
                for (let xx = x0; xx < x1; xx++) {
                  const tap = (yy - y + r) * k + (xx - x + r);
                  for (let i = 0; i < cin; i++) {
                    z += <f64>load<f32>(img + <usize>(((yy * w + xx) * cin + i) * 4)) * <f64>load<f32>(weights + <usize>(((tap * cin + i) * coutP + o) * 4));
                  }
                }
              }
              if (<f32>z >= load<f32>(tp + <usize>(lane * 4))) bits |= <u32>1 << lane;
            }
            bits &= valid;
            const wordAt = out + <usize>channelByte(o0, p, planes);
            store<u32>(wordAt, load<u32>(wordAt) | (bits << (<u32>o0 & 31)));
          }
        }
      }
    }
  }
}

/** Ternary z over `pairs` (sign, non-zero) 64-bit word pairs: popcount(m) − 2·popcount(m ∧ (s_a ⊕ s_w)). */
@inline function ternaryDot(inp: usize, wts: usize, pairs: i32): i32 {
  let nonzero: u64 = 0;
  let negative: u64 = 0;
  for (let j = 0; j < pairs; j++) {
    const off = <usize>(j << 4);
    const m = load<u64>(inp + off, 8) & load<u64>(wts + off, 8);
    nonzero += popcnt<u64>(m);
    negative += popcnt<u64>((load<u64>(inp + off) ^ load<u64>(wts + off)) & m);
  }
  return <i32>nonzero - 2 * <i32>negative;
}

/** Ternary conv on a zero-bordered input; each plane's bit z ≥ t (thresholds [2][cout]). */
function ternaryConv(op: usize, a: usize, c: usize): void {
  const h = field(op, F_HEIGHT);
  const w = field(op, F_WIDTH);
  const k = field(op, F_K);
  const cout = field(op, F_COUT);
  const inBytes = pixelBytes(field(op, F_CIN), 2);
  const outBytes = pixelBytes(cout, 2);
  const rowBytes = k * inBytes;
  const imageRowBytes = (w + k - 1) * inBytes;
  const inp = at(a, op, F_SRC);
  const pre = at(a, op, F_OUT);
  const weights = at(c, op, F_WEIGHTS);
  const thr = at(c, op, F_THRESHOLDS);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const out = pre + <usize>((y * w + x) * outBytes);
      for (let b = 0; b < outBytes; b += 4) store<u32>(out + b, 0);
      for (let o = 0; o < cout; o++) {
        let z = 0;
        for (let dy = 0; dy < k; dy++) {
          z += ternaryDot(inp + <usize>((y + dy) * imageRowBytes + x * inBytes), weights + <usize>((o * k + dy) * rowBytes), rowBytes >> 4);
        }
        for (let p = 0; p < 2; p++) {
          if (z >= load<i32>(thr + <usize>((p * cout + o) * 4))) {
            const wordAt = out + <usize>channelByte(o, p, 2);
            store<u32>(wordAt, load<u32>(wordAt) | (<u32>1 << (<u32>o & 31)));
          }
        }
      }
    }
  }
}

/** z of a dense layer: binary inputs − 2·popcount (denseCounts), or the ternary dot product. */
function dense(op: usize, a: usize, c: usize, ternary: bool): void {
  const inp = at(a, op, F_SRC);
  const bytes = field(op, F_INPUT_WORDS) << 2;
  const units = field(op, F_COUT);
  const weights = at(c, op, F_WEIGHTS);
  const z = at(a, op, F_OUT);
  if (ternary) {
    for (let u = 0; u < units; u++) store<i32>(z + <usize>(u << 2), ternaryDot(inp, weights + <usize>(u * bytes), bytes >> 4));
    return;
  }
  denseCounts(inp, bytes, units, weights, z);
  const inputs = field(op, F_INPUTS);
  for (let u = 0; u < units; u++) store<i32>(z + <usize>(u << 2), inputs - 2 * load<i32>(z + <usize>(u << 2)));
}

// ---- output transforms -------------------------------------------------------------------------

/** Bits [32 channels) of a word that are real channels, for channels from `first` on of `cout`. */
@inline function validMask(cout: i32, first: i32): u32 {
  const n = cout - first;
  return n >= 32 ? 0xffffffff : n <= 0 ? 0 : (<u32>1 << n) - 1;
}

/** One pixel's levels (bits z ≥ t per plane, pooled) at `v` → its values: binary XOR flip; ternary sign and non-zero planes. */
function levelsToValues(v: usize, wpp: i32, flip: usize, cout: i32, planes: i32): void {
  if (planes == 1) {
    for (let j = 0; j < wpp; j++) store<u32>(v + <usize>(j << 2), load<u32>(v + <usize>(j << 2)) ^ load<u32>(flip + <usize>(j << 2)));
    return;
  }
  for (let b = 0; b < wpp; b += 4) {
    for (let half = 0; half < 2; half++) {
      const sign = v + <usize>((b + half) << 2);
      const nonzero = v + <usize>((b + 2 + half) << 2);
      const notLowest = load<u32>(sign);
      const highest = load<u32>(nonzero);
      const f = load<u32>(flip + <usize>(((b >> 1) + half) << 2));
      const valid = validMask(cout, (b >> 2) * 64 + half * 32);
      store<u32>(sign, ((highest & ~f) | (~notLowest & f)) & valid); // +1: highest level, or the lowest reversed
      store<u32>(nonzero, (~notLowest | highest) & valid); // non-zero: not the middle level
    }
  }
}

/** Bits before pooling [h][w][wpp] at `pre` → optional 2×2 'same' max-pool (OR) → values → dst, which has a zero border of `pad` pixels. */
function finish(op: usize, a: usize, c: usize, pre: usize, h: i32, w: i32): void {
  const cout = field(op, F_COUT);
  const planes = field(op, F_PLANES);
  const wpp = pixelBytes(cout, planes) >> 2;
  const pool = field(op, F_POOL) != 0;
  const pad = field(op, F_PAD);
  const flip = at(c, op, F_FLIP);
  const dst = at(a, op, F_DST);
  const oh = pool ? (h + 1) >> 1 : h;
  const ow = pool ? (w + 1) >> 1 : w;
  const dw = ow + 2 * pad;
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      const d = dst + <usize>((((y + pad) * dw) + x + pad) * wpp * 4);
      for (let j = 0; j < wpp; j++) {
        let v: u32;
        if (pool) {
          const yy = 2 * y;
          const xx = 2 * x;
          v = load<u32>(pre + <usize>(((yy * w + xx) * wpp + j) * 4));
          if (xx + 1 < w) v |= load<u32>(pre + <usize>(((yy * w + xx + 1) * wpp + j) * 4));
          if (yy + 1 < h) {
            v |= load<u32>(pre + <usize>((((yy + 1) * w + xx) * wpp + j) * 4));
            if (xx + 1 < w) v |= load<u32>(pre + <usize>((((yy + 1) * w + xx + 1) * wpp + j) * 4));
          }
        } else {
          v = load<u32>(pre + <usize>(((y * w + x) * wpp + j) * 4));
        }
        store<u32>(d + <usize>(j * 4), v);
      }
      levelsToValues(d, wpp, flip, cout, planes);
    }
  }
}

/** z → each plane's bit z ≥ t (thresholds [planes][units]) in the working space, then as finish. */
function threshold(op: usize, a: usize, c: usize): void {
  const units = field(op, F_COUT);
  const planes = field(op, F_PLANES);
  const pre = at(a, op, F_SCRATCH);
  const z = at(a, op, F_OUT);
  const thr = at(c, op, F_THRESHOLDS);
  const bytes = pixelBytes(units, planes);
  for (let b = 0; b < bytes; b += 4) store<u32>(pre + b, 0);
  for (let u = 0; u < units; u++) {
    const zu = load<i32>(z + <usize>(u << 2));
    for (let p = 0; p < planes; p++) {
      if (zu >= load<i32>(thr + <usize>((p * units + u) << 2))) {
        const wordAt = pre + <usize>channelByte(u, p, planes);
        store<u32>(wordAt, load<u32>(wordAt) | (<u32>1 << (<u32>u & 31)));
      }
    }
  }
  finish(op, a, c, pre, 1, 1);
}

/** Logits in float32: ((z − mean)·scale) + offset, each step rounded (wasm never fuses them). */
function batchNorm(op: usize, a: usize, c: usize): void {
  const z = at(a, op, F_OUT);
  const mean = at(c, op, F_MEAN);
  const scale = at(c, op, F_SCALE);
  const offset = at(c, op, F_OFFSET);
  const out = at(a, op, F_DST);
  for (let u = 0; u < field(op, F_COUT); u++) {
    const i = <usize>(u << 2);
    const d: f32 = <f32>load<i32>(z + i) - load<f32>(mean + i);
    const s: f32 = d * load<f32>(scale + i);
    store<f32>(out + i, s + load<f32>(offset + i));
  }
}

/**
 * Runs the `count` operations at `ops` (records of OP_FIELDS int32) on the image already in the
 * arena at `arena`, with the constants at `constants`; the logits land in the arena.
 */
export function run(ops: usize, count: i32, constants: usize, arena: usize): void {
  for (let i = 0; i < count; i++) {
    const op = ops + <usize>(i * OP_FIELDS * 4);
    const kernel = field(op, F_KERNEL);
    if (kernel == K_FLOAT_CONV) floatConv(op, arena, constants);
    else if (kernel == K_BINARY_CONV) binaryConv(op, arena, constants);
    else if (kernel == K_TERNARY_CONV) ternaryConv(op, arena, constants);
    else dense(op, arena, constants, kernel != K_BINARY_DENSE);
    const transform = field(op, F_TRANSFORM);
    if (transform == T_FINISH) finish(op, arena, constants, at(arena, op, F_OUT), field(op, F_HEIGHT), field(op, F_WIDTH));
    else if (transform == T_THRESHOLD) threshold(op, arena, constants);
    else batchNorm(op, arena, constants);
  }
}
