/** Short text for numbers in tables and progress lines. */

/** Integers as they are; other numbers to `digits` significant digits without trailing zeros. */
export function formatNumber(value: number, digits = 4): string {
  if (Number.isInteger(value) || !Number.isFinite(value)) {
    return String(value);
  }
  return String(Number(value.toPrecision(digits)));
}
