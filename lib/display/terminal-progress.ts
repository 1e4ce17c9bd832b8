/**
 * Progress reporting on a terminal, shared by downloads (bytes) and training (epochs, batches).
 *
 * On a TTY it draws a `cli-progress` bar (amount, rate, ETA) that redraws in place. Anywhere else
 * (a log file, CI, a notebook kernel's stderr) redrawing is noise, so it writes a plain line each
 * time another tenth of the total is done or `lineIntervalMs` has passed, and one at `stop()`.
 */
import { SingleBar } from 'cli-progress';

/** Where progress goes: any writable stream; `isTTY` decides between a live bar and plain lines. */
export type ProgressStream = NodeJS.WritableStream & { isTTY?: boolean };

/** Extra values shown after the bar, e.g. `{ loss: 0.31, acc: 0.92 }`. */
type ProgressExtra = Record<string, string | number>;

export interface ProgressBarOptions {
  /** The value that means "done" (bytes, epochs, batches...). 0 or less when unknown. */
  total: number;
  /** Shown first on every line, e.g. a file name or "epoch". */
  label: string;
  /** 'bytes' formats amounts as kB/MB/GB and rates as MB/s; any other word is used as the unit name. */
  unit?: string;
  /** Defaults to process.stderr. */
  stream?: ProgressStream;
  /** Plain-line mode: the longest silence between two lines while progress is being made. */
  lineIntervalMs?: number;
}

export interface ProgressBar {
  /** Sets the current value (not an increment) and, optionally, the extra values to show. */
  update(value: number, extra?: ProgressExtra): void;
  /** Draws the final state and releases the terminal; further calls do nothing. */
  stop(): void;
}

const DEFAULT_LINE_INTERVAL_MS = 30_000;
const DECILES = 10;

/** Creates a progress bar on `stream` (default stderr): a live bar on a TTY, plain lines otherwise. */
export function createProgressBar(options: ProgressBarOptions): ProgressBar {
  const stream = options.stream ?? process.stderr;
  return stream.isTTY === true ? ttyBar(options, stream) : lineBar(options, stream);
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

/** Formats a duration in seconds as "42s", "3m05s" or "1h02m". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

function formatRate(perSecond: number, unit: string | undefined): string {
  if (!Number.isFinite(perSecond)) return '?';
  if (unit === 'bytes') return `${formatBytes(perSecond)}/s`;
  return `${perSecond.toFixed(perSecond < 10 ? 2 : 1)} ${unit ?? 'it'}/s`;
}

function formatExtra(extra: ProgressExtra | undefined): string {
  if (!extra) return '';
  const parts = Object.entries(extra).map(([k, v]) => {
    const text = typeof v === 'number' && !Number.isInteger(v) ? v.toPrecision(4) : String(v);
    return `${k} ${text}`;
  });
  return parts.length ? ` | ${parts.join(' ')}` : '';
}

function ttyBar(options: ProgressBarOptions, stream: ProgressStream): ProgressBar {
  const { label, unit } = options;
  const total = Math.max(0, options.total);
  const startedAt = Date.now();
  const payload = (value: number, extra?: ProgressExtra) => {
    const elapsed = (Date.now() - startedAt) / 1000;
    return {
      amount: total > 0 ? `${formatAmount(value, unit)}/${formatAmount(total, unit)}` : formatAmount(value, unit),
      rate: formatRate(elapsed > 0 ? value / elapsed : NaN, unit),
      extra: formatExtra(extra),
    };
  };
  const bar = new SingleBar({
    stream,
    format: `${label} [{bar}] {percentage}% | {amount} | {rate} | ETA {eta_formatted}{extra}`,
    barsize: 30,
    hideCursor: null,
    etaBuffer: 50,
  });
  bar.start(total, 0, payload(0));
  let stopped = false;
  return {
    update(value, extra) {
      if (!stopped) bar.update(value, payload(value, extra));
    },
    stop() {
      if (stopped) return;
      stopped = true;
      bar.stop();
    },
  };
}

function lineBar(options: ProgressBarOptions, stream: ProgressStream): ProgressBar {
  const { label, unit } = options;
  const total = Math.max(0, options.total);
  const interval = options.lineIntervalMs ?? DEFAULT_LINE_INTERVAL_MS;
  const startedAt = Date.now();
  let lastLineAt = startedAt;
  let lastDecile = 0;
  let current = 0;
  let lastExtra: ProgressExtra | undefined;
  let stopped = false;

  const line = (final: boolean): string => {
    const elapsed = (Date.now() - startedAt) / 1000;
    const rate = elapsed > 0 ? current / elapsed : NaN;
    const amount = total > 0 ? `${formatAmount(current, unit)}/${formatAmount(total, unit)}` : formatAmount(current, unit);
    const percent = total > 0 ? ` (${Math.floor((100 * current) / total)}%)` : '';
    const timing = final
      ? `done in ${formatDuration(elapsed)}`
      : total > 0 && rate > 0
        ? `ETA ${formatDuration((total - current) / rate)}`
        : 'ETA ?';
    return `${label}: ${amount}${percent}, ${formatRate(rate, unit)}, ${timing}${formatExtra(lastExtra)}\n`;
  };

  return {
    update(value, extra) {
      if (stopped) return;
      current = value;
      if (extra) lastExtra = extra;
      const decile = total > 0 ? Math.floor((DECILES * value) / total) : 0;
      const now = Date.now();
      // A line per tenth done (the last tenth is reported by stop()), or after a long silence.
      if ((decile > lastDecile && decile < DECILES) || now - lastLineAt >= interval) {
        lastDecile = Math.max(lastDecile, decile);
        lastLineAt = now;
        stream.write(line(false));
      }
    },
    stop() {
      if (stopped) return;
      stopped = true;
      stream.write(line(true));
    },
  };
}
