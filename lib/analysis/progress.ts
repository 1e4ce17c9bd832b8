/** Progress reports of the long analyses, for a notebook's live display or a terminal line. */

export interface AnalysisProgress {
  /** What is running, e.g. 'dot products: ranges' or 'batch norm (conv2 unquantized)'. */
  stage: string;
  /** Steps finished in this stage (batches, layers or networks). */
  done: number;
  /** Steps in this stage. */
  total: number;
}

export type ProgressCallback = (progress: AnalysisProgress) => void;

/** Lets pending I/O run (notebook display updates, Ctrl-C) between batches of synchronous tensor work. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
