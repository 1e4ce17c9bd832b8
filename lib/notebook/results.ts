/**
 * Reproduced numbers: a notebook cell records values under dotted keys; when `npm run figures`
 * sets BNN_RESULTS_FILE, the values are merged into that JSON file (atomically) for the report.
 */
import * as fs from 'node:fs';
import { writeFileAtomic } from '../util/atomic-write';

export const RESULTS_FILE_ENV = 'BNN_RESULTS_FILE';

/** A reproduced number as recorded: one row of the report's table. */
export interface RecordedNumber {
  /** What was measured, in words; the report shows it instead of the key. */
  quantity: string;
  measured: number;
  /** Standard error of the measurement. */
  se: number;
  /** The closed-form value it is compared with, when theory predicts it. */
  theory?: number;
  /** Whether the measurement agrees with the closed form within its error, or why not. */
  agrees: string;
  unit?: string;
  /** What the paper states, when it states this number. */
  paper?: string;
  /** The figure the number belongs to. */
  figure?: string;
}

/** JSON-safe copy: typed arrays become arrays, non-finite numbers become null. */
function plain(value: unknown): unknown {
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number>, (v) => plain(v));
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}

/** Records each value under its key (e.g. 'hd.binary.d27.medianAngle') and removes the keys in `remove` that are not set again. */
export function recordResults(values: Record<string, unknown>, remove: readonly string[] = [], file = process.env[RESULTS_FILE_ENV]): void {
  if (!file) return;
  const results = (fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {}) as Record<string, unknown>;
  for (const key of remove) delete results[key];
  for (const [key, value] of Object.entries(values)) results[key] = plain(value);
  writeFileAtomic(file, JSON.stringify(results, null, 2));
}

/** Records `value` under `key` and returns it, so a cell can show it too. */
export function recordResult<T>(key: string, value: T, file = process.env[RESULTS_FILE_ENV]): T {
  recordResults({ [key]: value }, [], file);
  return value;
}
