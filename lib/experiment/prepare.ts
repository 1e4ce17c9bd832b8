/**
 * The trained network gen_plots.ipynb analyses: loaded from its checkpoint when one exists, trained
 * (or finished, when the checkpoint has fewer epochs than planned) and saved otherwise.
 */
import { EpochMetrics, checkpointExists, loadCheckpoint } from '../train/checkpoint';
import { Dataset, loadDataset } from '../data';
import { makeConfig } from '../model/config';
import { Network, createNetwork, disposeNetwork } from '../model/network';
import { TrainEvent, train } from '../train/train';
import { ExperimentParameters, ExperimentPlan, experimentPlan } from './plan';

export interface PreparedNetwork {
  net: Network;
  data: Dataset;
  plan: ExperimentPlan;
  /** Per-epoch metrics of the whole training, resumed epochs included. */
  history: EpochMetrics[];
  /** What happened: 'loaded' (checkpoint complete), 'resumed' or 'trained'. */
  source: 'loaded' | 'resumed' | 'trained';
}

export interface PrepareOptions {
  /** Training progress, when training is needed. */
  onEvent?: (event: TrainEvent) => void;
  /** Folder holding the dataset files (default: the usual lookup, see loadDataset). */
  dataDir?: string;
}

/** Loads the data and the planned network, training whatever the checkpoint lacks. The caller disposes `net`. */
export async function prepareNetwork(parameters: ExperimentParameters, options: PrepareOptions = {}): Promise<PreparedNetwork> {
  const plan = experimentPlan(parameters);
  const data = await loadDataset(plan.dataset, { dir: options.dataDir, limit: plan.limit });
  const config = makeConfig({ ...plan.architecture, inputShape: [...data.train.shape], classes: data.classNames.length });
  const stored = checkpointExists(plan.checkpointDir) ? loadCheckpoint(plan.checkpointDir, config) : undefined;
  if (stored && stored.epoch >= plan.training.epochs) {
    stored.optimizer?.forEach((o) => o.tensor.dispose());
    return { net: stored.net, data, plan, history: stored.history, source: 'loaded' };
  }
  const net = stored?.net ?? createNetwork(config, plan.training.seed);
  try {
    const result = await train(net, {
      train: data.train,
      validation: data.validation,
      options: plan.training,
      checkpointDir: plan.checkpointDir,
      resume: stored && { epoch: stored.epoch, history: stored.history, optimizer: stored.optimizer },
      onEvent: options.onEvent,
    });
    return { net, data, plan, history: result.history, source: stored ? 'resumed' : 'trained' };
  } catch (err) {
    disposeNetwork(net);
    throw err;
  }
}
