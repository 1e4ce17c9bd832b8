/** Atomic file writes: a reader sees the old file or the new one, never a half-written one. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isRunning } from './process-alive';

/** Writes data to `file` through a temporary file in the same folder and a rename. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  try {
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

/**
 * Removes the temporaries that writers of this project left in `dir` when they were killed
 * (`<name>.<pid>[.<time>].tmp`, files or folders), keeping those of processes still running.
 */
export function removeStaleTemporaries(dir: string): void {
  if (!fs.existsSync(dir)) return;
  for (const name of fs.readdirSync(dir)) {
    const pid = /\.(\d+)(\.\d+)?\.tmp$/.exec(name)?.[1];
    if (pid !== undefined && Number(pid) !== process.pid && !isRunning(Number(pid))) {
      fs.rmSync(path.join(dir, name), { recursive: true, force: true });
    }
  }
}

/**
 * Puts folder `source` in the place of folder `target` (same parent): the old target is renamed
 * aside, the new one renamed in, the old one removed; if the second rename fails the old is restored.
 */
export function replaceDirectory(source: string, target: string): void {
  const aside = path.join(path.dirname(target), `.${path.basename(target)}.old.${process.pid}.tmp`);
  fs.rmSync(aside, { recursive: true, force: true });
  const hadTarget = fs.existsSync(target);
  if (hadTarget) fs.renameSync(target, aside);
  try {
    fs.renameSync(source, target);
  } catch (err) {
    if (hadTarget) fs.renameSync(aside, target);
    throw err;
  }
  fs.rmSync(aside, { recursive: true, force: true });
}
