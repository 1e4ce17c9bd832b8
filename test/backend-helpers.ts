/** Helpers shared by the backend tests: comparing backends, and running code in a fresh Node process. */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendName } from '../lib/backend';
import { normalArray, type Rng } from '../lib/stats/random';

/** Results on wasm or tensorflow must match the cpu backend to this, relative to the largest |value|. */
export const RELATIVE_TOLERANCE = 1e-4;

export type Shape4 = [number, number, number, number];

export function randomValues(rng: Rng, shape: number[]): Float32Array {
  return Float32Array.from(normalArray(rng, shape.reduce((a, b) => a * b, 1)));
}

/** max |actual - expected| / max |expected|: a scale-free error that ignores near-zero entries. */
export function relativeError(actual: Float32Array, expected: Float32Array): number {
  assert.equal(actual.length, expected.length, 'length');
  let maxDiff = 0;
  let maxRef = 0;
  for (let i = 0; i < expected.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(actual[i] - expected[i]));
    maxRef = Math.max(maxRef, Math.abs(expected[i]));
  }
  assert.ok(maxRef > 0, 'reference is all zeros, so the comparison would prove nothing');
  // NaN anywhere makes maxDiff NaN and the caller's `err <= tolerance` false.
  return actual.some(Number.isNaN) || expected.some(Number.isNaN) ? NaN : maxDiff / maxRef;
}

/** Asserts that every output is within RELATIVE_TOLERANCE of its reference. */
export function assertClose(actual: Float32Array[], expected: Float32Array[], what: string): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((a, i) => {
    const err = relativeError(a, expected[i]);
    assert.ok(err <= RELATIVE_TOLERANCE, `${what}, output ${i}: relative error ${err.toExponential(2)}`);
  });
}

/** Runs `compute` on `backend` and returns its outputs as arrays (tensors disposed). */
export async function on(backend: BackendName, compute: () => tf.Tensor[]): Promise<Float32Array[]> {
  await initBackend(backend);
  return tf.tidy(compute).map((t) => {
    const values = t.dataSync() as Float32Array;
    t.dispose();
    return values;
  });
}

/**
 * Hooks for a describe block that runs on tfjs-node: switches to it before (skipping the block,
 * with the reason, where it cannot load) and back to the previous backend after.
 */
export function onTensorflowBackend(): void {
  let previous: BackendName | undefined;
  before(async function () {
    previous = (await initBackend()).name;
    try {
      await initBackend('tensorflow');
    } catch (err) {
      console.log(`      skipped: the tensorflow backend cannot load here. ${(err as Error).message}`);
      this.skip();
    }
  });
  after(async () => {
    if (previous !== undefined) await initBackend(previous);
  });
}

const root = path.resolve(__dirname, '..');

/**
 * Runs a TypeScript snippet in a new Node process (in the project folder); returns its stdout and
 * stderr. `env` adds to this process's environment; an undefined value removes the variable.
 */
export function runSnippet(code: string, env: NodeJS.ProcessEnv = {}): { stdout: string; stderr: string } {
  const childEnv = { ...process.env, ...env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete childEnv[k];
  // The timeout catches a child kept alive by worker threads after its work is done.
  const result = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', code], {
    cwd: root,
    env: childEnv,
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(result.error, undefined, `the child did not exit by itself: ${result.error}`);
  assert.equal(result.status, 0, result.stderr);
  return { stdout: result.stdout, stderr: result.stderr };
}

/**
 * A snippet that trains a small network two steps on the backend initBackend() picks; it prints
 * the backend's description, then a SHA-256 of every variable's bytes.
 */
export const TRAINING_FINGERPRINT =
  "const tf = require('@tensorflow/tfjs'); const { createHash } = require('node:crypto');" +
  "const { initBackend } = require('./lib/backend'); const { makeConfig } = require('./lib/model/config');" +
  "const { createNetwork } = require('./lib/model/network'); const { ScheduledAdam } = require('./lib/train/optimizer');" +
  "const { trainStep } = require('./lib/train/train');" +
  'initBackend().then((info) => {' +
  '  console.log(info.description);' +
  "  const net = createNetwork(makeConfig({ inputShape: [12, 12, 2], classes: 10, conv: [16, 32], maxPool: [true, false], fc: [64] }), 3);" +
  '  const opt = new ScheduledAdam(1e-3);' +
  "  const x = tf.randomNormal([20, 12, 12, 2], 0, 1, 'float32', 5);" +
  "  const y = tf.tensor1d(Array.from({ length: 20 }, (_, i) => i % 10), 'int32');" +
  "  for (let i = 0; i < 2; i++) trainStep(net, opt, x, y, 'hinge');" +
  "  const hash = createHash('sha256');" +
  '  for (const l of net.layers) for (const v of [l.weights, l.offset, l.movingMean, l.movingVariance]) hash.update(v.dataSync());' +
  "  console.log(hash.digest('hex'));" +
  '});';
