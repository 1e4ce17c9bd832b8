/** Lets pending I/O run (notebook display updates, Ctrl-C) between batches of synchronous tensor work. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
