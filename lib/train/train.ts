/**
 * The training loop of the original `_train_graph`: Adam with an exponentially decaying learning
 * rate, element-wise gradient clipping to [−1, 1], latent weights clipped to [−1, 1] after each
 * step, per-epoch validation, periodic checkpoints, and resume.
 */
import * as tf from '@tensorflow/tfjs';
import { CheckpointContents, EpochMetrics, NamedTensor, RunRecord, portableName, saveCheckpoint } from './checkpoint';
import { LabeledImages, checkFinite, checkImageShape, checkLabels, gatherImageBatch } from '../model/batches';
import { evaluate } from '../model/evaluate';
import { Network, forward, layerVariables, trainableVariables } from '../model/network';
import { createRng, shuffleInPlace } from '../stats/random';
import { chanceLoss, lossFunction } from '../model/loss';
import { ScheduledAdam, learningRateAt } from './optimizer';
import { graphTrainStep, readStepSummary, type StepSummary } from './graph-step';
import { TrainOptions, validateTrainOptions } from './options';
import { ensureDir } from '../util/ensure-dir';
import { lockFolder, type FolderLock } from '../util/lock';
import { weightGeometry, type LayerGeometry, type SignSnapshot } from '../analysis/geometry';

export type TrainEvent =
  | {
      kind: 'batch';
      epoch: number;
      epochs: number;
      batch: number;
      batches: number;
      /** Running means over the epoch so far. */
      loss: number;
      accuracy: number;
      imagesPerSecond: number;
      /** Seconds left in the whole run (this epoch's batches and the epochs after it, at this epoch's rate). */
      etaSeconds: number;
    }
  | ({ kind: 'epoch'; epochs: number } & EpochMetrics)
  | { kind: 'checkpoint'; epoch: number; dir: string };

export interface TrainRun {
  train: LabeledImages;
  validation: LabeledImages;
  options: TrainOptions;
  /** Folder for checkpoints; none are written without it. */
  checkpointDir?: string;
  /** Profile, dataset and subset, recorded in the checkpoints so a resume or a reader knows what was trained. */
  run?: RunRecord;
  /**
   * Continue from a checkpoint: epochs already done, their history, Adam's state (train disposes
   * it), and the checkpoint's folder (named as the last good checkpoint if training diverges).
   */
  resume?: { epoch: number; history: EpochMetrics[]; optimizer?: NamedTensor[]; dir?: string; initialGeometry?: LayerGeometry[] };
  onEvent?: (event: TrainEvent) => void;
  /** Polled after every batch; true stops training before the next batch (e.g. on Ctrl-C). */
  shouldStop?: () => boolean;
}

export interface TrainResult {
  history: EpochMetrics[];
  /** Epochs completed in total (including resumed ones). */
  epoch: number;
  stopped: boolean;
  lastCheckpoint?: string;
  /** The weights' geometry at initialisation (each epoch's is in history). */
  initialGeometry?: LayerGeometry[];
}

/** Thrown when training diverges (see {@link divergenceBound}); the last good checkpoint is left untouched. */
export class DivergenceError extends Error {}

/**
 * A loss this many times that of an all-zero output means training diverged, even when finite: the
 * batch-normalised outputs of a new network give 1–2 times it (squared hinge ≈ 1.8), and learning
 * only lowers it, while a runaway rate drives the unclipped batch-norm offsets to losses of 1e10.
 */
export const DIVERGED_LOSS_FACTOR = 100;

/** The loss above which training has diverged, for a loss and a number of classes. */
export function divergenceBound(loss: TrainOptions['loss'], classes: number): number {
  return DIVERGED_LOSS_FACTOR * chanceLoss(loss, classes);
}

/** Seconds between batch events, so progress displays are not flooded. */
const BATCH_EVENT_INTERVAL_S = 0.25;

/** W^c ← clip(W^c, −1, 1) for every layer. */
function clipLatentWeights(net: Network): void {
  for (const l of net.layers) l.weights.assign(tf.clipByValue(l.weights, -1, 1));
}

/**
 * One optimisation step on a batch; returns the loss, the number of correct predictions and whether
 * every output was finite (the hinge's relu can hide NaN outputs from the loss). Gradients are clipped
 * element-wise to [−1, 1] before Adam, latent weights to [−1, 1] after it (the original's clip_ops).
 * On tfjs-node the whole step is one TensorFlow graph (graph-step.ts), giving the same values.
 */
