/**
 * The trained network gen_plots.ipynb analyses: loaded from its checkpoint when that holds the
 * planned run, finished or extended when it holds fewer epochs of it, trained and saved when the
 * folder is empty; a checkpoint of another run is refused, never analysed or overwritten.
 */
import type { LayerGeometry } from '../analysis/geometry';
import { EpochMetrics, loadCheckpoint } from '../train/checkpoint';
import { Dataset, loadDataset } from '../data';
import { makeConfig } from '../model/config';
import { Network, createNetwork, disposeNetwork } from '../model/network';
import { TrainEvent, train } from '../train/train';
import { ExperimentParameters, ExperimentPlan, experimentPlan, runRecord } from './plan';
import { checkpointStatus, describeStatus } from './stored-run';

export interface PreparedNetwork {
  net: Network;
  data: Dataset;
  plan: ExperimentPlan;
  /** Per-epoch metrics of the whole training, resumed epochs included. */
  history: EpochMetrics[];
  /** The weights' geometry at initialisation (absent for checkpoints saved before it was recorded). */
  initialGeometry?: LayerGeometry[];
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
  const status = checkUsableCheckpoint(plan);
  const data = await loadDataset(plan.dataset, { dir: options.dataDir, limit: plan.limit });
  const config = makeConfig({ ...plan.architecture, inputShape: [...data.train.shape], classes: data.classNames.length });
  const stored = status.kind === 'none' ? undefined : loadCheckpoint(plan.checkpointDir, config);
  if (stored && status.kind === 'complete') {
    stored.optimizer?.forEach((o) => o.tensor.dispose());
    return { net: stored.net, data, plan, history: stored.history, initialGeometry: stored.initialGeometry, source: 'loaded' };
  }
  const net = stored?.net ?? createNetwork(config, plan.training.seed);
  try {
    const result = await train(net, {
      train: data.train,
      validation: data.validation,
      options: plan.training,
      checkpointDir: plan.checkpointDir,
      run: runRecord(plan),
      resume: stored && { epoch: stored.epoch, history: stored.history, optimizer: stored.optimizer, dir: plan.checkpointDir, initialGeometry: stored.initialGeometry },
      onEvent: options.onEvent,
    });
    return { net, data, plan, history: result.history, initialGeometry: result.initialGeometry, source: stored ? 'resumed' : 'trained' };
  } catch (err) {
    disposeNetwork(net);
    throw err;
  }
}

/**
 * The status of the plan's checkpoint folder; a checkpoint of another run is an error naming the
 * differences and the choices (it is neither analysed as the planned network nor overwritten).
 */
export function checkUsableCheckpoint(plan: ExperimentPlan) {
  const status = checkpointStatus(plan);
  if (status.kind === 'other') {
    throw new Error(
      `Checkpoint ${plan.checkpointDir} holds ${describeStatus(status)}. Set the checkpoint parameter (--checkpoint of npm run figures) to another ` +
        "folder ('' for the one named after these parameters), change the parameters to match it, or remove it.",
    );
  }
  return status;
}

/** The network prepareNotebookNetwork returned last, freed when it prepares the next. */
let notebookNetwork: Network | undefined;

/**
 * prepareNetwork for a notebook cell that may be rerun: the network the previous run of the cell
 * prepared is freed first, so reruns never pile up networks and no later cell has to free it
 * (which would break rerunning the cells that use it).
 */
export async function prepareNotebookNetwork(parameters: ExperimentParameters, options: PrepareOptions = {}): Promise<PreparedNetwork> {
  if (notebookNetwork) disposeNetwork(notebookNetwork);
  notebookNetwork = undefined;
  const prepared = await prepareNetwork(parameters, options);
  notebookNetwork = prepared.net;
  return prepared;
}
