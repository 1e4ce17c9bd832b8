/**
 * Folders the project fills or replaces as a whole (the figures' output, checkpoint folders): a new
 * folder, an empty one, or one this project wrote before (it holds OUTPUT_MARKER). Anything else is
 * refused before any work, so a mistyped --out never empties or litters a folder of the user's.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The file that marks a folder as written by this project. */
export const OUTPUT_MARKER = '.bnn-geometry';

/**
 * Throws, naming the problem and the fix, unless `dir` (given as `flag`) may be written as a whole:
 * absent, empty, marked, or recognised by `ownedBefore` (folders written before the marker existed).
 * A symbolic link is refused (replacing it would not replace its target) unless `followLinks`.
 */
export function checkOutputFolder(
  dir: string,
  flag: string,
  ownedBefore: (names: string[]) => boolean = () => false,
  { followLinks = false } = {},
): void {
  if (dir.trim() === '') throw new Error(`${flag} is empty: name the folder to write into.`);
  const stat = (followLinks ? fs.statSync : fs.lstatSync)(dir, { throwIfNoEntry: false });
  if (stat === undefined) return;
  if (stat.isSymbolicLink()) throw new Error(`${flag} ${dir} is a symbolic link: name the folder itself (${fs.realpathSync(dir)}) or a new one.`);
  if (!stat.isDirectory()) throw new Error(`${flag} ${dir} is not a folder: name a new or empty folder.`);
  const names = fs.readdirSync(dir);
  if (names.length === 0 || names.includes(OUTPUT_MARKER) || ownedBefore(names)) return;
  const shown = names.slice(0, 3).join(', ') + (names.length > 3 ? `, … (${names.length} entries)` : '');
  throw new Error(
    `${flag} ${path.resolve(dir)} holds files this project did not write (${shown}), which it would replace or mix with its own. ` +
      'Name a new or empty folder, or one this project wrote before.',
  );
}

/** Marks `dir` (which exists) as this project's, so later runs may replace it. */
export function markOutputFolder(dir: string, writer: string): void {
  const marker = path.join(dir, OUTPUT_MARKER);
  if (!fs.existsSync(marker)) {
    fs.writeFileSync(marker, `Written by bnn-geometry (${writer}); a later run may replace this folder and what it holds.\n`);
  }
}

/** Removes `dir` when it holds nothing but the marker: a folder a run created, then failed before writing into. */
export function removeUnusedFolder(dir: string): void {
  const names = fs.readdirSync(dir);
  if (names.every((n) => n === OUTPUT_MARKER)) fs.rmSync(dir, { recursive: true, force: true });
}