export function trainStep(net: Network, optimizer: ScheduledAdam, x: tf.Tensor4D, labels: tf.Tensor1D, loss: TrainOptions['loss']): StepSummary {
  if (optimizer.inGraph) return graphTrainStep(net, optimizer, x, labels, loss);
  const lossFn = lossFunction(loss);
  const variables = trainableVariables(net);
  const summary = tf.tidy(() => {
    let logits: tf.Tensor2D | undefined;
    const { value, grads } = tf.variableGrads(() => {
      logits = tf.keep(forward(net, x, 'train'));
      return lossFn(logits, labels, net.config.classes);
    }, variables);
    const clipped: tf.NamedTensorMap = {};
    for (const name of Object.keys(grads)) clipped[name] = tf.clipByValue(grads[name], -1, 1);
    optimizer.applyGradients(clipped);
    clipLatentWeights(net);
    const correct = tf.sum(tf.cast(tf.equal(tf.argMax(logits!, 1), labels), 'float32'));
    const sum = tf.sum(logits!);
    logits!.dispose();
    return tf.stack([value, correct, sum]); // one read back instead of three
  });
  return readStepSummary(summary);
}

/** Shuffle order of an epoch, seeded by (seed, epoch) so a resumed run sees the same batches. */
function epochOrder(count: number, seed: number, epoch: number): Int32Array {
  const order = Int32Array.from({ length: count }, (_, i) => i);
  shuffleInPlace(createRng((seed * 100003 + epoch) | 0), order);
  return order;
}

/** Trains `net` in place. Resolves when all epochs are done or shouldStop() turned true. */
export async function train(net: Network, run: TrainRun): Promise<TrainResult> {
  const o = validateTrainOptions(run.options);
  for (const [set, what] of [[run.train, 'training set'], [run.validation, 'validation set']] as const) {
    checkImageShape(set, net.config.inputShape, what);
    checkLabels(set, net.config.classes, what);
    checkFinite(set, what);
  }
  if (run.train.count < o.batchSize) {
    throw new Error(`The training set has ${run.train.count} images, fewer than one batch of ${o.batchSize}; lower batchSize.`);
  }
  // The latent weights' quantizer is exact only for |W^c| ≤ 1 (model/quantize.ts). Steps keep
  // them there; this changes only a new network whose Glorot bound exceeds 1 (fan-in + fan-out < 6).
  tf.tidy(() => clipLatentWeights(net));
  const optimizer = new ScheduledAdam(o.lrStart);
  if (run.resume?.optimizer) {
    await optimizer.setWeights(renameToNetwork(run.resume.optimizer, net));
    tf.dispose(run.resume.optimizer.map((t) => t.tensor)); // the optimizer holds its own references now
  }
  const [h, w, c] = run.train.shape;
  const session: Session = {
    net, run, o, optimizer,
    history: [...(run.resume?.history ?? [])],
    saved: run.resume?.dir === undefined ? undefined : { dir: run.resume.dir, epoch: run.resume.epoch },
    bound: divergenceBound(o.loss, net.config.classes),
    scratch: new Float32Array(o.batchSize * h * w * c),
    batches: Math.floor(run.train.count / o.batchSize), // the original drops the last partial batch
    ...startGeometry(net, run),
  };
  let epoch = run.resume?.epoch ?? 0;
  let lock: FolderLock | undefined;
  try {
    if (run.checkpointDir !== undefined) {
      ensureDir(run.checkpointDir);
      lock = lockFolder(run.checkpointDir); // a second writer is refused, not left to replace this run's checkpoints
    }
    while (epoch < o.epochs) {
      const metrics = await trainEpoch(session, epoch);
      if (metrics === undefined) return { history: session.history, epoch, stopped: true, lastCheckpoint: session.saved?.dir, initialGeometry: session.initialGeometry };
      epoch = metrics.epoch;
      // Read from the weights only: recording it changes nothing in training (a resume stays bit-exact).
      const geometry = weightGeometry(net, session.signs);
      session.signs = geometry.signs;
      metrics.geometry = geometry.layers;
      session.history.push(metrics);
      run.onEvent?.({ kind: 'epoch', epochs: o.epochs, ...metrics });
      await checkpointIfDue(session, epoch);
    }
    return { history: session.history, epoch, stopped: false, lastCheckpoint: session.saved?.dir, initialGeometry: session.initialGeometry };
  } finally {
    optimizer.dispose();
    lock?.release();
  }
}

