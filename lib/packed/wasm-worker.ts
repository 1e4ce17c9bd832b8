/** Worker thread of the wasm engine: one WasmCore, logits for the images it is sent. */
import { parentPort, workerData } from 'node:worker_threads';
import { deserializePacked } from './format';
import { WasmCore } from './wasm-engine';

const core = new WasmCore(deserializePacked((workerData as { modelBytes: Uint8Array }).modelBytes).model);
parentPort!.on('message', (m: { id: number; images: Float32Array; count: number }) => {
  try {
    const logits = core.logits(m.images, m.count);
    parentPort!.postMessage({ id: m.id, logits }, [logits.buffer]);
  } catch (err) {
    parentPort!.postMessage({ id: m.id, error: (err as Error).message });
  }
});
