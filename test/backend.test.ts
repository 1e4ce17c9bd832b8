import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { BACKEND_ENV_VAR, initBackend, type BackendName } from '../lib/backend';
import { explainLoadFailure, packageDir } from '../lib/backend/tfjs-node-build';
import { createRng } from '../lib/stats/random';
import { WASM_THREADS_ENV_VAR } from '../lib/backend/wasm/threads';
import { assertClose, on, randomValues, runSnippet, TRAINING_FINGERPRINT, type Shape4 } from './backend-helpers';

/** Runs `compute` on wasm and on cpu and asserts the outputs agree. */
async function assertWasmMatchesCpu(what: string, compute: () => tf.Tensor[]): Promise<void> {
  assertClose(await on('wasm', compute), await on('cpu', compute), what);
}

/**
 * Runs `f` with the cpu backend's kernels `kernelNames` unregistered, so that a wasm kernel
 * falling back to them would throw: proof that the fast wasm path ran.
 */
function withoutCpuKernels<T>(kernelNames: string[], f: () => T): T {
  const saved = kernelNames.map((name) => {
    const config = tf.getKernel(name, 'cpu');
    assert.ok(config, `cpu has no ${name}`);
    tf.unregisterKernel(name, 'cpu');
    return config;
  });
  try {
    return f();
  } finally {
    saved.forEach((config) => tf.registerKernel(config));
  }
}

interface ConvCase {
  x: Shape4;
  kernel: number;
  outChannels: number;
  pad: 'same' | 'valid';
  stride?: number;
}

/** [dL/dx, dL/dw] of L = Σ conv2d(x, w) ⊙ r for seeded random x, w, r. */
function convGradients({ x: xShape, kernel, outChannels, pad, stride = 1 }: ConvCase): () => tf.Tensor[] {
  const rng = createRng(7);
  const wShape: Shape4 = [kernel, kernel, xShape[3], outChannels];
  const xValues = randomValues(rng, xShape);
  const wValues = randomValues(rng, wShape);
  return () => {
    const x = tf.tensor4d(xValues, xShape);
    const w = tf.tensor4d(wValues, wShape);
    const yShape = tf.conv2d(x, w, stride, pad).shape;
    const r = tf.tensor(randomValues(createRng(8), yShape), yShape);
    const loss = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad), r));
    return tf.grads(loss)([x, w]);
  };
}

/** dL/dx of L = Σ maxPool(x) ⊙ r for a seeded random r. */
function poolGradient(
  xValues: Float32Array,
  xShape: Shape4,
  size: number,
  stride: number,
  pad: 'same' | 'valid',
): () => tf.Tensor[] {
  return () => {
    const x = tf.tensor4d(xValues, xShape);
    const yShape = tf.maxPool(x, size, stride, pad).shape;
    const r = tf.tensor(randomValues(createRng(3), yShape), yShape);
    return [tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, size, stride, pad), r)))(x)];
  };
}

const caseName = (c: ConvCase) =>
  `x ${c.x.join('x')}, ${c.kernel}x${c.kernel} -> ${c.outChannels}, '${c.pad}'` + (c.stride ? `, stride ${c.stride}` : '');

/** Conv gradients on wasm, with the cpu fallback kernels removed so the fast path must run, vs cpu. */
async function assertFastConvGradientsMatchCpu(c: ConvCase): Promise<void> {
  const compute = convGradients(c);
  const wasm = await on('wasm', () => withoutCpuKernels(['Conv2DBackpropInput', 'Conv2DBackpropFilter'], compute));
  assertClose(wasm, await on('cpu', compute), caseName(c));
}