/** What the epochs of one train() call share. */
interface Session {
  net: Network;
  run: TrainRun;
  o: TrainOptions;
  optimizer: ScheduledAdam;
  history: EpochMetrics[];
  /** The last good checkpoint: the latest this run saved, else the one it resumed from. */
  saved?: SavedCheckpoint;
  /** Loss above which training has diverged. */
  bound: number;
  /** Reused pixel buffer of one batch. */
  scratch: Float32Array;
  batches: number;
  /** The weights' geometry at initialisation (unknown when resuming a checkpoint saved before it was recorded). */
  initialGeometry?: LayerGeometry[];
  /** Wᵇ's signs at the last record, to count flips at the next. */
  signs: SignSnapshot;
}

/** The geometry record at the start: the initialisation's for a new run, the checkpoint's for a resume (whose signs count the next flips). */
function startGeometry(net: Network, run: TrainRun): Pick<Session, 'initialGeometry' | 'signs'> {
  const now = weightGeometry(net);
  return { initialGeometry: run.resume ? run.resume.initialGeometry : now.layers, signs: now.signs };
}

/**
 * Trains the 0-based `epoch` and scores the validation set; resolves to the epoch's metrics, or to
 * undefined when shouldStop() turned true. A diverged batch or epoch throws a DivergenceError.
 */
async function trainEpoch(s: Session, epoch: number): Promise<EpochMetrics | undefined> {
  const { net, run, o, batches } = s;
  const order = epochOrder(run.train.count, o.seed, epoch);
  const started = performance.now();
  let lastEvent = started;
  let lossSum = 0;
  let correct = 0;
  for (let b = 0; b < batches; b++) {
    s.optimizer.setLearningRate(learningRateAt(o, epoch + b / batches));
    const indices = order.subarray(b * o.batchSize, (b + 1) * o.batchSize);
    const x = gatherImageBatch(run.train, indices, s.scratch);
    const y = tf.tensor1d(Array.from(indices, (i) => run.train.labels[i]), 'int32');
    const { loss, correct: hits, outputsFinite } = trainStep(net, s.optimizer, x, y, o.loss);
    tf.dispose([x, y]);
    if (!(loss <= s.bound) || !outputsFinite) {
      throw new DivergenceError(
        `Training diverged at epoch ${epoch + 1}, batch ${b + 1}: the loss is ${loss}${overTheBound(loss, s)}` +
          (outputsFinite ? '. ' : ' and the network outputs are not finite. ') +
          `${lastGood(s.saved)} ${lowerTheRate(o, epoch, batches, b)} or check the input data for NaN.`,
      );
    }
    lossSum += loss;
    correct += hits;
    const now = performance.now();
    if (run.onEvent && (now - lastEvent > BATCH_EVENT_INTERVAL_S * 1000 || b === batches - 1)) {
      lastEvent = now;
      const rate = ((b + 1) * o.batchSize) / ((now - started) / 1000);
      run.onEvent({
        kind: 'batch', epoch: epoch + 1, epochs: o.epochs, batch: b + 1, batches,
        loss: lossSum / (b + 1), accuracy: correct / ((b + 1) * o.batchSize),
        imagesPerSecond: rate, etaSeconds: ((batches - b - 1 + (o.epochs - epoch - 1) * batches) * o.batchSize) / rate,
      });
      await new Promise((resolve) => setImmediate(resolve)); // let Ctrl-C and displays through
    }
    if (run.shouldStop?.()) return undefined;
  }
  const seconds = (performance.now() - started) / 1000;
  const validation = evaluate(net, run.validation, o.loss);
  const broken = !(validation.loss <= s.bound) ? `the validation loss is ${validation.loss}${overTheBound(validation.loss, s)}` : nonFiniteState(net);
  if (broken) {
    throw new DivergenceError(
      `Training diverged: ${broken} after epoch ${epoch + 1}; no checkpoint was written for it. ${lastGood(s.saved)} ${lowerTheRate(o, epoch, batches)}.`,
    );
  }
  return {
    epoch: epoch + 1, learningRate: learningRateAt(o, epoch), trainLoss: lossSum / batches, trainAccuracy: correct / (batches * o.batchSize),
    validationLoss: validation.loss, validationAccuracy: validation.accuracy, seconds,
    imagesPerSecond: (batches * o.batchSize) / seconds,
  };
}

