/**
 * Batch norm + sign folded into a threshold, exactly as the float network rounds.
 *
 * In inference the float network computes pre = ((z − mean)·scale) + offset, each operation a
 * float32 op (correctly rounded: tf.sub, tf.mul, tf.add), then sign with sign(0) = +1, i.e. the
 * output is +1 iff pre ≥ 0. Each step is monotone in z (non-decreasing for scale ≥ 0, non-increasing
 * for scale < 0), so the set of z with output +1 is a half-line, and its end — found by bisection
 * evaluating the same float32 steps — is the exact threshold, rounding included. (Math.fround of a
 * double +, −, × of two float32 values is the correctly rounded float32 result.)
 */
const f = Math.fround;

/** The float network's batch norm of one value in float32. */
export function batchNormFloat32(z: number, mean: number, scale: number, offset: number): number {
  return f(f(f(z - mean) * scale) + offset);
}

/** True where the float network's sign gives +1 (pre ≥ 0, with −0 ≥ 0). */
export function signIsPositive(z: number, mean: number, scale: number, offset: number): boolean {
  return batchNormFloat32(z, mean, scale, offset) >= 0;
}

/**
 * Integer threshold on z ∈ [−bound, bound]: returns { t, flip } such that, for every integer z in
 * range, the output is +1 iff (z ≥ t) XOR flip. flip is set for a negative scale.
 */
export function integerThreshold(mean: number, scale: number, offset: number, bound: number): { t: number; flip: boolean } {
  checkFinite(mean, scale, offset);
  const flip = scale < 0;
  // c(z) = (output is +1) XOR flip is non-decreasing in z: find its first true z.
  const c = (z: number) => signIsPositive(z, mean, scale, offset) !== flip;
  let lo = -bound;
  let hi = bound + 1; // c(hi) is taken as true
  if (c(lo)) return { t: lo, flip };
  // Invariant: c(lo) false, c(hi) true.
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (c(mid)) hi = mid;
    else lo = mid;
  }
  return { t: hi, flip };
}

const scratch = new DataView(new ArrayBuffer(4));

/** float32 ↔ an integer key in the same order (−0 and +0 adjacent); keys of ±Infinity bound the finite ones. */
function keyOf(x: number): number {
  scratch.setFloat32(0, x);
  const u = scratch.getUint32(0);
  return u >= 0x80000000 ? 0x7fffffff - (u - 0x80000000) : 0x80000000 + u;
}

function valueOf(key: number): number {
  const u = key >= 0x80000000 ? key - 0x80000000 : 0x80000000 + (0x7fffffff - key);
  scratch.setUint32(0, u);
  return scratch.getFloat32(0);
}

/**
 * Float threshold on a float32 z (the first, float layer): { t, flip } such that the output is +1 iff
 * (z ≥ t) XOR flip for every float32 z. t = NaN means z ≥ t is never true, t = −Infinity always.
 */
export function floatThreshold(mean: number, scale: number, offset: number): { t: number; flip: boolean } {
  checkFinite(mean, scale, offset);
  const flip = scale < 0;
  const c = (z: number) => signIsPositive(z, mean, scale, offset) !== flip;
  let lo = keyOf(-Infinity);
  let hi = keyOf(Infinity);
  if (c(valueOf(lo))) return { t: -Infinity, flip };
  if (!c(valueOf(hi))) return { t: NaN, flip };
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (c(valueOf(mid))) hi = mid;
    else lo = mid;
  }
  // Between −0 and +0 pick +0: both compare equal, so z ≥ t holds for both.
  return { t: valueOf(hi) === 0 ? 0 : valueOf(hi), flip };
}

function checkFinite(mean: number, scale: number, offset: number): void {
  if (!Number.isFinite(mean) || !Number.isFinite(scale) || !Number.isFinite(offset)) {
    throw new Error(
      `Cannot fold batch norm into a threshold: moving mean ${mean}, scale ${scale}, offset ${offset}; every one must be finite (a diverged network or a negative moving variance).`,
    );
  }
}
