/**
 * Adam whose learning rate can follow a schedule (tfjs keeps it protected). On tfjs-node it runs
 * inside the training step's graph (graph-step.ts), which reads Adam's moments from here and hands
 * back their new values; elsewhere it is tfjs's AdamOptimizer. Both keep the moments under the
 * same names (`<variable>/m`, `/v`, and `iter`), so checkpoints move between backends. The graph
 * runs TensorFlow's ResourceApplyAdam kernel, which adds ε to √v rather than to the bias-corrected
 * √v̂, as TF1's AdamOptimizer did in the original: with ε = 1e-8 the two differ only in rounding.
 */
import * as tf from '@tensorflow/tfjs';
import { runsTensorflowOps } from '../backend/tensorflow-ops';
import { TrainOptions } from './options';

/** tf.train.AdamOptimizer's defaults, as the original used them. */
export const ADAM_BETA1 = 0.9;
export const ADAM_BETA2 = 0.999;
export const ADAM_EPSILON = 1e-8;

/** tfjs's optimizer state entry (`{ name, tensor }`), which tfjs does not export by name. */
type NamedTensor = Awaited<ReturnType<tf.Optimizer['getWeights']>>[number];
type Gradients = Parameters<tf.Optimizer['applyGradients']>[0];

/** Adam's two moments of one variable. */
export type Moments = [m: tf.Tensor, v: tf.Tensor];

/** The scalars of Adam's next step t: the rate and the βᵗ powers of the bias correction. */
export interface AdamStep {
  learningRate: number;
  beta1Power: number;
  beta2Power: number;
}

export class ScheduledAdam extends tf.AdamOptimizer {
  /** Chosen once: the moments below belong to the backend active at construction. */
  readonly inGraph = runsTensorflowOps();
  private readonly moments = new Map<string, Moments>();
  /** What the graph steps built for this optimizer, by owner and key (TensorFlow sessions), freed with it. */
  private readonly owned = new Map<object, Map<string, { dispose(): void }>>();

  constructor(learningRate: number) {
    super(learningRate, ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON);
  }

  setLearningRate(lr: number): void {
    this.learningRate = lr;
  }

  applyGradients(gradients: Gradients): void {
    if (this.inGraph) throw new Error('On tfjs-node Adam runs inside the training step\'s graph (train/graph-step.ts), not from gradients.');
    super.applyGradients(gradients as Parameters<tf.AdamOptimizer['applyGradients']>[0]); // tfjs's Adam takes a gradient map as any optimizer does
  }

  /** The scalars of the next in-graph step; {@link finishStep} counts it once its results are in. */
  nextStep(): AdamStep {
    const t = this.iterations + 1;
    return { learningRate: this.learningRate, beta1Power: this.beta1 ** t, beta2Power: this.beta2 ** t };
  }

  finishStep(): void {
    this.incrementIterations();
  }

  /** A variable's moments for the in-graph step: zeros before its first step. */
  momentsOf(variable: tf.Variable): Moments {
    let moments = this.moments.get(variable.name);
    if (moments === undefined) this.moments.set(variable.name, (moments = [tf.zerosLike(variable), tf.zerosLike(variable)]));
    return moments;
  }

  /** Takes the in-graph step's new moments of a variable (the optimizer owns them now). */
  replaceMoments(variable: tf.Variable, moments: Moments): void {
    tf.dispose(this.moments.get(variable.name));
    this.moments.set(variable.name, moments);
  }

  /** What `key` names among the things this optimizer keeps for `owner` (a network), made by `make` on first use. */
  owning<T extends { dispose(): void }>(owner: object, key: string, make: () => T): T {
    let things = this.owned.get(owner);
    if (things === undefined) this.owned.set(owner, (things = new Map<string, { dispose(): void }>()));
    let thing = things.get(key) as T | undefined;
    if (thing === undefined) things.set(key, (thing = make()));
    return thing;
  }

  /** Adam's state (`iter`, then every `<variable>/m`, then every `/v`) as new tensors the caller disposes. */
  async checkpointState(): Promise<NamedTensor[]> {
    if (!this.inGraph) {
      // tfjs hands out its own moment variables (and a fresh `iter` scalar): clone those.
      return (await super.getWeights()).map((w) => (w.name === 'iter' ? w : { name: w.name, tensor: w.tensor.clone() }));
    }
    const read = (moment: 0 | 1, suffix: string): NamedTensor[] =>
      [...this.moments].map(([name, moments]) => ({ name: `${name}/${suffix}`, tensor: moments[moment].clone() }));
    return [await this.saveIterations(), ...read(0, 'm'), ...read(1, 'v')];
  }

  async getWeights(): Promise<NamedTensor[]> {
    if (this.inGraph) throw new Error('On tfjs-node Adam keeps its state for the graph step: use checkpointState().');
    return super.getWeights();
  }

  async setWeights(weights: NamedTensor[]): Promise<void> {
    if (!this.inGraph) return super.setWeights(weights);
    const moments = await this.extractIterations(weights);
    this.disposeMoments();
    const count = moments.length / 2;
    for (let i = 0; i < count; i++) {
      const name = moments[i].name.replace(/\/m$/, '');
      if (tf.engine().registeredVariables[name] === undefined) throw new Error(`Adam's state names ${name}, which is not a variable of this network.`);
      this.moments.set(name, [moments[i].tensor.clone(), moments[count + i].tensor.clone()]);
    }
  }

  dispose(): void {
    super.dispose();
    this.disposeMoments();
    for (const things of this.owned.values()) for (const thing of things.values()) thing.dispose();
    this.owned.clear();
  }

  private disposeMoments(): void {
    for (const moments of this.moments.values()) tf.dispose(moments);
    this.moments.clear();
  }
}

/**
 * Learning rate after `progress` epochs (fractional within an epoch: epoch + batch / batches).
 * 'exponential' holds it for the epoch, as run_bnn.py decays it by `(lr_end / lr_start) ** (1 /
 * epochs)` per epoch; 'cosine' moves it along half a cosine, lrStart at 0 and lrEnd at `epochs`.
 */
export function learningRateAt(o: Pick<TrainOptions, 'epochs' | 'lrStart' | 'lrEnd' | 'lrSchedule'>, progress: number): number {
  const { epochs, lrStart, lrEnd } = o;
  if (o.lrSchedule === 'exponential') return lrStart * Math.pow(lrEnd / lrStart, Math.floor(progress) / epochs);
  return lrEnd + ((lrStart - lrEnd) * (1 + Math.cos((Math.PI * progress) / epochs))) / 2;
}
