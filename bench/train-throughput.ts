/**
 * Training and inference throughput (images/s, batch 50) of the two reference networks on every
 * backend that loads (tensorflow, wasm), and inference of their packed form, binary and ternary
 * (XNOR–popcount kernels, lib/packed/, on native for each instruction set the CPU has and on wasm;
 * 'packed' as an argument selects it), side by side with two references of the same networks and
 * step measured in the same run: PyTorch (bench/pytorch_reference.py; its float inference is also the
 * packed rows' base, and on a CPU with AVX-512 the AVX2 rows' also PyTorch's kept to AVX2) and
 * TensorFlow from Python with the whole step in one graph (bench/tensorflow_reference.py: the engine
 * tfjs-node runs, without tfjs's per-op dispatch). Speeds
 * differ between machines of one kind, so only ratios measured together mean anything; and a
 * machine's speed drifts within minutes, so each backend is measured just before and just after the
 * references, and its rate is the mean of the two (a steady drift then biases no ratio).
 *
 *   npm run bench -- train-throughput            all networks, all backends
 *   … bench/train-throughput.ts small wasm       only those
 *
 * BNN_PYTHON names the Python with torch and tensorflow (default python3); see REFERENCE_SETUP.
 */
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendName } from '../lib/backend';
import { PYTHON_ENV, pythonCommand } from '../lib/backend/tensorflow-library';
import { ArchitectureOptions, makeConfig } from '../lib/model/config';
import { createNetwork, disposeNetwork, forward } from '../lib/model/network';
import { ScheduledAdam } from '../lib/train/optimizer';
import { trainStep } from '../lib/train/train';
import { loadNative } from '../lib/packed/native';
import { KernelsName, openEngine } from '../lib/packed/open';
import { packNetwork } from '../lib/packed/pack';

const NETWORKS: Record<'small' | 'paper', ArchitectureOptions> = {
  small: { inputShape: [28, 28, 1], classes: 10, conv: [32, 64, 128], maxPool: [true, true, false], fc: [256] },
  paper: {
    inputShape: [32, 32, 3], classes: 10, conv: [128, 128, 256, 256, 512, 512],
    maxPool: [false, true, false, true, false, true], fc: [1024, 1024],
  },
};
type NetworkName = keyof typeof NETWORKS;
type Phase = 'train' | 'inference';

/** The cpu backend is left out: it is for tests only (minutes per paper-network step). */
const BACKENDS: BackendName[] = ['tensorflow', 'wasm'];
const BATCH = 50;
/** Seconds of timed calls per measurement: the paper network needs longer for a stable mean. */
const SECONDS: Record<NetworkName, number> = { small: 5, paper: 20 };

/** Seconds per call of fn, after one warm-up call, over at least minSeconds. */
function timePerCall(fn: () => void, minSeconds: number): number {
  fn();
  let calls = 0;
  const start = performance.now();
  while (performance.now() - start < minSeconds * 1000 || calls < 2) {
    fn();
    calls++;
  }
  return (performance.now() - start) / 1000 / calls;
}

type Rates = Record<Phase, number>;
interface Reference extends Rates {
  /** e.g. "PyTorch 2.13", "TF-graph 2.21". */
  label: string;
}

/** How to get a Python with both references (system Pythons refuse pip install outside a venv, PEP 668). */
const REFERENCE_SETUP = `python3 -m venv .bench-venv && .bench-venv/bin/pip install --retries 0 --timeout 5 torch tensorflow-cpu==2.21.0, ` +
  `then ${PYTHON_ENV}=.bench-venv/bin/python npm run bench`;

/** The Python scripts measuring the same networks and step on another engine. */
const REFERENCES = [
  { name: 'PyTorch', script: 'pytorch_reference.py', versionKey: 'torch', package: 'torch' },
  { name: 'TF-graph', script: 'tensorflow_reference.py', versionKey: 'tensorflow', package: 'tensorflow' },
] as const;

/**
 * Keeps a reference's kernels (oneDNN's and ATen's) to AVX2, as on an AVX2-only machine: on a CPU
 * with AVX-512 the fair base for the packed AVX2 rows, since PyTorch there runs AVX-512 kernels.
 */
