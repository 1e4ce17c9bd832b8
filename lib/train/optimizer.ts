/**
 * Adam whose learning rate can follow a schedule (tfjs keeps it protected). On tfjs-node its
 * state lives in TensorFlow resource variables updated by one fused kernel per variable (see
 * backend/tensorflow-ops.ts); elsewhere it is tfjs's AdamOptimizer. Both keep the moments under
 * the same names (`<variable>/m`, `/v`, and `iter`), so checkpoints move between backends. The
 * fused kernel adds ε to √v rather than to the bias-corrected √v̂, as TF1's AdamOptimizer did in
 * the original: with ε = 1e-8 the two differ only in rounding.
 */
import * as tf from '@tensorflow/tfjs';
import {
  adamStepScalars,
  assignResourceVariable,
  createResourceVariable,
  destroyResourceVariable,
  readResourceVariable,
  resourceApplyAdam,
  runsTensorflowOps,
} from '../backend/tensorflow-ops';

/** tf.train.AdamOptimizer's defaults, as the original used them. */
export const ADAM_BETA1 = 0.9;
export const ADAM_BETA2 = 0.999;
export const ADAM_EPSILON = 1e-8;

/** One trained variable's resource variables on tfjs-node: a working copy of it and its two moments. */
/** tfjs's optimizer state entry (`{ name, tensor }`), which tfjs does not export by name. */
type NamedTensor = Awaited<ReturnType<tf.Optimizer['getWeights']>>[number];
type Gradients = Parameters<tf.AdamOptimizer['applyGradients']>[0];

interface FusedSlots {
  w: tf.Tensor;
  m: tf.Tensor;
  v: tf.Tensor;
}

export class ScheduledAdam extends tf.AdamOptimizer {
  /** Chosen once: the resource variables belong to the backend active at construction. */
  private readonly fused = runsTensorflowOps();
  private readonly slots = new Map<string, FusedSlots>();

  constructor(learningRate: number) {
    super(learningRate, ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON);
  }

  setLearningRate(lr: number): void {
    this.learningRate = lr;
  }

  applyGradients(gradients: Gradients): void {
    if (!this.fused) return super.applyGradients(gradients);
    const list = Array.isArray(gradients) ? gradients : Object.entries(gradients).map(([name, tensor]) => ({ name, tensor }));
    const t = this.iterations + 1;
    const scalars = adamStepScalars({
      beta1Power: this.beta1 ** t,
      beta2Power: this.beta2 ** t,
      learningRate: this.learningRate,
      beta1: this.beta1,
      beta2: this.beta2,
      epsilon: this.epsilon,
    });
    for (const { name, tensor } of list) {
      const variable = tf.engine().registeredVariables[name];
      const slots = this.slotsOf(name, variable);
      assignResourceVariable(slots.w, variable); // the variable changes outside Adam too (weight clipping)
      resourceApplyAdam(slots.w, slots.m, slots.v, scalars, tensor);
      const updated = readResourceVariable(slots.w);
      variable.assign(updated);
      updated.dispose();
    }
    tf.dispose(scalars);
    this.incrementIterations();
  }

  /** Adam's state (`iter`, then every `<variable>/m`, then every `/v`) as new tensors the caller disposes. */
  async checkpointState(): Promise<NamedTensor[]> {
    if (!this.fused) {
      // tfjs hands out its own moment variables (and a fresh `iter` scalar): clone those.
      return (await super.getWeights()).map((w) => (w.name === 'iter' ? w : { name: w.name, tensor: w.tensor.clone() }));
    }
    const read = (moment: 'm' | 'v'): NamedTensor[] =>
      [...this.slots].map(([name, slots]) => ({ name: `${name}/${moment}`, tensor: readResourceVariable(slots[moment]) }));
    return [await this.saveIterations(), ...read('m'), ...read('v')];
  }

  async getWeights(): Promise<NamedTensor[]> {
    if (this.fused) throw new Error('On tfjs-node Adam keeps its state in TensorFlow: use checkpointState().');
    return super.getWeights();
  }

  async setWeights(weights: NamedTensor[]): Promise<void> {
    if (!this.fused) return super.setWeights(weights);
    const moments = await this.extractIterations(weights);
    this.disposeSlots();
    const count = moments.length / 2;
    for (let i = 0; i < count; i++) {
      const name = moments[i].name.replace(/\/m$/, '');
      const variable = tf.engine().registeredVariables[name];
      if (variable === undefined) throw new Error(`Adam's state names ${name}, which is not a variable of this network.`);
      this.slots.set(name, {
        w: createResourceVariable(variable),
        m: createResourceVariable(moments[i].tensor),
        v: createResourceVariable(moments[count + i].tensor),
      });
    }
  }

  dispose(): void {
    super.dispose();
    this.disposeSlots();
  }

  private slotsOf(name: string, variable: tf.Variable): FusedSlots {
    let slots = this.slots.get(name);
    if (slots === undefined) {
      const zeros = tf.zerosLike(variable);
      slots = { w: createResourceVariable(variable), m: createResourceVariable(zeros), v: createResourceVariable(zeros) };
      zeros.dispose();
      this.slots.set(name, slots);
    }
    return slots;
  }

  private disposeSlots(): void {
    for (const { w, m, v } of this.slots.values()) [w, m, v].forEach(destroyResourceVariable);
    this.slots.clear();
  }
}

/**
 * Learning rate for a 0-based epoch: exponential decay from lrStart toward lrEnd, as run_bnn.py
 * sets `epoch_decay_rate = (lr_end / lr_start) ** (1 / epochs)`.
 */
export function learningRateAt(epoch: number, epochs: number, lrStart: number, lrEnd: number): number {
  return lrStart * Math.pow(lrEnd / lrStart, epoch / epochs);
}
