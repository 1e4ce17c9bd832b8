/**
 * Reproduced numbers: a notebook cell records a value under a dotted key; when `npm run figures`
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
  /** The closed-form value it is compared with, when theory predicts it. */
  theory?: number;
  unit?: string;
  /** What the paper states, when it states this number. */
  paper?: string;
}

/** JSON-safe copy: typed arrays become arrays, non-finite numbers become null. */
function plain(value: unknown): unknown {
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number>, (v) => plain(v));
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}

/** Records `value` under `key` (e.g. 'hd.binary.medianAngleDeg') and returns it, so a cell can show it too. */
export function recordResult<T>(key: string, value: T, file = process.env[RESULTS_FILE_ENV]): T {
  if (!file) return value;
  const results = (fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {}) as Record<string, unknown>;
  results[key] = plain(value);
  writeFileAtomic(file, JSON.stringify(results, null, 2));
  return value;
}