/** Saves a checkpoint after `epoch` (1-based) when one is due: every checkpointEvery epochs, and after the last. */
async function checkpointIfDue(s: Session, epoch: number): Promise<void> {
  const { o, run } = s;
  const due = epoch === o.epochs || (o.checkpointEvery > 0 && epoch % o.checkpointEvery === 0);
  if (!run.checkpointDir || !due) return;
  const contents = { epoch, history: s.history, training: o, run: run.run, initialGeometry: s.initialGeometry };
  s.saved = await saveOrExplain(run.checkpointDir, s.net, s.optimizer, contents, s.saved);
  run.onEvent?.({ kind: 'checkpoint', epoch, dir: s.saved.dir });
}

/** ", over 100 times that of an all-zero output (1.00)" for a finite loss (the bound is the reason), else ''. */
function overTheBound(loss: number, s: Session): string {
  return Number.isFinite(loss) ? `, over ${DIVERGED_LOSS_FACTOR} times that of an all-zero output (${chanceLoss(s.o.loss, s.net.config.classes).toPrecision(3)})` : '';
}

/** Where the last good checkpoint is, for divergence messages. */
function lastGood(saved: SavedCheckpoint | undefined): string {
  return saved ? `The last good checkpoint (epoch ${saved.epoch}) is in ${saved.dir}.` : 'This run wrote no checkpoint.';
}

/** "conv2/moving_variance is not finite" for the first variable holding NaN or ±Infinity, or '' when all are finite. */
function nonFiniteState(net: Network): string {
  const variables = net.layers.flatMap(layerVariables);
  const finite = tf.tidy(() => tf.stack(variables.map((v) => tf.all(tf.isFinite(v)))).dataSync());
  const bad = variables.find((_, i) => !finite[i]);
  return bad ? `${portableName(bad.name)} is not finite` : '';
}

/**
 * Advice on divergence that names the flag to change (the schedule's end can be the culprit) and
 * the rate the 0-based `epoch` trained with: at `batch`, or over the epoch.
 */
function lowerTheRate(o: TrainOptions, epoch: number, batches: number, batch?: number): string {
  const culprit = o.lrEnd > o.lrStart ? `lrEnd (now ${o.lrEnd}; the rate rises from lrStart ${o.lrStart})` : `lrStart (now ${o.lrStart})`;
  const rate = (b: number) => learningRateAt(o, epoch + b / batches).toPrecision(3);
  const when =
    o.lrSchedule === 'exponential' ? `was ${rate(0)} in this epoch`
    : batch === undefined ? `went from ${rate(0)} to ${rate(batches - 1)} in this epoch`
    : `was ${rate(batch)} at this batch`;
  return `The learning rate ${when}: lower ${culprit}`;
}

/** Where and after which epoch this run last saved a checkpoint. */
interface SavedCheckpoint {
  dir: string;
  epoch: number;
}

/**
 * Saves a checkpoint (atomically: a failed save leaves the previous one whole). A failure (disk
 * full, folder removed) is an error that says what is kept and what to do.
 */
async function saveOrExplain(
  dir: string,
  net: Network,
  optimizer: ScheduledAdam,
  contents: Omit<CheckpointContents, 'config' | 'optimizer'>,
  previous: SavedCheckpoint | undefined,
): Promise<SavedCheckpoint> {
  const state = await optimizer.checkpointState();
  try {
    return { dir: await saveCheckpoint(dir, net, { ...contents, optimizer: state }), epoch: contents.epoch };
  } catch (err) {
    const kept = previous ? `The last good checkpoint (epoch ${previous.epoch}) is kept in ${previous.dir}` : 'This run has saved no checkpoint yet';
    throw new Error(
      `Could not save the checkpoint of epoch ${contents.epoch} in ${dir} (${(err as Error).message}). ${kept}. ` +
        'Free some space or choose another --out, then train again.',
      { cause: err },
    );
  } finally {
    tf.dispose(state.map((t) => t.tensor));
  }
}

/** Maps checkpoint names of Adam's state (`conv1/W/m`) to this network's variable names. */
function renameToNetwork(state: NamedTensor[], net: Network): NamedTensor[] {
  const byPortable = new Map(trainableVariables(net).map((v) => [portableName(v.name), v.name]));
  return state.map(({ name, tensor }) => {
    if (name === 'iter') return { name, tensor };
    const base = name.replace(/\/[mv]$/, '');
    const full = byPortable.get(base);
    if (!full) throw new Error(`Optimizer state names ${name}, which this network does not have; the checkpoint does not match.`);
    return { name: `${full}${name.slice(base.length)}`, tensor };
  });
}