describe('backend', () => {
  let previous: BackendName;
  before(async () => {
    previous = (await initBackend()).name;
  });
  after(async () => {
    await initBackend(previous);
  });

  describe('wasm conv2d gradients match the cpu backend', () => {
    const shapes: { x: Shape4; outChannels: number }[] = [
      { x: [1, 7, 5, 1], outChannels: 2 }, // batch 1, one input channel, non-square (filter gradient by im2col)
      { x: [2, 6, 9, 3], outChannels: 4 }, // RGB-like, non-square (im2col)
      { x: [3, 8, 8, 5], outChannels: 6 }, // filter gradient as a conv
    ];
    for (const kernel of [1, 3, 5]) {
      for (const pad of ['same', 'valid'] as const) {
        for (const shape of shapes) {
          const c: ConvCase = { ...shape, kernel, pad };
          it(caseName(c), () => assertFastConvGradientsMatchCpu(c));
        }
      }
    }

    it('even kernels (asymmetric same padding) take the fast path too', async () => {
      for (const kernel of [2, 4]) {
        await assertFastConvGradientsMatchCpu({ x: [2, 7, 6, 3], kernel, outChannels: 3, pad: 'same' });
      }
    });

    it('stride 2 falls back to the cpu reference kernels and is still correct', async () => {
      for (const pad of ['same', 'valid'] as const) {
        const c: ConvCase = { x: [2, 9, 8, 3], kernel: 3, outChannels: 4, pad, stride: 2 };
        await assertWasmMatchesCpu(caseName(c), convGradients(c));
      }
    });
  });

  describe('wasm max-pool gradient matches the cpu backend', () => {
    it('sends the gradient of an all-negative window to its maximum (the built-in kernel drops it)', async () => {
      const x = Float32Array.from([-1, -2, -3, -4, -5, -6, -7, -8]);
      const [dx] = await on('wasm', () => {
        const t = tf.tensor4d(x, [1, 2, 4, 1]);
        const weights = tf.tensor4d([1, 2], [1, 1, 2, 1]);
        return [tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, 2, 2, 'same'), weights)))(t)];
      });
      assert.deepEqual(Array.from(dx), [1, 0, 2, 0, 0, 0, 0, 0]);
    });

    const cases: [Shape4, number, number, 'same' | 'valid'][] = [
      [[2, 8, 8, 3], 2, 2, 'same'], // windows tile the input: the 2×2 fast path
      [[2, 7, 5, 4], 2, 2, 'same'], // odd sizes: padded windows at the edges
      [[1, 7, 5, 2], 2, 2, 'valid'],
      [[2, 6, 7, 3], 3, 1, 'same'], // overlapping windows
      [[2, 9, 8, 2], 3, 2, 'valid'],
    ];
    for (const [shape, size, stride, pad] of cases) {
      const name = `x ${shape.join('x')}, ${size}x${size} stride ${stride} '${pad}'`;
      it(`${name}, normal inputs`, async () => {
        const values = randomValues(createRng(5), shape);
        await assertWasmMatchesCpu(name, poolGradient(values, shape, size, stride, pad));
      });
      it(`${name}, ±1 inputs (ties go to the first maximum)`, async () => {
        const values = randomValues(createRng(6), shape).map(Math.sign);
        await assertWasmMatchesCpu(name, poolGradient(values, shape, size, stride, pad));
      });
    }
  });

  describe('wasm matMul with transposed operands matches the cpu backend', () => {
    const rng = createRng(11);
    const a = randomValues(rng, [4, 3, 5]);
    const b = randomValues(rng, [4, 5, 3]);
    for (const transposeA of [false, true]) {
      for (const transposeB of [false, true]) {
        it(`2-D, transposeA ${transposeA}, transposeB ${transposeB}, with gradients`, async () => {
          await assertWasmMatchesCpu('matMul', () => {
            const x = tf.tensor2d(a.subarray(0, 15), transposeA ? [5, 3] : [3, 5]);
            const y = tf.tensor2d(b.subarray(0, 15), transposeB ? [3, 5] : [5, 3]);
            const f = (p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.square(tf.matMul(p, q, transposeA, transposeB)));
            return [tf.matMul(x, y, transposeA, transposeB), ...tf.grads(f)([x, y])];
          });
        });
      }
    }
    it('a wide operand: transposing the small operand and the product instead (X·W, dy·Wᵀ, Xᵀ·dy shapes)', async () => {
      const wide = randomValues(createRng(12), [6, 40]);
      await assertWasmMatchesCpu('wide matMul', () => {
        const w = tf.tensor2d(wide, [40, 6]);
        const small = tf.tensor2d(a.subarray(0, 12), [2, 6]);
        const tall = tf.tensor2d(wide, [6, 40]);
        const dy = tf.tensor2d(b.subarray(0, 12), [6, 2]);
        return [tf.matMul(small, tall), tf.matMul(small, w, false, true), tf.matMul(tall, dy, true, false)];
      });
    });
    it('3-D batched, both transposed', async () => {
      await assertWasmMatchesCpu('batched matMul', () => [
        tf.matMul(tf.tensor3d(a, [4, 5, 3]), tf.tensor3d(b, [4, 3, 5]), true, true),
      ]);
    });
  });

  it('a binary-network training step (conv, pool, batch norm, sign, hinge, cross-entropy, Adam) matches on wasm and cpu', async () => {
    const rng = createRng(21);
    const xValues = randomValues(rng, [4, 8, 8, 1]);
    const w1 = randomValues(rng, [3, 3, 1, 6]);
    const w2 = randomValues(rng, [4 * 4 * 6, 10]);
    const labels = [3, 1, 4, 1];
    const step = () => {
      const vars = [tf.variable(tf.tensor4d(w1, [3, 3, 1, 6])), tf.variable(tf.tensor2d(w2, [96, 10]))];
      const x = tf.tensor4d(xValues, [4, 8, 8, 1]);
      const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 10);
      const batchNorm = (t: tf.Tensor, axes: number[]) => {
        const { mean, variance } = tf.moments(t, axes, true);
        return tf.mul(tf.sub(t, mean), tf.rsqrt(tf.add(variance, 1e-4)));
      };
      // sign with the straight-through gradient 1_{|x| <= 1} (Courbariaux et al. 2016)
      const binarize = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
        const [t, save] = args as [tf.Tensor, tf.GradSaveFunc];
        save([t]);
        return {
          value: tf.sign(t),
          gradFunc: (dy: tf.Tensor, [s]: tf.Tensor[]) => tf.where(tf.greater(tf.abs(s), 1), tf.zerosLike(dy), dy),
        };
      });
      const loss = () => {
        const wb = tf.clipByValue(vars[0], -1, 1);
        let h: tf.Tensor = tf.conv2d(x, binarize(wb) as tf.Tensor4D, 1, 'same');
        h = binarize(batchNorm(tf.maxPool(h as tf.Tensor4D, 2, 2, 'same'), [0, 1, 2]));
        const logits = batchNorm(tf.matMul(tf.reshape(h, [4, 96]), vars[1]), [0]);
        const hinge = tf.mean(tf.square(tf.relu(tf.sub(1, tf.mul(logits, tf.sub(tf.mul(y, 2), 1))))));
        return tf.add<tf.Scalar>(hinge, tf.losses.softmaxCrossEntropy(y, logits));
      };
      const { value, grads } = tf.variableGrads(loss, vars);
      const gradients = vars.map((v) => grads[v.name]);
      // Adam's first step is ≈ lr·sign(g) for |g| >> ε, which amplifies float noise in tiny
      // gradients; a larger ε keeps the comparison well-conditioned.
      tf.train.adam(0.01, 0.9, 0.999, 1e-3).applyGradients(vars.map((v) => ({ name: v.name, tensor: grads[v.name] })));
      const updated = vars.map((v) => v.clone());
      vars.forEach((v) => v.dispose());
      return [value, ...gradients, ...updated];
    };
    await assertWasmMatchesCpu('training step', step);
  });

  it('the replacement wasm kernels leak no tensors or backend buffers (fast paths and fallback)', async () => {
    await initBackend('wasm');
    const convCases: ConvCase[] = [
      { x: [2, 6, 9, 3], kernel: 3, outChannels: 4, pad: 'same' },
      { x: [1, 7, 5, 1], kernel: 5, outChannels: 2, pad: 'valid' },
      { x: [2, 9, 8, 3], kernel: 3, outChannels: 4, pad: 'same', stride: 2 },
    ];
    const computations = [
      ...convCases.map(convGradients),
      poolGradient(randomValues(createRng(4), [2, 7, 5, 3]), [2, 7, 5, 3], 2, 2, 'same'),
      () => {
        const a = tf.tensor2d(randomValues(createRng(9), [6, 4]), [6, 4]);
        return tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.matMul(p, q, true, false)))([a, a]);
      },
    ];
    const run = () => computations.forEach((compute) => tf.dispose(tf.tidy(compute)));
    run();
    const count = () => [tf.memory().numTensors, tf.backend().numDataIds(), tf.findBackend('cpu').numDataIds()];
    const before = count();
    for (let i = 0; i < 5; i++) run();
    assert.deepEqual(count(), before);
  });

  describe('backend selection', () => {
    let savedEnv: string | undefined;
    beforeEach(() => {
      savedEnv = process.env[BACKEND_ENV_VAR];
      delete process.env[BACKEND_ENV_VAR];
    });
    afterEach(() => {
      if (savedEnv === undefined) delete process.env[BACKEND_ENV_VAR];
      else process.env[BACKEND_ENV_VAR] = savedEnv;
    });

    it('BNN_BACKEND forces a backend; an explicit argument overrides it', async () => {
      process.env[BACKEND_ENV_VAR] = 'cpu';
      assert.deepEqual(await initBackend(), { name: 'cpu', description: 'backend: cpu (slow: for tests only)' });
      assert.equal(tf.getBackend(), 'cpu');
      assert.equal((await initBackend('wasm')).name, 'wasm');
      assert.equal(tf.getBackend(), 'wasm');
      await initBackend('cpu');
      process.env[BACKEND_ENV_VAR] = 'wasm';
      assert.match((await initBackend()).description, /^backend: wasm \((no )?SIMD, \d+ threads?; chosen by BNN_BACKEND=wasm\)$/);
    });

    it('rejects an unknown name in BNN_BACKEND or the argument, naming the valid ones', async () => {
      process.env[BACKEND_ENV_VAR] = 'gpu';
      await assert.rejects(initBackend(), {
        message: "Unknown backend 'gpu' (from BNN_BACKEND=gpu); valid values are tensorflow, wasm, cpu.",
      });
      await assert.rejects(initBackend('webgl' as BackendName), {
        message: "Unknown backend 'webgl' (from the initBackend argument); valid values are tensorflow, wasm, cpu.",
      });
    });

    it('is idempotent: a second call returns the active line', async () => {
      const first = await initBackend('cpu');
      assert.deepEqual(first, { name: 'cpu', description: 'backend: cpu (slow: for tests only)' });
      assert.equal(await initBackend(), first);
    });
  });

  describe('why tfjs-node cannot load, in words that say what to do (explainLoadFailure)', () => {
    // The first lines of the errors that loading tfjs-node 4.22 throws, as Node and tfjs-node word them.
    const binding = '/x/node_modules/@tensorflow/tfjs-node/lib/napi-v8/tfjs_binding.node';
    it("the binding was never built: Node's 'Cannot find module' (the rest of the message is dropped)", () => {
      const explained = explainLoadFailure(`Cannot find module '${binding}'\nRequire stack:\n- /x/node_modules/@tensorflow/tfjs-node/dist/index.js`);
      assert.match(explained, /native binding is not built/);
      assert.ok(explained.includes(`Cannot find module '${binding}'`), explained);
      assert.doesNotMatch(explained, /Require stack/);
    });
    it("the binding was never built: tfjs-node's own check, which runs before Node's require", () => {
      // tfjs-node 4.22 (dist/index.js) tests fs.existsSync(bindingPath) and throws this itself.
      const message =
        `The Node.js native addon module (tfjs_binding.node) can not be found at path: ${binding}. \n` +
        "Please run command 'npm rebuild @tensorflow/tfjs-node --build-addon-from-source' to rebuild the native addon module.";
      const explained = explainLoadFailure(message);
      assert.match(explained, /native binding is not built/);
      assert.ok(explained.includes(binding), explained);
      assert.doesNotMatch(explained, /npm rebuild/, "tfjs-node's advice does not apply to a binding built by this project");
    });
    it('the TensorFlow library it was built against is gone', () => {
      const explained = explainLoadFailure('libtensorflow_cc.so.2: cannot open shared object file: No such file or directory');
      assert.match(explained, /TensorFlow library .*missing/);
      assert.match(explained, /libtensorflow_cc\.so\.2: cannot open shared object file/);
    });
    it('a TensorFlow that does not match the binding', () => {
      // As the dynamic loader words it (seen with LD_BIND_NOW=1 and a libtensorflow without the symbol).
      const explained = explainLoadFailure('/x/tfjs_binding.node: undefined symbol: TFE_TensorHandleDim, version tensorflow');
      assert.match(explained, /does not match the binding \(version mismatch/);
      assert.match(explained, /undefined symbol: TFE_TensorHandleDim/);
    });
    it('anything else is passed on as it is', () => {
      assert.match(explainLoadFailure('Something unexpected\nat line 2'), /^[^\n]*\(Something unexpected\)$/);
    });
  });

  describe('in a fresh process', () => {
    /**
     * Module hooks that make tfjs-node unloadable in a child process, as it fails for real. Each
     * goes before the snippet, which then chooses a backend automatically, prints its
     * description, forces tensorflow with BNN_BACKEND, and prints the error and which backend is
     * still active.
     */
    const hooks = {
      'not installed':
        "const Module = require('node:module'); const resolve = Module._resolveFilename;" +
        'Module._resolveFilename = function (request, ...rest) {' +
        '  if (/^@tensorflow\\/tfjs-node(-gpu)?(\\/|$)/.test(request)) {' +
        '    const err = new Error("Cannot find module \'" + request + "\'"); err.code = "MODULE_NOT_FOUND"; throw err;' +
        '  }' +
        '  return resolve.call(this, request, ...rest);' +
        '};',
      // The binding file is absent: tfjs-node's existence check, and Node's require if it got that far.
      'binding missing':
        "const fs = require('node:fs'); const exists = fs.existsSync;" +
        "fs.existsSync = (p) => (String(p).endsWith('tfjs_binding.node') ? false : exists(p));" +
        "const Module = require('node:module'); const resolve = Module._resolveFilename;" +
        'Module._resolveFilename = function (request, ...rest) {' +
        "  if (String(request).endsWith('tfjs_binding.node')) {" +
        '    const err = new Error("Cannot find module \'" + request + "\'"); err.code = "MODULE_NOT_FOUND"; throw err;' +
        '  }' +
        '  return resolve.call(this, request, ...rest);' +
        '};',
      // A real copy of the binding in an empty folder: its rpath ($ORIGIN/../../deps/lib) finds no
      // TensorFlow there, so the dynamic loader itself fails, as when the TensorFlow it was built against is deleted.
      'TensorFlow library missing':
        "const fs = require('node:fs'); const os = require('node:os'); const path = require('node:path');" +
        "const Module = require('node:module'); const resolve = Module._resolveFilename;" +
        "const copyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bnn-binding-'));" +
        "process.on('exit', () => fs.rmSync(copyDir, { recursive: true, force: true }));" +
        'Module._resolveFilename = function (request, ...rest) {' +
        '  const resolved = resolve.call(this, request, ...rest);' +
        "  if (!resolved.endsWith('tfjs_binding.node')) return resolved;" +
        "  const copy = path.join(copyDir, 'lib', path.basename(path.dirname(resolved)), 'tfjs_binding.node');" +
        '  fs.mkdirSync(path.dirname(copy), { recursive: true }); fs.copyFileSync(resolved, copy);' +
        '  return copy;' +
        '};',
    };
    const chooseThenForce =
      "const tf = require('@tensorflow/tfjs'); const { initBackend } = require('./lib/backend');" +
      '(async () => {' +
      '  console.log((await initBackend()).description);' +
      "  process.env.BNN_BACKEND = 'tensorflow';" +
      "  await initBackend().then(() => console.log('no error'), (err) => console.log(err.message));" +
      '  console.log(tf.getBackend());' +
      '})();';
    const whyNot: Record<keyof typeof hooks, RegExp> = {
      'not installed': /tfjs-node not installed/,
      'binding missing': /tfjs-node cannot be used: [^\n]*tfjs_binding\.node/,
      'TensorFlow library missing':
        /tfjs-node cannot be used: the TensorFlow library it was built against is missing \(libtensorflow\w*\.so\.2: cannot open shared object file: No such file or directory\)/,
    };
    // The hooks break an installed tfjs-node: all but the first need the package, the last its built binding.
    const tfjsNodeDir = packageDir('@tensorflow/tfjs-node', path.resolve(__dirname, '..'));
    const needs: Record<keyof typeof hooks, boolean> = {
      'not installed': true,
      'binding missing': tfjsNodeDir !== undefined,
      'TensorFlow library missing':
        tfjsNodeDir !== undefined &&
        fs.existsSync(path.join(tfjsNodeDir, 'lib')) &&
        fs.readdirSync(path.join(tfjsNodeDir, 'lib'), { withFileTypes: true }).some((d) => fs.existsSync(path.join(tfjsNodeDir, 'lib', d.name, 'tfjs_binding.node'))),
    };
    for (const [problem, hook] of Object.entries(hooks) as [keyof typeof hooks, string][]) {
      it(`tfjs-node ${problem}: the automatic choice falls back to wasm and says why; BNN_BACKEND=tensorflow is an error saying what to do`, function () {
        if (!needs[problem]) this.skip(); // nothing installed to break
        const { stdout } = runSnippet(hook + chooseThenForce, { [BACKEND_ENV_VAR]: undefined, LD_LIBRARY_PATH: undefined });
        const [description, error, stillActive, ...rest] = stdout.trim().split('\n');
        assert.deepEqual(rest, [], stdout);
        assert.match(description, /^backend: wasm \((no )?SIMD, \d+ threads?; (.*)\)$/);
        assert.match(description, whyNot[problem]);
        assert.match(error, /^Backend 'tensorflow' \(requested by BNN_BACKEND=tensorflow\) is not available: /);
        assert.match(error, whyNot[problem]);
        assert.match(error, /To use it, run `npm run setup-tensorflow` .*or choose another backend\.$/);
        assert.equal(stillActive, 'wasm', 'a failed request leaves the active backend alone');
      });
    }

    it('runs wasm on several threads, with results identical to one thread, and exits cleanly', () => {
      const run = (threads: string) => runSnippet(TRAINING_FINGERPRINT, { [BACKEND_ENV_VAR]: 'wasm', [WASM_THREADS_ENV_VAR]: threads });
      const [oneDescription, oneHash] = run('1').stdout.trim().split('\n');
      const [twoDescription, twoHash] = run('2').stdout.trim().split('\n');
      assert.equal(oneDescription, 'backend: wasm (SIMD, 1 thread; chosen by BNN_BACKEND=wasm)');
      assert.equal(twoDescription, 'backend: wasm (SIMD, 2 threads; chosen by BNN_BACKEND=wasm)');
      assert.match(oneHash, /^[0-9a-f]{64}$/);
      assert.equal(twoHash, oneHash, 'two threads changed the trained weights');
    });

    it('rejects a BNN_WASM_THREADS that is not a positive integer', () => {
      const { stdout } = runSnippet(
        "require('./lib/backend').initBackend('wasm').catch((err) => console.log(err.message));",
        { [WASM_THREADS_ENV_VAR]: 'two' },
      );
      assert.equal(stdout.trim(), 'BNN_WASM_THREADS=two is not a positive integer; set it to e.g. 1 or 2, or unset it.');
    });

    it("silences tfjs's 'install tfjs-node' banner, which plain tfjs prints", () => {
      const banner = /install our node backend/;
      const plain = runSnippet(
        "const tf = require('@tensorflow/tfjs'); tf.setBackend('cpu').then(() => tf.tensor([1]).print());",
      );
      assert.match(plain.stderr, banner, 'control: the banner exists, so its absence below means something');
      const ours = runSnippet(
        "const tf = require('@tensorflow/tfjs'); require('./lib/backend').initBackend()" +
          '.then((info) => { console.log(info.description); tf.tensor([1]).print(); });',
        { [BACKEND_ENV_VAR]: 'cpu' },
      );
      assert.match(ours.stdout, /backend: cpu \(slow: for tests only\)/);
      assert.doesNotMatch(ours.stderr, banner);
    });
  });
});
