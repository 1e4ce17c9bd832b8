/**
 * Executes a notebook through real Jupyter (nbclient, driven by scripts/run_notebook.py) and
 * streams its per-cell progress; a failing cell rejects with that cell's error.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { packageRoot } from '../util/package-root';
import { findNbclientPython } from './jupyter-env';

const DRIVER = path.join(packageRoot(), 'scripts', 'run_notebook.py');

export type NotebookEvent =
  | { event: 'start'; cells: number }
  | { event: 'cell'; index: number; cells: number; first_line: string }
  | { event: 'done' }
  | { event: 'error'; index: number; ename: string; evalue: string; traceback: string };

export interface RunNotebookOptions {
  input: string;
  output: string;
  /** The kernel's working directory (the notebook's folder, so '../dist' imports resolve). */
  workdir: string;
  env: NodeJS.ProcessEnv;
  timeoutSeconds: number;
  onEvent: (e: NotebookEvent) => void;
}

/** Thrown when a cell fails: the message names the cell and its error; `executed` is the notebook as run so far. */
export class NotebookCellError extends Error {
  constructor(message: string, readonly executed: string) {
    super(message);
  }
}

export async function runNotebook(o: RunNotebookOptions): Promise<void> {
  const python = findNbclientPython();
  const child = spawn(python, [DRIVER, o.input, o.output, o.workdir, String(o.timeoutSeconds)], {
    env: o.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let failure: NotebookEvent | undefined;
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = readline.createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    let event: NotebookEvent;
    try {
      event = JSON.parse(line) as NotebookEvent;
    } catch {
      return; // not one of the driver's events
    }
    if (event.event === 'error') failure = event;
    o.onEvent(event);
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (failure?.event === 'error') {
    const traceback = stripAnsi(failure.traceback).trimEnd();
    throw new NotebookCellError(
      `${path.basename(o.input)}: cell ${failure.index} failed: ${failure.ename}: ${failure.evalue}${traceback ? `\n${traceback}` : ''}`,
      o.output,
    );
  }
  if (code !== 0) throw new Error(`${path.basename(o.input)}: the notebook runner exited with ${code}.\n${stderr.trim()}`);
}

function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}
