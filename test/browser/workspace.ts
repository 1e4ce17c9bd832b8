/**
 * A throwaway copy of the notebooks in a folder laid out like a checkout (package.json, and links to
 * the real dist/ and node_modules/), so that a browser session can run, edit and save them while the
 * committed notebooks stay untouched: the kernel finds this checkout's tslab, and '../dist' resolves.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

export function notebookWorkspace(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bnn-lab-'));
  fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(dir, 'package.json'));
  for (const linked of ['dist', 'node_modules']) fs.symlinkSync(path.join(ROOT, linked), path.join(dir, linked));
  fs.cpSync(path.join(ROOT, 'notebooks'), path.join(dir, 'notebooks'), { recursive: true, filter: (src) => !src.includes('.ipynb_checkpoints') });
  return dir;
}