const AVX2_ONLY_ENV = { ONEDNN_MAX_CPU_ISA: 'AVX2', ATEN_CPU_CAPABILITY: 'avx2' };

/** One reference's rates for one network (with its kernels kept to AVX2 if `avx2Only`), or why there are none (no Python, no package). */
function pythonReference(reference: (typeof REFERENCES)[number], name: NetworkName, avx2Only = false): Reference | { missing: string } {
  const python = pythonCommand();
  const spec = { name, ...makeConfig(NETWORKS[name]), batch: BATCH, seconds: SECONDS[name], threads: os.cpus().length };
  const env = avx2Only ? { ...process.env, ...AVX2_ONLY_ENV } : process.env;
  const run = spawnSync(python, [path.join(__dirname, reference.script), JSON.stringify(spec)], { encoding: 'utf8', env });
  if (run.status !== 0) {
    const why = run.error ? `${python} not found` : (run.stderr.trim().split('\n').pop() ?? `exit ${run.status}`);
    return { missing: `no ${reference.name} reference for ${name} (${why}); for it: ${REFERENCE_SETUP}` };
  }
  const result = JSON.parse(run.stdout) as Record<string, string | number>;
  const version = String(result[reference.versionKey]).split('.').slice(0, 2).join('.');
  return { label: `${reference.name} ${version}${avx2Only ? ' on AVX2' : ''}`, train: Number(result.train), inference: Number(result.inference) };
}

/** " (0.51x PyTorch 2.13 1992, 0.52x TF-graph 2.21 1952, same run)", or nothing without references. */
function versus(rate: number, references: readonly Reference[], phase: Phase): string {
  if (references.length === 0) return '';
  return ` (${references.map((r) => `${(rate / r[phase]).toFixed(2)}x ${r.label} ${format(r[phase])}`).join(', ')}, same run)`;
}

function measure(name: NetworkName): Rates {
  const arch = NETWORKS[name];
  const net = createNetwork(makeConfig(arch), 0);
  const optimizer = new ScheduledAdam(1e-3);
  const x = tf.randomNormal<tf.Rank.R4>([BATCH, ...arch.inputShape], 0, 1, 'float32', 1);
  const y = tf.tensor1d(Array.from({ length: BATCH }, (_, i) => i % arch.classes), 'int32');
  const rates = {
    train: BATCH / timePerCall(() => void trainStep(net, optimizer, x, y, 'hinge'), SECONDS[name]),
    inference: BATCH / timePerCall(() => tf.tidy(() => void forward(net, x, 'infer').dataSync()), SECONDS[name]),
  };
  tf.dispose([x, y]);
  optimizer.dispose();
  disposeNetwork(net);
  return rates;
}

/** Seconds per call of an async fn, after one warm-up call, over at least minSeconds. */
async function timePerCallAsync(fn: () => Promise<unknown>, minSeconds: number): Promise<number> {
  await fn();
  let calls = 0;
  const start = performance.now();
  while (performance.now() - start < minSeconds * 1000 || calls < 2) {
    await fn();
    calls++;
  }
  return (performance.now() - start) / 1000 / calls;
}

/** The ternary networks' threshold (run_bnn.py's default for --levels 3). */
const TERNARY_THRESHOLD = 0.02;

/** Inference img/s of the packed network (same architecture and seed; binary or ternary) on the packed kernels, all cores. */
async function measurePacked(name: NetworkName, ternary: boolean, kernels: KernelsName): Promise<{ rate: number; kernels: string }> {
  const arch = NETWORKS[name];
  const net = createNetwork(makeConfig(ternary ? { ...arch, levels: 3, threshold: TERNARY_THRESHOLD } : arch), 0);
  const model = packNetwork(net);
  disposeNetwork(net);
  const engine = await openEngine(model, { kernels });
  try {
    const size = arch.inputShape.reduce((a, b) => a * b, 1);
    const images = new Float32Array(BATCH * size).map((_, i) => Math.sin(0.37 * i));
    const seconds = await timePerCallAsync(() => engine.logits(images, BATCH), SECONDS[name]);
    return { rate: BATCH / seconds, kernels: engine.description };
  } finally {
    await engine.close();
  }
}

