/**
 * The terminal view of a progress: on a TTY a `cli-progress` bar (amount, rate, ETA, fields) redrawn
 * in place; anywhere else (a log file, CI, a notebook kernel's stderr) redrawing is noise, so a plain
 * line each time another tenth of the stage is done or `lineIntervalMs` has passed, and one at done().
 */
import { SingleBar } from 'cli-progress';
import { formatDuration, formatRate } from '../format';
import { Progress, ProgressUpdate, amountText, fieldsText, finishedError } from './model';

/** Where a terminal progress goes: any writable stream; `isTTY` decides between a live bar and plain lines. */
export type ProgressStream = NodeJS.WritableStream & { isTTY?: boolean };

export interface TerminalProgressOptions {
  /** 'bytes' formats amounts as kB/MB/GB and rates as MB/s; any other word is used as the unit name. */
  unit?: string;
  /** Defaults to process.stderr. */
  stream?: ProgressStream;
  /** Plain lines: the longest silence between two lines while progress is being made (default 10 s). */
  lineIntervalMs?: number;
}

/** When the stream is a file or pipe, a line every 10 s keeps logs readable. */
export const PROGRESS_LOG_INTERVAL_MS = 10_000;
const DECILES = 10;

export function terminalProgress(label: string, options: TerminalProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stderr;
  return stream.isTTY === true ? barProgress(label, options, stream) : lineProgress(label, options, stream);
}

/** The rate and the stage's elapsed seconds, measured from the stage's start. */
function stageClock(): { restart(): void; seconds(): number } {
  let startedAt = Date.now();
  return { restart: () => (startedAt = Date.now()), seconds: () => (Date.now() - startedAt) / 1000 };
}

/** Amount per second; unknown (NaN) before any time has passed. */
function rateOf(done: number, seconds: number): number {
  return seconds > 0 ? done / seconds : NaN;
}

function barProgress(label: string, options: TerminalProgressOptions, stream: ProgressStream): Progress {
  const { unit } = options;
  const clock = stageClock();
  const bar = new SingleBar({
    stream,
    format: `${label}{stage} [{bar}] {percentage}% | {amount} | {rate} | ETA {eta_formatted}{fields}`,
    barsize: 30,
    hideCursor: null,
    etaBuffer: 50,
  });
  let started = false;
  let finished = false;
  let stage: string | undefined;
  const payload = (u: ProgressUpdate) => {
    const fields = fieldsText(u.fields);
    return {
      stage: u.stage ? ` ${u.stage}` : '',
      amount: amountText(u, unit, { percent: false }), // the bar shows the percentage itself
      rate: formatRate(rateOf(u.done, clock.seconds()), unit),
      fields: fields ? ` | ${fields}` : '',
    };
  };
  return {
    update: (u) => {
      if (finished) throw finishedError(label);
      const total = Math.max(0, u.total ?? 0);
      if (!started || u.stage !== stage) {
        if (started) bar.stop();
        clock.restart();
        bar.start(total, 0, payload(u));
        started = true;
        stage = u.stage;
      } else if (total !== bar.getTotal()) {
        bar.setTotal(total);
      }
      bar.update(u.done, payload(u));
    },
    done(summary) {
      if (finished) throw finishedError(label);
      finished = true;
      if (started) bar.stop();
      if (summary !== undefined) stream.write(`${label} — ${summary}\n`);
    },
  };
}

function lineProgress(label: string, options: TerminalProgressOptions, stream: ProgressStream): Progress {
  const { unit } = options;
  const interval = options.lineIntervalMs ?? PROGRESS_LOG_INTERVAL_MS;
  const clock = stageClock();
  let latest: ProgressUpdate | undefined;
  let lastLineAt = Date.now();
  let lastDecile = 0;
  let finished = false;

  const line = (u: ProgressUpdate, final: boolean): string => {
    const elapsed = clock.seconds();
    const rate = rateOf(u.done, elapsed);
    const total = u.total ?? 0;
    const timing = final
      ? `done in ${formatDuration(elapsed)}`
      : total > 0 && rate > 0 ? `ETA ${formatDuration((total - u.done) / rate)}` : 'ETA ?';
    const parts = [u.stage ?? '', amountText(u, unit), formatRate(rate, unit), timing, fieldsText(u.fields)];
    return `${label} — ${parts.filter((p) => p !== '').join(' · ')}\n`;
  };

  return {
    update: (u) => {
      if (finished) throw finishedError(label);
      if (latest !== undefined && u.stage !== latest.stage) {
        stream.write(line(latest, true)); // the finished stage, then a fresh count
        clock.restart();
        lastDecile = 0;
      }
      latest = u;
      const total = u.total ?? 0;
      const decile = total > 0 ? Math.floor((DECILES * u.done) / total) : 0;
      const now = Date.now();
      // A line per tenth done (the last tenth is reported by done()), or after a long silence.
      if ((decile > lastDecile && decile < DECILES) || now - lastLineAt >= interval) {
        lastDecile = Math.max(lastDecile, decile);
        lastLineAt = now;
        stream.write(line(u, false));
      }
    },
    done(summary) {
      if (finished) throw finishedError(label);
      finished = true;
      if (summary !== undefined) stream.write(`${label} — ${summary}\n`);
      else if (latest !== undefined) stream.write(line(latest, true));
    },
  };
}
