/**
 * One writer per folder: a lock file beside the folder (`.<name>.lock`) holding the owner's pid and
 * command. A second writer is refused with a message naming the first; a lock whose process is gone
 * (killed, crashed) is taken over; the owner's lock is removed when it releases it or exits.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isRunning } from './process-alive';

interface LockOwner {
  pid: number;
  command: string;
  since: string;
}

export interface FolderLock {
  /** Removes the lock file (if this process still owns it). */
  release(): void;
}

/** The lock file of `dir`: beside it, so that the folder itself can be replaced while locked. */
export function lockFileOf(dir: string): string {
  const absolute = path.resolve(dir);
  return path.join(path.dirname(absolute), `.${path.basename(absolute)}.lock`);
}

function readOwner(file: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<LockOwner>;
    return typeof owner.pid === 'number' ? { pid: owner.pid, command: String(owner.command), since: String(owner.since) } : undefined;
  } catch {
    return undefined; // gone, or half-written by an owner that died: not held
  }
}

function heldBy(dir: string, file: string, owner: LockOwner): Error {
  return new Error(
    `${path.resolve(dir)} is being written by process ${owner.pid} (${owner.command}, since ${owner.since}). ` +
      `Wait for it to finish or stop it, or choose another folder. (Its lock: ${file}.)`,
  );
}

/**
 * Locks `dir` for this process (re-entrant: a process that holds it takes it again). Throws, naming
 * the owner and the way out, while another running process holds it. The parent folder must exist.
 */
export function lockFolder(dir: string): FolderLock {
  const file = lockFileOf(dir);
  const mine: LockOwner = { pid: process.pid, command: process.argv.slice(1).map((a) => path.basename(a)).join(' '), since: new Date().toISOString() };
  // Written whole under another name, then linked into place: a link fails if the lock exists, and a
  // reader never sees a half-written lock.
  const draft = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(draft, JSON.stringify(mine));
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        fs.linkSync(draft, file);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const owner = readOwner(file);
        if (owner && owner.pid !== process.pid && isRunning(owner.pid)) throw heldBy(dir, file, owner);
        if (attempt === 3) throw new Error(`Could not lock ${path.resolve(dir)}: ${file} keeps coming back. Try again.`, { cause: err });
        fs.rmSync(file, { force: true }); // its owner is gone (or is this process): take it over
      }
    }
  } finally {
    fs.rmSync(draft, { force: true });
  }
  const release = () => {
    if (readOwner(file)?.pid === process.pid) fs.rmSync(file, { force: true });
    process.off('exit', release);
  };
  process.on('exit', release);
  return { release };
}
