/**
 * The progress of a long loop (a download, training, an analysis), one model for every display:
 * what has been done of how much, in which stage, and the values worth watching. The terminal view
 * (terminal.ts) draws it as a bar or log lines, the notebook view (notebook.ts) as one output line
 * updated in place.
 */
import { formatAmount, formatNumber } from '../format';

/** Named values shown after the amount, e.g. { loss: 0.4312, 'img/s': 980 }. */
export type ProgressFields = Readonly<Record<string, string | number>>;

/** One report of a long loop. */
export interface ProgressUpdate {
  /** Amount done (bytes, batches, images…), not an increment. */
  done: number;
  /** Amount that means "finished"; absent or 0 when unknown. */
  total?: number;
  /** What is running, e.g. 'dot products: ranges'; a new stage starts a new count. */
  stage?: string;
  fields?: ProgressFields;
}

/** Receives progress reports; long analyses take one as `onProgress`. */
export type ProgressCallback = (update: ProgressUpdate) => void;

/** A live progress display. */
export interface Progress {
  /** Shows the latest state (a property, so that `onProgress: progress.update` works). */
  readonly update: ProgressCallback;
  /** Shows the final state, or `summary` in its place, and releases the display; later calls throw. */
  done(summary?: string): void;
}

/** "12/40 batches (30%)" (without the percentage on request), or "12 batches" when the total is unknown. */
export function amountText(update: ProgressUpdate, unit: string | undefined, { percent = true } = {}): string {
  const total = update.total ?? 0;
  if (!(total > 0)) return formatAmount(update.done, unit);
  // "1.0 MB/2.0 MB", but "12/40 batches": a word unit is said once.
  const done = unit === 'bytes' ? formatAmount(update.done, unit) : formatAmount(update.done, undefined);
  const amount = `${done}/${formatAmount(total, unit)}`;
  return percent ? `${amount} (${Math.floor((100 * update.done) / total)}%)` : amount;
}

/** "loss 0.4313 · img/s 980". */
export function fieldsText(fields: ProgressFields | undefined): string {
  return Object.entries(fields ?? {})
    .map(([name, value]) => `${name} ${typeof value === 'number' ? formatNumber(value) : value}`)
    .join(' · ');
}

/** The stage, amount and fields of an update, e.g. "ranges · 12/40 batches (30%) · loss 0.4313". */
export function statusText(update: ProgressUpdate, unit: string | undefined): string {
  return [update.stage ?? '', amountText(update, unit), fieldsText(update.fields)].filter((part) => part !== '').join(' · ');
}

/** The error for a report after done(): a finished display cannot show a new loop. */
export function finishedError(label: string): Error {
  return new Error(`progress "${label}": done() was already called; create a new progress for a new loop`);
}