const format = (rate: number): string => rate.toFixed(rate < 100 ? 1 : 0);

export async function run(args: string[] = []): Promise<void> {
  const known = [...Object.keys(NETWORKS), ...BACKENDS, 'packed'];
  const unknown = args.filter((a) => !known.includes(a));
  if (unknown.length > 0) throw new Error(`Unknown argument ${unknown.join(', ')}; choose from ${known.join(', ')}.`);
  const networks = (Object.keys(NETWORKS) as NetworkName[]).filter((n) => !args.some((a) => a in NETWORKS) || args.includes(n));
  const anyBackend = args.some((a) => BACKENDS.includes(a as BackendName) || a === 'packed');
  const backends = BACKENDS.filter((b) => !anyBackend || args.includes(b));
  const packed = !anyBackend || args.includes('packed');

  console.log(`CPU: ${os.cpus()[0].model}, ${os.cpus().length} threads; batch ${BATCH}; PyTorch and TensorFlow use all threads`);
  const loaded: BackendName[] = [];
  for (const backend of backends) {
    try {
      console.log((await initBackend(backend)).description);
      loaded.push(backend);
    } catch (err) {
      console.log(`${backend}: skipped (${(err as Error).message})`);
    }
  }
  if (packed && loaded.length === 0) await initBackend(); // packing reads the weights through tfjs
  for (const name of networks) {
    const before = new Map<BackendName, Rates>();
    for (const backend of loaded) {
      await initBackend(backend);
      before.set(backend, measure(name));
    }
    const references: Reference[] = [];
    for (const reference of REFERENCES) {
      const result = pythonReference(reference, name);
      if ('missing' in result) console.log(result.missing);
      else {
        references.push(result);
        console.log(`${name} ${result.label}: train ${format(result.train)} img/s, inference ${format(result.inference)} img/s`);
      }
    }
    const pytorch = references.filter((r) => r.label.startsWith('PyTorch'));
    for (const backend of loaded) {
      await initBackend(backend);
      const after = measure(name);
      for (const phase of ['train', 'inference'] as const) {
        const [first, second] = [before.get(backend)![phase], after[phase]];
        const rate = (first + second) / 2;
        console.log(`${name} ${phase} ${backend} ${format(rate)} img/s${versus(rate, references, phase)} [${format(first)} before, ${format(second)} after the references]`);
      }
    }
    if (packed) {
      // Native on each instruction set this CPU has (where it builds), then the wasm kernels that need no compiler.
      const native = loadNative();
      if ('missing' in native) console.log(`${name}: no native packed kernels (${native.missing})`);
      const isas = 'missing' in native ? [] : native.addon.isas;
      const choices: KernelsName[] = [...isas.map((isa) => `native-${isa}` as const), 'wasm'];
      const avx2Base = isas.includes('avx512') && isas.includes('avx2') ? pythonReference(REFERENCES[0], name, true) : undefined;
      if (avx2Base && 'missing' in avx2Base) console.log(avx2Base.missing);
      else if (avx2Base) console.log(`${name} ${avx2Base.label} (${Object.entries(AVX2_ONLY_ENV).map(([k, v]) => `${k}=${v}`).join(' ')}): inference ${format(avx2Base.inference)} img/s`);
      for (const ternary of [false, true]) {
        for (const choice of choices) {
          const { rate, kernels } = await measurePacked(name, ternary, choice);
          const bases = choice === 'native-avx2' && avx2Base && !('missing' in avx2Base) ? [...pytorch, avx2Base] : pytorch;
          console.log(`${name} inference packed${ternary ? '-ternary' : ''}-${choice.replace('native-', '')} ${format(rate)} img/s${versus(rate, bases, 'inference')} [${kernels}]`);
        }
      }
    }
  }
}

if (require.main === module) {
  run(process.argv.slice(2)).catch((err: Error) => {
    console.error(err.message);
    process.exitCode = 1;
  });
}
