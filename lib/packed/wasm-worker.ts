/** Worker thread of the wasm engine: one WasmCore on the plan it is given, logits for the images it is sent. */
import { parentPort, workerData } from 'node:worker_threads';
import { EncodedPlan, WasmCore } from './wasm-engine';

const core = new WasmCore(workerData as EncodedPlan);
parentPort!.on('message', (m: { id: number; images: Float32Array; count: number }) => {
  try {
    const logits = core.logits(m.images, m.count);
    parentPort!.postMessage({ id: m.id, logits }, [logits.buffer]);
  } catch (err) {
    parentPort!.postMessage({ id: m.id, error: (err as Error).message });
  }
});
