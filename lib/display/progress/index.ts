/** Progress of long loops: one model, shown as a notebook output in tslab and on the terminal elsewhere. */
import { notebookWriter } from '../jupyter';
import type { Progress } from './model';
import { notebookProgress, type NotebookProgressOptions } from './notebook';
import { terminalProgress, type TerminalProgressOptions } from './terminal';

export * from './model';
export { PROGRESS_FILE_ENV, PROGRESS_INTERVAL_MS, notebookProgress } from './notebook';
export { PROGRESS_LOG_INTERVAL_MS, terminalProgress, type ProgressStream } from './terminal';

export type ProgressOptions = NotebookProgressOptions & TerminalProgressOptions;

/**
 * A progress display labelled `label`: in a tslab notebook one output updated in place, elsewhere
 * (or when `stream` is given) a bar on a terminal or plain lines in a log.
 */
export function createProgress(label: string, options: ProgressOptions = {}): Progress {
  return options.stream === undefined && notebookWriter() !== undefined
    ? notebookProgress(label, options)
    : terminalProgress(label, options);
}
