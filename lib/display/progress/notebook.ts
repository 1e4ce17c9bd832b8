/**
 * The notebook view of a progress: one output line, created with a fresh Jupyter display_id and
 * replaced through update_display_data, at most once per interval; the latest state is never lost,
 * it is shown at the next display or at done().
 */
import { randomBytes } from 'node:crypto';
import { writeFileAtomic } from '../../util/atomic-write';
import { formatDuration } from '../format';
import { notebookWriter } from '../jupyter';
import { TEXT_MIME } from '../show';
import { Progress, ProgressUpdate, finishedError, statusText } from './model';

/**
 * File that mirrors the latest notebook progress line, so that a headless run (npm run figures) can
 * show in the terminal what a long cell is doing.
 */
export const PROGRESS_FILE_ENV = 'BNN_PROGRESS_FILE';

/** At most two notebook updates per second: more only loads the browser. */
export const PROGRESS_INTERVAL_MS = 500;

export interface NotebookProgressOptions {
  /** Unit of the amounts: 'bytes', 'batches', 'images'… */
  unit?: string;
  /** Minimum time between displays (default PROGRESS_INTERVAL_MS). */
  minIntervalMs?: number;
  /** Milliseconds clock (default performance.now); injectable for tests. */
  clock?: () => number;
}

export function notebookProgress(label: string, options: NotebookProgressOptions = {}): Progress {
  const clock = options.clock ?? (() => performance.now());
  const interval = options.minIntervalMs ?? PROGRESS_INTERVAL_MS;
  const displayId = `progress-${randomBytes(8).toString('hex')}`;
  const start = clock();
  let created = false;
  let lastShown = -Infinity;
  let latest = '';
  let pending = false;
  let finished = false;

  const display = (): void => {
    const now = clock();
    const line = `${label} — ${latest} · ${formatDuration((now - start) / 1000)}`;
    // Looked up on each display: tslab swaps the writer when another cell starts executing.
    const write = notebookWriter();
    if (write !== undefined) {
      write({ data: { [TEXT_MIME]: line }, metadata: {}, transient: { display_id: displayId } }, created);
      created = true;
    }
    const mirror = process.env[PROGRESS_FILE_ENV];
    if (mirror) writeFileAtomic(mirror, line);
    lastShown = now;
    pending = false;
  };
  return {
    update: (u: ProgressUpdate) => {
      if (finished) throw finishedError(label);
      latest = statusText(u, options.unit);
      pending = true;
      if (clock() - lastShown >= interval) display();
    },
    done(summary) {
      if (finished) throw finishedError(label);
      if (summary !== undefined) {
        latest = summary;
        pending = true;
      }
      if (pending || lastShown === -Infinity) display();
      finished = true;
    },
  };
}
