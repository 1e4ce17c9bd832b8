/** Short text for numbers, amounts, durations and rates in tables and progress displays. */

/** Integers as they are; other numbers to `digits` significant digits without trailing zeros. */
export function formatNumber(value: number, digits = 4): string {
  if (Number.isInteger(value) || !Number.isFinite(value)) {
    return String(value);
  }
  return String(Number(value.toPrecision(digits)));
}

/** Formats an amount in the bar's unit: bytes as "12.3 MB", other units as "12 epochs" (singular for 1: "1 epoch"). */
export function formatAmount(value: number, unit: string | undefined): string {
  if (unit === 'bytes') return formatBytes(value);
  const rounded = Number.isInteger(value) ? String(value) : value.toFixed(1);
  const noun = value === 1 && unit?.endsWith('s') ? unit.slice(0, -1) : unit;
  return noun ? `${rounded} ${noun}` : rounded;
}

/** Formats a byte count with decimal (SI) prefixes, as download tools do. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let i = 0;
  while (Math.abs(v) >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(1)} ${units[i]}`;
}

/** Formats a byte count with binary prefixes, as model sizes are given: "221.0 KiB", "6.49 MiB". */
export function formatBinaryBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
}

/** Formats a duration in seconds as "42s", "3m05s" or "1h02m". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** A rate in the unit's terms: "2.1 MB/s" for bytes, "12.5 batches/s" otherwise. */
export function formatRate(perSecond: number, unit: string | undefined): string {
  if (!Number.isFinite(perSecond)) return '?';
  if (unit === 'bytes') return `${formatBytes(perSecond)}/s`;
  return `${perSecond.toFixed(perSecond < 10 ? 2 : 1)} ${unit ?? 'it'}/s`;
}
