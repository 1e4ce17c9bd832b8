/**
 * `npm run classify -- --model FILE --dataset NAME`: a packed model on a dataset's test split:
 * accuracy and images per second, without TensorFlow. With --compare DIR, also runs the float
 * network of that checkpoint and counts the images whose prediction or logits differ.
 */
import * as os from 'node:os';
import { parseArgs } from 'node:util';
import { checkDatasetName } from '../data/datasets';
import { loadDataset } from '../data';
import { classifyPacked } from '../packed/classify';
import { PackedEngine } from '../packed/engine';
import { KERNELS_NAMES, KernelsName, openEngine } from '../packed/open';
import { loadPacked } from '../packed/format';
import { formatBinaryBytes } from '../display/format';
import { initBackend } from '../backend';
import { LabeledImages } from '../model/batches';
import { disposeNetwork } from '../model/network';
import { compareLayerBits, compareLogits } from '../packed/compare';
import { PackedModel } from '../packed/model';
import { loadCheckpoint } from '../train/checkpoint';
import { accuracyPercent } from '../train/report';
import { runCli } from './run-cli';

export const CLASSIFY_USAGE = `Classify a dataset's test images with a packed binary or ternary network (npm run pack): accuracy and img/s.

Usage: npm run classify -- --model FILE --dataset NAME [flags]

  --model FILE        packed model file (npm run pack -- --checkpoint DIR --out FILE)
  --dataset NAME      mnist | fashion-mnist | cifar10
  --data-dir DIR      folder holding the dataset's files (default: data/<dataset>, then system folders)
  --limit N           the first N test images only
  --batch-size N      images per batch (default 500)
  --kernels NAME      ${KERNELS_NAMES.join(' | ')} (default auto: native where it
                      builds, on the best instruction set of this CPU, else wasm)
  --threads N         threads of the native and wasm kernels (default: one per core)
  --compare DIR       also run the float network of checkpoint DIR (needs TensorFlow.js) and count
                      the images whose predictions or logits differ from the packed network's
  --layers            with --compare: also count, per layer, the activation bits that differ
                      (reference kernels: slow, minutes for 10 000 images)
Environment: BNN_PACKED_ISA=avx512|avx2|scalar forces the native kernels' instruction set.
  -h, --help          this text
`;

export interface ClassifyCommand {
  model: string;
  dataset: string;
  dataDir?: string;
  limit?: number;
  batchSize: number;
  kernels: KernelsName;
  threads?: number;
  compare?: string;
  layers: boolean;
  help: boolean;
}

function wholeNumber(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text.trim()) || Number(text) === 0) throw new Error(`--${flag} takes a whole number ≥ 1; got '${text}'.`);
  return Number(text);
}

/** At most one thread per core: more only adds each thread's working memory (gigabytes at 64). */
function threadCount(threads: number | undefined): number | undefined {
  const cores = os.availableParallelism();
  if (threads !== undefined && threads > cores) throw new Error(`--threads takes at most ${cores}, the cores of this machine; got ${threads}.`);
  return threads;
}

