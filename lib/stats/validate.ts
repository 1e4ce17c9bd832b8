/**
 * Input checks shared by the statistics and high-dimensional geometry modules. Each throws an
 * Error whose message names the calling function, the problem, and what to pass instead.
 */

/** Throws unless `values` has at least one element. */
export function requireNonEmpty(where: string, name: string, values: ArrayLike<unknown>): void {
  if (values.length === 0) {
    throw new Error(`${where}: ${name} is empty; pass at least one value`);
  }
}

/** Throws unless `a` and `b` have the same length. */
export function requireSameLength(
  where: string,
  names: [string, string],
  a: ArrayLike<unknown>,
  b: ArrayLike<unknown>,
): void {
  if (a.length !== b.length) {
    throw new Error(
      `${where}: ${names[0]} has length ${a.length} but ${names[1]} has length ${b.length}; ` +
        'pass arrays of equal length',
    );
  }
}

/** Throws unless `value` is an integer ≥ `min`. */
export function requireInteger(where: string, name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`${where}: ${name} must be an integer >= ${min}, got ${value}`);
  }
}

/** Throws unless `value` is a finite number ≥ 0. */
export function requireNonNegative(where: string, name: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) {
    throw new Error(`${where}: ${name} must be a finite number >= 0, got ${value}`);
  }
}

/** Throws unless `value` is a finite number > 0. */
export function requirePositive(where: string, name: string, value: number): void {
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(`${where}: ${name} must be a finite number > 0, got ${value}`);
  }
}

/** Throws unless `value` lies in the closed interval [lo, hi]. */
export function requireInRange(where: string, name: string, value: number, lo: number, hi: number): void {
  if (!(value >= lo && value <= hi)) {
    throw new Error(`${where}: ${name} must lie in [${lo}, ${hi}], got ${value}`);
  }
}
