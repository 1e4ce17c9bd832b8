/**
 * The connection to the notebook: tslab's display-data writer when this code runs inside a tslab
 * kernel, or a writer injected with setDisplayWriter (tests, other front ends).
 */

/** Content of a Jupyter `display_data` / `update_display_data` message (messaging protocol 5.1+). */
export interface DisplayBundle {
  /** MIME type → representation: a string, or a JSON object for `application/…+json` types. */
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  /** `display_id` names an output that later `update_display_data` messages replace in place. */
  transient: { display_id?: string };
}

/** Sends a bundle; `update` selects `update_display_data` (replace the output with the same display_id). */
export type DisplayWriter = (bundle: DisplayBundle, update: boolean) => void;

/** tslab 1.0.22 keeps the writer of the executing cell in this module's `lastWriteDisplayData`. */
const TSLAB_JUPYTER_MODULE = 'tslab/dist/jupyter';

let injectedWriter: DisplayWriter | null | undefined;

/**
 * Overrides notebook detection: a writer receives every bundle, null means "not in a notebook",
 * undefined restores detection of the tslab kernel.
 */
export function setDisplayWriter(writer: DisplayWriter | null | undefined): void {
  injectedWriter = writer;
}

/** The writer for the current notebook cell, or undefined outside a notebook. */
export function notebookWriter(): DisplayWriter | undefined {
  if (injectedWriter !== undefined) {
    return injectedWriter ?? undefined;
  }
  return tslabWriter();
}

function tslabWriter(): DisplayWriter | undefined {
  let modulePath: string;
  try {
    modulePath = require.resolve(TSLAB_JUPYTER_MODULE);
  } catch {
    return undefined;
  }
  // Only a running kernel has loaded the module; requiring it here would load zeromq for nothing.
  const loaded = require.cache[modulePath] as { exports?: { lastWriteDisplayData?: unknown } } | undefined;
  const write = loaded?.exports?.lastWriteDisplayData;
  return typeof write === 'function' ? (write as DisplayWriter) : undefined;
}
