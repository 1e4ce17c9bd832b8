/**
 * Reproduced numbers shared by both notebooks: each measurement with its closed form (when there is
 * one) and the paper's statement, recorded for the report (lib/notebook recordResult, as { quantity,
 * measured, theory, unit, paper }) and tabulated in the notebook.
 */
import type { TableRow } from '../display/tables';
import { RecordedNumber, recordResult } from '../notebook/results';

export interface ReproducedNumber extends RecordedNumber {
  /** Dotted result key, e.g. 'hd.binary.d27.medianAngle'. */
  key: string;
}

/**
 * Records each number under its key (for the report) and appends it to `table` (for the notebook's
 * summary table), or replaces the entry of the same key (a rerun cell). Returns nothing, so a
 * notebook cell ending with it prints nothing.
 */
export function recordNumbers(table: ReproducedNumber[], numbers: readonly ReproducedNumber[]): void {
  for (const n of numbers) {
    const { key, quantity, measured, theory, unit, paper } = n;
    recordResult(key, { quantity, measured, theory, unit, paper });
    const earlier = table.findIndex((t) => t.key === key);
    if (earlier >= 0) table[earlier] = n; // a rerun cell replaces its numbers
    else table.push(n);
  }
}

/** Table rows: quantity, measured, theory, relative difference, unit, paper. */
export function numbersTable(numbers: readonly ReproducedNumber[]): TableRow[] {
  return numbers.map((n) => ({
    quantity: n.quantity,
    measured: n.measured,
    theory: n.theory ?? null,
    'rel. diff.': n.theory === undefined || n.theory === 0 ? null : (n.measured - n.theory) / Math.abs(n.theory),
    unit: n.unit ?? '',
    paper: n.paper ?? '',
  }));
}
