/**
 * Reproduced numbers shared by both notebooks: each measurement with its standard error, its closed
 * form (when there is one) and the paper's statement; recorded for the report (lib/notebook
 * recordResults) and tabulated in the notebook with a verdict: does it agree with the closed form
 * within AGREEMENT_STANDARD_ERRORS standard errors, and if not, why not.
 */
import type { TableRow } from '../display/tables';
import { RecordedNumber, recordResults } from '../notebook/results';

/** A measurement agrees with its closed form when it lies within this many standard errors of it. */
export const AGREEMENT_STANDARD_ERRORS = 3;

export interface ReproducedNumber {
  /** Dotted result key, e.g. 'hd.binary.d27.medianAngle'. */
  key: string;
  /** The figure (its `show` name) the number belongs to: rerunning that figure's cell replaces all of its numbers. */
  figure: string;
  quantity: string;
  measured: number;
  /** Standard error of `measured`: the sampling error of the Monte Carlo, or of the images or filters measured. */
  se: number;
  /** The closed-form value it is compared with, when theory predicts it. */
  theory?: number;
  /** Why the closed form need not match within the error (a d → ∞ limit at finite d, a first-order approximation). */
  approximation?: string;
  unit?: string;
  /** What the paper states, when it states this number. */
  paper?: string;
}

/**
 * The verdict of the "agrees" column: 'yes (1.2 SE)' within AGREEMENT_STANDARD_ERRORS standard
 * errors; otherwise 'no (7.5 SE): ' and why (the number's approximation, else a plain disagreement);
 * 'no closed form' where theory predicts nothing, 'cannot say' where the sample is too small to
 * have a standard error (a single filter, a single batch of images).
 */
export function agreement(n: ReproducedNumber): string {
  if (n.theory === undefined) return 'no closed form';
  const gap = Math.abs(n.measured - n.theory);
  if (gap === 0) return 'yes (equal)';
  if (!(n.se > 0)) return 'cannot say: no standard error (too few filters or images to estimate one)';
  const off = gap / n.se;
  const size = `${off < 10 ? off.toFixed(1) : off.toPrecision(2)} SE`;
  if (off <= AGREEMENT_STANDARD_ERRORS) return `yes (${size})`;
  return `no (${size}): ${n.approximation ?? 'the measurement and the closed form disagree beyond sampling error'}`;
}

/** The row results.json keeps for a number. */
function recorded(n: ReproducedNumber): RecordedNumber {
  const { quantity, measured, se, theory, unit, paper, figure } = n;
  return { quantity, measured, se, theory, agrees: agreement(n), unit, paper, figure };
}

/**
 * Records the numbers (for the report) and puts them in `table` (for the notebook's summary
 * table). A figure's numbers replace every number that figure recorded before, where they stood,
 * so a cell rerun with other parameters (other d, other thresholds) leaves no stale rows behind.
 * Returns nothing, so a notebook cell ending with it prints nothing.
 */
export function recordNumbers(table: ReproducedNumber[], numbers: readonly ReproducedNumber[]): void {
  const figures = new Set(numbers.map((n) => n.figure));
  const first = table.findIndex((t) => figures.has(t.figure));
  const stale = table.filter((t) => figures.has(t.figure));
  const kept = table.filter((t) => !figures.has(t.figure));
  kept.splice(first < 0 ? kept.length : first, 0, ...numbers);
  table.splice(0, table.length, ...kept);
  recordResults(Object.fromEntries(numbers.map((n) => [n.key, recorded(n)])), stale.map((t) => t.key));
}

/** Table rows: quantity, measured ± standard error, theory, agreement, unit, paper. */
export function numbersTable(numbers: readonly ReproducedNumber[]): TableRow[] {
  return numbers.map((n) => ({
    quantity: n.quantity,
    measured: n.measured,
    '± SE': n.se,
    theory: n.theory ?? null,
    agrees: agreement(n),
    unit: n.unit ?? '',
    paper: n.paper ?? '',
  }));
}
