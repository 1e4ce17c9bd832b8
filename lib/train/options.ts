/** Training hyperparameters (the original's `optimizer_params`) and their validation. */
import { LOSS_NAMES, LossName } from '../model/loss';

/**
 * How the rate falls from lrStart to lrEnd: 'exponential' once per epoch, as run_bnn.py; 'cosine'
 * after every batch, along half a cosine (Loshchilov & Hutter 2017, without restarts).
 */
export type LrSchedule = 'exponential' | 'cosine';
export const LR_SCHEDULES: readonly LrSchedule[] = ['exponential', 'cosine'];

export interface TrainOptions {
  epochs: number;
  batchSize: number;
  /** Learning rate of the first batch. */
  lrStart: number;
  /** The rate the decay reaches after the last batch. */
  lrEnd: number;
  lrSchedule: LrSchedule;
  loss: LossName;
  /** Seeds the per-epoch shuffles. */
  seed: number;
  /** Save a checkpoint every n epochs (and always after the last); 0 = only at the end. */
  checkpointEvery: number;
}

/** run_bnn.py's defaults. */
export const DEFAULT_TRAIN_OPTIONS: TrainOptions = {
  epochs: 500,
  batchSize: 50,
  lrStart: 1e-3,
  lrEnd: 3e-7,
  lrSchedule: 'exponential',
  loss: 'hinge',
  seed: 0,
  checkpointEvery: 10,
};

export function validateTrainOptions(o: TrainOptions): TrainOptions {
  const bad = (field: string, value: unknown, fix: string) =>
    new Error(`Invalid training option: ${field} = ${JSON.stringify(value)}; ${fix}.`);
  if (!Number.isInteger(o.epochs) || o.epochs < 1) throw bad('epochs', o.epochs, 'use a positive integer');
  if (!Number.isInteger(o.batchSize) || o.batchSize < 1) throw bad('batchSize', o.batchSize, 'use a positive integer');
  if (!(o.lrStart > 0) || !Number.isFinite(o.lrStart)) throw bad('lrStart', o.lrStart, 'use a positive number such as 0.001');
  if (!(o.lrEnd > 0) || !Number.isFinite(o.lrEnd)) throw bad('lrEnd', o.lrEnd, 'use a positive number such as 3e-7');
  if (!LR_SCHEDULES.includes(o.lrSchedule)) throw bad('lrSchedule', o.lrSchedule, `use one of: ${LR_SCHEDULES.join(', ')}`);
  if (!LOSS_NAMES.includes(o.loss)) throw bad('loss', o.loss, `use one of: ${LOSS_NAMES.join(', ')}`);
  if (!Number.isInteger(o.seed)) throw bad('seed', o.seed, 'use an integer');
  if (!Number.isInteger(o.checkpointEvery) || o.checkpointEvery < 0) {
    throw bad('checkpointEvery', o.checkpointEvery, 'use 0 (only at the end) or a positive integer');
  }
  return o;
}
