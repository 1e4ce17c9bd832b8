/**
 * The engines the packed tests run: wasm, and the native kernels on every instruction set this CPU
 * has. Native is optional for users, but not here: where g++ is installed on x64, a native build
 * that fails is an error, not a skip.
 */
import { spawnSync } from 'node:child_process';
import { PackedEngine } from '../../lib/packed/engine';
import { PackedModel } from '../../lib/packed/model';
import { Isa, loadNative, nativeEngine } from '../../lib/packed/native';
import { wasmEngine } from '../../lib/packed/wasm-engine';

/** True where the native kernels should build: x64 with a C++ compiler. */
export function nativeExpected(): boolean {
  return process.arch === 'x64' && spawnSync(process.env.CXX || 'g++', ['--version']).status === 0;
}

/** The instruction sets the native kernels run here (none without them); throws where they should have built. */
export function nativeIsas(): Isa[] {
  const native = loadNative();
  if ('missing' in native) {
    if (nativeExpected()) throw new Error(`the native kernels did not build or load here, though g++ is installed: ${native.missing}`);
    return [];
  }
  return native.addon.isas;
}

/** Openers of every engine to compare with the reference, on `threads` threads. */
function enginesToTest(model: PackedModel, threads: number): (() => Promise<PackedEngine>)[] {
  return [() => wasmEngine(model, threads), ...nativeIsas().map((isa) => () => Promise.resolve(nativeEngine(model, { threads, isa })))];
}

/** Every engine's logits equal `expected` bit for bit; returns the engines' descriptions. */
export async function assertEnginesMatch(
  model: PackedModel, images: Float32Array, count: number, expected: Float32Array, threads: number[], fail: (message: string) => never,
): Promise<string[]> {
  const ran: string[] = [];
  for (const t of threads) {
    for (const open of enginesToTest(model, t)) {
      const engine = await open();
      try {
        const got = await engine.logits(images, count);
        if (got.length !== expected.length) fail(`${engine.description}: ${got.length} logits, expected ${expected.length}`);
        for (let j = 0; j < got.length; j++) if (!Object.is(got[j], expected[j])) fail(`${engine.description}, logit ${j}: ${got[j]} vs ${expected[j]}`);
        ran.push(engine.description);
      } finally {
        await engine.close();
      }
    }
  }
  return ran;
}
