/**
 * Verified downloads. A file is streamed into `<dest>.<pid>.tmp` in the destination folder while
 * its size is counted and its MD5 computed; only when both match the published values is it renamed
 * over `<dest>` (atomic on one file system). A failed, corrupt or interrupted download therefore
 * never appears under the real name and never replaces a good file. On an HTTP error, a network
 * error, a bad body or a server that stalls or trickles (under 4 kB/s over `idleTimeoutSeconds`),
 * the next mirror is tried.
 */
import { createHash } from 'node:crypto';
import { createReadStream, renameSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { terminalProgress, type Progress, type ProgressStream } from '../display/progress';
import { removeStaleTemporaries } from '../util/atomic-write';
import { ensureDir } from '../util/ensure-dir';
import type { PublishedFile } from './datasets';

/** What happens during a download, for progress displays and logs. */
export type DownloadEvent =
  | { type: 'start'; file: string; url: string; totalBytes: number }
  | { type: 'progress'; file: string; url: string; receivedBytes: number; totalBytes: number }
  | { type: 'done'; file: string; url: string; receivedBytes: number }
  | { type: 'failed'; file: string; url: string; reason: string };

export interface DownloadOptions {
  file: PublishedFile;
  /** Base URLs tried in order; the file name is appended to each. */
  baseUrls: readonly string[];
  /** Folder the file is saved in (created if needed). */
  destDir: string;
  onEvent?: (event: DownloadEvent) => void;
  /** Window, in seconds, in which a mirror must send 4 kB/s or be given up (default: $BNN_DOWNLOAD_IDLE_TIMEOUT, else 30). */
  idleTimeoutSeconds?: number;
}

/** Environment variable: the stall window in seconds, after which a download moves to the next mirror. */
export const IDLE_TIMEOUT_ENV = 'BNN_DOWNLOAD_IDLE_TIMEOUT';
const DEFAULT_IDLE_TIMEOUT_SECONDS = 30;

function idleTimeoutSeconds(option: number | undefined): number {
  const value = option ?? Number(process.env[IDLE_TIMEOUT_ENV] || DEFAULT_IDLE_TIMEOUT_SECONDS);
  if (!(value > 0)) throw new Error(`${IDLE_TIMEOUT_ENV} must be a number of seconds above 0; got '${process.env[IDLE_TIMEOUT_ENV]}'.`);
  return value;
}

export interface DownloadResult {
  path: string;
  /** The URL the verified bytes came from. */
  url: string;
}

/** The URL of `fileName` under a base URL, with or without its trailing slash. */
export function fileUrl(baseUrl: string, fileName: string): string {
  return new URL(fileName, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`).toString();
}

/** Explains a fetch failure: undici's "fetch failed" hides the reason in `cause`. */
function describeError(err: unknown): string {
  const e = err as Error & { cause?: Error & { code?: string } };
  const cause = e.cause ? ` (${e.cause.code ?? e.cause.message})` : '';
  return `${e.message}${cause}`;
}

/** Below this average rate over a whole idle window, a mirror counts as stalled. */
const MIN_BYTES_PER_SECOND = 4096;

/**
 * An abort signal that fires when a window of `seconds` brings fewer than MIN_BYTES_PER_SECOND
 * per second: a stalled server (undici's own body timeout waits five minutes) or one that trickles
 * (it never fires at all).
 */
function idleWatch(seconds: number): { signal: AbortSignal; alive: (bytes: number) => void; stop: () => void } {
  const controller = new AbortController();
  let bytes = 0;
  const check = () => {
    if (bytes < MIN_BYTES_PER_SECOND * seconds) {
      controller.abort(new Error(`${bytes} bytes in ${seconds} s: the server stalls (under ${MIN_BYTES_PER_SECOND / 1024} kB/s)`));
      return;
    }
    bytes = 0;
    timer = setTimeout(check, seconds * 1000);
  };
  let timer = setTimeout(check, seconds * 1000);
  return { signal: controller.signal, alive: (n) => void (bytes += n), stop: () => clearTimeout(timer) };
}

/** Streams one URL into `tmpPath`, checking size and MD5; throws with the reason on any failure. */
async function fetchVerified(url: string, tmpPath: string, file: PublishedFile, onEvent: (e: DownloadEvent) => void, idleSeconds: number) {
  const idle = idleWatch(idleSeconds);
  try {
    await streamVerified(url, tmpPath, file, onEvent, idle);
  } catch (err) {
    throw idle.signal.aborted ? idle.signal.reason : err;
  } finally {
    idle.stop();
  }
}

async function streamVerified(
  url: string,
  tmpPath: string,
  file: PublishedFile,
  onEvent: (e: DownloadEvent) => void,
  idle: { signal: AbortSignal; alive: (bytes: number) => void },
) {
  const response = await fetch(url, { signal: idle.signal });
  if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`.trim());
  if (!response.body) throw new Error('empty response');
  const announced = response.headers.get('content-length');
  if (announced !== null && Number(announced) !== file.bytes) {
    await response.body.cancel();
    throw new Error(`server announces ${announced} bytes, expected ${file.bytes}`);
  }
  onEvent({ type: 'start', file: file.name, url, totalBytes: file.bytes });
  const md5 = createHash('md5');
  const out = await open(tmpPath, 'w');
  let received = 0;
  try {
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      idle.alive(value.length);
      received += value.length;
      if (received > file.bytes) {
        await reader.cancel();
        throw new Error(`body longer than the expected ${file.bytes} bytes`);
      }
      md5.update(value);
      await out.write(value);
      onEvent({ type: 'progress', file: file.name, url, receivedBytes: received, totalBytes: file.bytes });
    }
  } finally {
    await out.close();
  }
  if (received !== file.bytes) throw new Error(`truncated: received ${received} bytes, expected ${file.bytes}`);
  const digest = md5.digest('hex');
  if (digest !== file.md5) throw new Error(`checksum mismatch: MD5 ${digest}, expected ${file.md5}`);
  onEvent({ type: 'done', file: file.name, url, receivedBytes: received });
}

