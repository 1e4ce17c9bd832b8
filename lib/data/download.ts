/**
 * Verified downloads. A file is streamed into `<dest>.<pid>.tmp` in the destination folder while
 * its size is counted and its MD5 computed; only when both match the published values is it renamed
 * over `<dest>` (atomic on one file system). A failed, corrupt or interrupted download therefore
 * never appears under the real name and never replaces a good file. On an HTTP error, a network
 * error or a bad body, the next mirror is tried.
 */
import { createHash } from 'node:crypto';
import { createReadStream, renameSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { createProgressBar, type ProgressBar, type ProgressStream } from '../terminal-progress';
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

/** Streams one URL into `tmpPath`, checking size and MD5; throws with the reason on any failure. */
async function fetchVerified(url: string, tmpPath: string, file: PublishedFile, onEvent: (e: DownloadEvent) => void) {
  const response = await fetch(url);
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
  ensureDir(destDir);
  removeStaleTemporaries(destDir);
  const dest = join(destDir, file.name);
  const tmpPath = `${dest}.${process.pid}.tmp`;
  const failures: string[] = [];
  for (const base of options.baseUrls) {
    const url = fileUrl(base, file.name);
    try {
      await fetchVerified(url, tmpPath, file, onEvent);
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
  let bar: ProgressBar | null = null;
  return (event) => {
    switch (event.type) {
      case 'start':
        stream.write(`Downloading ${event.url}\n`);
        bar = createProgressBar({ total: event.totalBytes, label: event.file, unit: 'bytes', stream });
        break;
      case 'progress':
        bar?.update(event.receivedBytes);
        break;
      case 'done':
        bar?.stop();
        bar = null;
        break;
      case 'failed':
        bar?.stop();
        bar = null;
        stream.write(`${event.file}: ${event.url} failed: ${event.reason}\n`);
        break;
    }
  };
}
