/**
 * A live status line for long loops (training batches): one notebook output updated in place via
 * Jupyter's display_id / update_display_data, or a terminal line when not in a notebook.
 */
import { randomBytes } from 'crypto';
import { writeFileAtomic } from '../util/atomic-write';
import { formatDuration } from './terminal-progress';
import { formatNumber } from './format';
import { notebookWriter } from './jupyter';
import { TEXT_MIME } from './show';

/** Named values shown as "name value · name value", e.g. {epoch: '2/10', loss: 0.4312}. */
export type ProgressFields = Readonly<Record<string, string | number>>;

export interface NotebookProgress {
  /** Records the latest status; shown now unless the last display was under minIntervalMs ago. */
  update(status: string | ProgressFields): void;
  /** Shows the final status (default: the latest one); later calls to update or done throw. */
  done(status?: string | ProgressFields): void;
}

export interface ProgressOptions {
  /** Minimum time between displays (default 500 ms in a notebook or terminal, 10 s in a log file). */
  minIntervalMs?: number;
  /** Milliseconds clock (default performance.now); injectable for tests. */
  clock?: () => number;
}

/**
 * File that mirrors the latest notebook progress line, so that a headless run (npm run figures) can
 * show in the terminal what a long cell is doing.
 */
export const PROGRESS_FILE_ENV = 'BNN_PROGRESS_FILE';

/** At most two notebook updates per second: more only loads the browser. */
export const PROGRESS_INTERVAL_MS = 500;
/** When stderr is a file or pipe, a line every 10 s keeps logs readable. */
export const PROGRESS_LOG_INTERVAL_MS = 10_000;

type Sink = { show(line: string): void; finish(): void };

/**
 * A progress display labelled `label`. In a tslab notebook the first display creates an output with
 * a fresh display_id and later ones replace it; on a terminal the line is rewritten with \r; when
 * stderr is not a terminal a line is printed at most every PROGRESS_LOG_INTERVAL_MS, plus the last.
 * Updates between displays are not lost: the latest one is shown at the next display or at done().
 */
export function createNotebookProgress(label: string, options: ProgressOptions = {}): NotebookProgress {
  const clock = options.clock ?? (() => performance.now());
  const inNotebook = notebookWriter() !== undefined;
  const sink = inNotebook ? notebookSink() : terminalSink();
  const interval = options.minIntervalMs
    ?? (inNotebook || process.stderr.isTTY === true ? PROGRESS_INTERVAL_MS : PROGRESS_LOG_INTERVAL_MS);
  const start = clock();
  let lastShown = -Infinity;
  let latest = '';
  let pending = false;
  let finished = false;

  const display = (): void => {
    const now = clock();
    sink.show(`${label} — ${latest} · ${formatDuration((now - start) / 1000)}`);
    lastShown = now;
    pending = false;
  };
  const assertOpen = (): void => {
    if (finished) {
      throw new Error(`progress "${label}": done() was already called; create a new progress for a new loop`);
    }
  };
  return {
    update(status) {
      assertOpen();
      latest = statusText(status);
      pending = true;
      if (clock() - lastShown >= interval) {
        display();
      }
    },
    done(status) {
      assertOpen();
      if (status !== undefined) {
        latest = statusText(status);
        pending = true;
      }
      if (pending || lastShown === -Infinity) {
        display();
      }
      finished = true;
      sink.finish();
    },
  };
}

function statusText(status: string | ProgressFields): string {
  if (typeof status === 'string') {
    return status;
  }
  return Object.entries(status)
    .map(([name, value]) => `${name} ${typeof value === 'number' ? formatNumber(value) : value}`)
    .join(' · ');
}

/** One notebook output: display_data with a display_id, then update_display_data to the same id. */
function notebookSink(): Sink {
  const displayId = `progress-${randomBytes(8).toString('hex')}`;
  let created = false;
  return {
    show(line) {
      // Looked up on each display: tslab swaps the writer when another cell starts executing.
      const write = notebookWriter();
      if (write === undefined) {
        return;
      }
      write({ data: { [TEXT_MIME]: line }, metadata: {}, transient: { display_id: displayId } }, created);
      created = true;
      const mirror = process.env[PROGRESS_FILE_ENV];
      if (mirror) writeFileAtomic(mirror, line);
    },
    finish() {},
  };
}

/** A line on stderr: rewritten in place on a terminal, appended otherwise. */
function terminalSink(): Sink {
  const tty = process.stderr.isTTY === true;
  let shown = false;
  return {
    show(line) {
      process.stderr.write(tty ? `\r${line}\x1b[K` : `${line}\n`);
      shown = true;
    },
    finish() {
      if (tty && shown) {
        process.stderr.write('\n');
      }
    },
  };
}