/**
 * Downloads `file` from the first base URL that serves exactly the published bytes and saves it as
 * `<destDir>/<file.name>`. Throws, listing every URL tried and why it failed, when none does; the
 * destination is then left as it was.
 */
export async function downloadVerified(options: DownloadOptions): Promise<DownloadResult> {
  const { file, destDir } = options;
  const onEvent = options.onEvent ?? (() => undefined);
  const idleSeconds = idleTimeoutSeconds(options.idleTimeoutSeconds);
  ensureDir(destDir);
  removeStaleTemporaries(destDir);
  const dest = join(destDir, file.name);
  const tmpPath = `${dest}.${process.pid}.tmp`;
  const failures: string[] = [];
  for (const base of options.baseUrls) {
    const url = fileUrl(base, file.name);
    try {
      await fetchVerified(url, tmpPath, file, onEvent, idleSeconds);
      renameSync(tmpPath, dest);
      return { path: dest, url };
    } catch (err) {
      rmSync(tmpPath, { force: true });
      const reason = describeError(err);
      failures.push(`  ${url}: ${reason}`);
      onEvent({ type: 'failed', file: file.name, url, reason });
    }
  }
  const tried = failures.length ? `\n${failures.join('\n')}` : ' (no mirror configured)';
  throw new Error(`Could not download ${file.name} into ${destDir}:${tried}`);
}

/**
 * Checks a local copy of a published file: exact size, then MD5. Returns null when it matches,
 * else the reason it does not.
 */
export async function checkPublishedFile(path: string, file: PublishedFile): Promise<string | null> {
  const size = statSync(path).size;
  if (size !== file.bytes) return `${path} has ${size} bytes, expected ${file.bytes}`;
  const md5 = createHash('md5');
  for await (const chunk of createReadStream(path)) md5.update(chunk as Buffer);
  const digest = md5.digest('hex');
  return digest === file.md5 ? null : `${path}: checksum mismatch: MD5 ${digest}, expected ${file.md5}`;
}

/**
 * A DownloadEvent handler that shows each download on `stream` (default stderr): a live bar with
 * bytes, rate and ETA on a terminal, a few plain lines elsewhere, and a line per failed mirror.
 */
export function terminalDownloadReporter(stream: ProgressStream = process.stderr): (event: DownloadEvent) => void {
  let bar: Progress | null = null;
  return (event) => {
    switch (event.type) {
      case 'start':
        stream.write(`Downloading ${event.url}\n`);
        bar = terminalProgress(event.file, { unit: 'bytes', stream });
        break;
      case 'progress':
        bar?.update({ done: event.receivedBytes, total: event.totalBytes });
        break;
      case 'done':
        bar?.update({ done: event.receivedBytes, total: event.receivedBytes });
        bar?.done();
        bar = null;
        break;
      case 'failed':
        bar?.done();
        bar = null;
        stream.write(`${event.file}: ${event.url} failed: ${event.reason}\n`);
        break;
    }
  };
}