export function parseClassifyArgs(argv: string[]): ClassifyCommand {
  const { values: v } = parseArgs({
    args: argv,
    strict: true,
    options: {
      model: { type: 'string' }, dataset: { type: 'string' }, 'data-dir': { type: 'string' }, limit: { type: 'string' },
      'batch-size': { type: 'string' }, kernels: { type: 'string' }, threads: { type: 'string' }, compare: { type: 'string' }, layers: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (!v.help && !v.model) throw new Error('--model FILE is required (a file written by npm run pack).');
  if (!v.help && !v.dataset) throw new Error('--dataset NAME is required.');
  if (v.layers && !v.compare) throw new Error('--layers compares with the float network: give --compare DIR too.');
  const kernels = v.kernels ?? 'auto';
  if (!(KERNELS_NAMES as readonly string[]).includes(kernels)) throw new Error(`--kernels takes one of: ${KERNELS_NAMES.join(', ')}; got '${kernels}'.`);
  return {
    model: v.model ?? '',
    dataset: v.help ? '' : checkDatasetName(v.dataset ?? ''),
    dataDir: v['data-dir'],
    limit: wholeNumber('limit', v.limit),
    batchSize: wholeNumber('batch-size', v['batch-size']) ?? 500,
    kernels: kernels as KernelsName,
    threads: threadCount(wholeNumber('threads', v.threads)),
    compare: v.compare,
    layers: Boolean(v.layers),
    help: Boolean(v.help),
  };
}

export interface ClassifyOutcome {
  accuracy: number;
  imagesPerSecond: number;
  images: number;
  /** With --compare: images whose predicted class, or whose logits, differ from the float network's. */
  predictionDifferences?: number;
  logitDifferences?: number;
  floatAccuracy?: number;
  /** With --layers: per layer, activation bits compared and bits that differ. */
  layerBits?: { name: string; bits: number; differ: number }[];
}

export async function runClassify(cmd: ClassifyCommand, log: (line: string) => void = console.log): Promise<ClassifyOutcome> {
  const { model, bytes } = loadPacked(cmd.model);
  const [h, w, c] = model.config.inputShape;
  const data = await loadDataset(cmd.dataset, { dir: cmd.dataDir, limit: cmd.limit });
  const test = data.test;
  if (test.shape.join() !== [h, w, c].join()) {
    throw new Error(`${cmd.model} takes ${h}×${w}×${c} images but ${cmd.dataset} has ${test.shape.join('×')}; pick the dataset it was trained on.`);
  }
  const engine: PackedEngine = await openEngine(model, { kernels: cmd.kernels, threads: cmd.threads });
  log(`model: ${cmd.model} (${formatBinaryBytes(bytes)}), kernels: ${engine.description}`);
  const predictions = new Int32Array(test.count);
  let seconds: number;
  let correct: Uint8Array;
  try {
    const t0 = process.hrtime.bigint();
    correct = await classifyPacked(model, test, {
      batchSize: cmd.batchSize,
      engine,
      onPredictions: (p, start) => predictions.set(p, start),
    });
    seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  } finally {
    await engine.close();
  }
  const accuracy = correct.reduce((a, b) => a + b, 0) / test.count;
  const imagesPerSecond = test.count / seconds;
  log(`${cmd.dataset} test: accuracy ${accuracyPercent(accuracy)} on ${test.count} images, ${Math.round(imagesPerSecond)} img/s (${seconds.toFixed(2)} s)`);
  const outcome: ClassifyOutcome = { accuracy, imagesPerSecond, images: test.count };
  if (cmd.compare) Object.assign(outcome, await compareWithFloat(cmd, model, test, predictions, log));
  return outcome;
}

/** Runs the float network of a checkpoint on the same images and counts differences. */
async function compareWithFloat(
  cmd: ClassifyCommand,
  model: PackedModel,
  test: LabeledImages,
  predictions: Int32Array,
  log: (line: string) => void,
): Promise<Partial<ClassifyOutcome>> {
  const dir = cmd.compare!;
  const backend = await initBackend();
  const ck = loadCheckpoint(dir, model.config);
  const engine = await openEngine(model, { kernels: cmd.kernels, threads: cmd.threads });
  try {
    const r = await compareLogits(ck.net, engine, test, cmd.batchSize);
    const packedPredictionDiff = r.floatPredictions.reduce((n, p, i) => n + (p !== predictions[i] ? 1 : 0), 0);
    log(`float network ${dir} (${backend.description}): accuracy ${accuracyPercent(r.floatAccuracy)}`);
    log(`  images whose predicted class differs from the packed network's: ${packedPredictionDiff} of ${test.count}`);
    log(`  images whose logits differ (bit for bit): ${r.logitDifferences} of ${test.count}`);
    let layerBits;
    if (cmd.layers) {
      layerBits = compareLayerBits(ck.net, model, test);
      for (const l of layerBits) log(`  ${l.name}: ${l.differ} of ${l.bits} activation bits differ`);
    }
    return { predictionDifferences: packedPredictionDiff, logitDifferences: r.logitDifferences, floatAccuracy: r.floatAccuracy, layerBits };
  } finally {
    await engine.close();
    disposeNetwork(ck.net);
  }
}

/** Entry point of `npm run classify`. */
export function main(): Promise<void> {
  return runCli('classify', CLASSIFY_USAGE, parseClassifyArgs, (cmd) => runClassify(cmd));
}
