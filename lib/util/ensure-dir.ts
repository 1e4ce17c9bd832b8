/**
 * Output folders, checked before any work. Node 20's `mkdirSync(p, { recursive: true })` never
 * returns for some paths it cannot create (e.g. under /proc), so folders are made one level at a
 * time; a folder that cannot be written is reported at start, not after hours of training.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

function failure(dir: string, what: string, err?: unknown): Error {
  const reason = err === undefined ? '' : ` (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`;
  return new Error(`Cannot use ${dir} as an output folder: ${what}${reason}. Choose another folder.`);
}

/** Creates `dir` and its missing parents; throws a clear error when it cannot. */
export function ensureDir(dir: string): void {
  const absolute = path.resolve(dir);
  const missing: string[] = [];
  let existing = absolute;
  while (!fs.existsSync(existing) && path.dirname(existing) !== existing) {
    missing.push(existing);
    existing = path.dirname(existing);
  }
  if (!fs.statSync(existing).isDirectory()) {
    throw failure(dir, existing === absolute ? 'it is a file' : `${existing} is a file`);
  }
  for (const d of missing.reverse()) {
    try {
      fs.mkdirSync(d);
    } catch (err) {
      throw failure(dir, `${d} cannot be created`, err);
    }
  }
}

/** {@link ensureDir}, then proves that files can be written there (writes and removes a probe). */
export function ensureWritableDir(dir: string): void {
  ensureDir(dir);
  const probe = path.join(dir, `.write-probe-${process.pid}`);
  try {
    fs.writeFileSync(probe, '');
    fs.rmSync(probe);
  } catch (err) {
    throw failure(dir, 'files cannot be written there', err);
  }
}
