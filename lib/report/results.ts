/**
 * Rows of the report's table from the recorded results (lib/notebook/results): a value recorded as
 * { quantity?, measured, se?, theory?, agrees?, paper?, unit? } becomes one row (named by its quantity, else its key); plain numbers become rows with the
 * measurement only; nested objects are walked with dotted keys.
 */
import type { RecordedNumber } from '../notebook/results';
import type { ReportRow } from './html';

/** A recorded number read back from results.json (written by recordNumbers, or by hand without a quantity). */
type RecordedRow = Partial<RecordedNumber> & Pick<RecordedNumber, 'measured'>;

function isRecordedRow(v: unknown): v is RecordedRow {
  return Boolean(v) && typeof v === 'object' && !Array.isArray(v) && 'measured' in (v as object);
}

function format(v: unknown, unit = ''): string {
  if (v === undefined) return '';
  if (v === null) return 'n/a';
  const suffix = unit ? ` ${unit}` : '';
  if (typeof v === 'number') return `${Number.isInteger(v) ? v : Number(v.toPrecision(4))}${suffix}`;
  if (Array.isArray(v)) return v.map((x) => format(x)).join(', ') + suffix;
  if (typeof v === 'string' || typeof v === 'boolean') return `${v}${suffix}`;
  return `${JSON.stringify(v)}${suffix}`;
}

export function resultRows(results: Record<string, unknown>, prefix = ''): ReportRow[] {
  return Object.entries(results).flatMap(([key, value]): ReportRow[] => {
    const quantity = prefix + key;
    if (isRecordedRow(value)) {
      return [{
        quantity: value.quantity ?? quantity, measured: format(value.measured, value.unit), se: format(value.se, value.unit),
        theory: format(value.theory, value.unit), agrees: value.agrees ?? '', paper: value.paper ?? '',
      }];
    }
    if (value && typeof value === 'object' && !Array.isArray(value)) return resultRows(value as Record<string, unknown>, `${quantity}.`);
    return [{ quantity, measured: format(value), se: '', theory: '', agrees: '', paper: '' }];
  });
}
