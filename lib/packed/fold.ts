/**
 * Batch norm + the activation (sign, or ternarize) folded into thresholds, exactly as the float
 * network rounds.
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

/** A non-decreasing predicate on z: whether z reaches one threshold. */
type Reached = (z: number) => boolean;

/**
 * The predicates of an activation's thresholds, in order, and the flip: for levels 2, the float
 * network's sign is +1; for levels 3 (its ternarize(x, T): +1 for x > T, −1 for x < −T, else 0,
 * comparing with T in float32), the value is not −1, and it is +1. A negative scale makes them
 * non-increasing: flip reverses the levels so that each predicate is non-decreasing in z.
 */
function reachedPredicates(levels: number, threshold: number, mean: number, scale: number, offset: number): { flip: boolean; reached: Reached[] } {
  checkFinite(mean, scale, offset);
  const flip = scale < 0;
  const pre = (z: number) => batchNormFloat32(z, mean, scale, offset);
  if (levels === 2) return { flip, reached: [(z) => (pre(z) >= 0) !== flip] };
  const t = f(threshold);
  const above = (z: number) => pre(z) > t;
  const below = (z: number) => pre(z) < -t;
  return flip ? { flip, reached: [(z) => !above(z), below] } : { flip, reached: [(z) => !below(z), above] };
}

/** The first integer in [lo, hi] where `c` (non-decreasing) holds, or hi + 1. */
function firstInteger(c: Reached, lo: number, hi: number): number {
  if (c(lo)) return lo;
  let below = lo;
  let at = hi + 1; // c(hi + 1) is taken as true
  // Invariant: c(below) false, c(at) true.
  while (at - below > 1) {
    const mid = Math.floor((below + at) / 2);
    if (c(mid)) at = mid;
    else below = mid;
  }
  return at;
}

/**
 * Integer thresholds on z ∈ [−bound, bound] for an activation of `levels` (2 or 3; `threshold` is
 * the ternary T): { t, flip } such that, for every integer z in range, threshold j is reached iff
 * z ≥ t[j], and the level (thresholds reached) is the float network's output level, reversed when
 * flip (a negative scale).
 */
export function integerThresholds(levels: number, threshold: number, mean: number, scale: number, offset: number, bound: number): { t: number[]; flip: boolean } {
  const { flip, reached } = reachedPredicates(levels, threshold, mean, scale, offset);
  return { t: reached.map((c) => firstInteger(c, -bound, bound)), flip };
}

/** The binary case of {@link integerThresholds}: the output is +1 iff (z ≥ t) XOR flip. */
export function integerThreshold(mean: number, scale: number, offset: number, bound: number): { t: number; flip: boolean } {
  const { t, flip } = integerThresholds(2, 0, mean, scale, offset, bound);
  return { t: t[0], flip };
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

/** The first float32 where `c` (non-decreasing in float32 order) holds: −Infinity when always, NaN when never. */
function firstFloat(c: Reached): number {
  let lo = keyOf(-Infinity);
  let hi = keyOf(Infinity);
  if (c(valueOf(lo))) return -Infinity;
  if (!c(valueOf(hi))) return NaN;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (c(valueOf(mid))) hi = mid;
    else lo = mid;
  }
  // Between −0 and +0 pick +0: both compare equal, so z ≥ t holds for both.
  return valueOf(hi) === 0 ? 0 : valueOf(hi);
}

/**
 * Float thresholds on a float32 z (the first, float layer), as {@link integerThresholds}: threshold
 * j is reached iff z ≥ t[j] for every float32 z. t = NaN means never, t = −Infinity always.
 */
export function floatThresholds(levels: number, threshold: number, mean: number, scale: number, offset: number): { t: number[]; flip: boolean } {
  const { flip, reached } = reachedPredicates(levels, threshold, mean, scale, offset);
  return { t: reached.map(firstFloat), flip };
}

/** The binary case of {@link floatThresholds}. */
export function floatThreshold(mean: number, scale: number, offset: number): { t: number; flip: boolean } {
  const { t, flip } = floatThresholds(2, 0, mean, scale, offset);
  return { t: t[0], flip };
}

function checkFinite(mean: number, scale: number, offset: number): void {
  if (!Number.isFinite(mean) || !Number.isFinite(scale) || !Number.isFinite(offset)) {
    throw new Error(
      `Cannot fold batch norm into a threshold: moving mean ${mean}, scale ${scale}, offset ${offset}; every one must be finite (a diverged network or a negative moving variance).`,
    );
  }
}
