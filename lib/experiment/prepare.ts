/**
 * The trained network gen_plots.ipynb analyses: loaded from its checkpoint when that holds the
 * planned run, finished or extended when it holds fewer epochs of it, trained and saved when the
 * folder is empty. A checkpoint of another run is never overwritten: in the folder named after the
 * parameters it is refused; in a folder the parameters name, a finished run is analysed under its
 * own recorded settings (saying how they differ), and an unfinished one is refused.
 */
import type { LayerGeometry } from '../analysis/geometry';
import { EpochMetrics, loadCheckpoint, readCheckpointInfo } from '../train/checkpoint';
import { Dataset, loadDataset } from '../data';
import { makeConfig } from '../model/config';
import { Network, createNetwork, disposeNetwork } from '../model/network';
import { TrainEvent, train } from '../train/train';
import { ExperimentParameters, ExperimentPlan, RunSettings, describeDifferences, experimentPlan, runRecord } from './plan';
import { CheckpointStatus, checkpointStatus, describeStatus, resumeRun } from './stored-run';

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
  /**
   * When the checkpoint the parameters name holds another finished run, analysed under its own
   * settings: how the parameters differ from them, e.g. "batchSize 200 (checkpoint: 50)".
   */
  otherRun?: string;
}

export interface PrepareOptions {
  /** Training progress, when training is needed. */
  onEvent?: (event: TrainEvent) => void;
  /** Folder holding the dataset files (default: the usual lookup, see loadDataset). */
  dataDir?: string;
}

/** Loads the data and the planned network, training whatever the checkpoint lacks. The caller disposes `net`. */
export async function prepareNetwork(parameters: ExperimentParameters, options: PrepareOptions = {}): Promise<PreparedNetwork> {
  const { plan, status, otherRun } = analysisPlan(parameters);
  const data = await loadDataset(plan.dataset, { dir: options.dataDir, limit: plan.limit });
  const config = makeConfig({ ...plan.architecture, inputShape: [...data.train.shape], classes: data.classNames.length });
  const stored = status.kind === 'none' ? undefined : loadCheckpoint(plan.checkpointDir, config);
  if (stored && status.kind === 'complete') {
    stored.optimizer?.forEach((o) => o.tensor.dispose());
    return { net: stored.net, data, plan, history: stored.history, initialGeometry: stored.initialGeometry, source: 'loaded', otherRun };
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

/** The run gen_plots analyses, the status of its checkpoint, and how it differs from the parameters when it is another run. */
export interface AnalysisPlan {
  plan: ExperimentPlan;
  status: Exclude<CheckpointStatus, { kind: 'other' }>;
  otherRun?: string;
}

/** Settings of how a network was trained, not of what network it is (mode, layers, dataset). */
const RECIPE: readonly (keyof RunSettings)[] = ['limit', 'epochs', 'batchSize', 'lrStart', 'lrEnd', 'lrSchedule', 'loss', 'seed'];

/**
 * The parameters' run and its checkpoint's status. When the checkpoint folder they name (not the
 * default one) holds a finished run of the same network trained with another recipe (say batch size,
 * epochs or seed), that run is analysed under its own recorded settings. Any other checkpoint of
 * another run is an error naming the differences and the choices: it is neither analysed as the
 * planned network nor overwritten.
 */
export function analysisPlan(parameters: ExperimentParameters): AnalysisPlan {
  const plan = experimentPlan(parameters);
  const status = checkpointStatus(plan);
  if (status.kind !== 'other') return { plan, status };
  const ownRecipe = status.epoch >= status.epochs && status.differences.every((d) => RECIPE.includes(d.key));
  const own = ownRecipe && parameters.checkpoint !== '' ? storedRunPlan(plan.checkpointDir) : undefined;
  if (own) return { plan: own, status: { kind: 'complete', epoch: status.epoch, epochs: status.epochs }, otherRun: describeDifferences(status.differences) };
  throw new Error(
    `Checkpoint ${plan.checkpointDir} holds ${describeStatus(status)}. Set the checkpoint parameter (--checkpoint of npm run figures) to another ` +
      "folder ('' for the one named after these parameters), change the parameters to match it, or remove it." +
      (ownRecipe && parameters.checkpoint === '' ? ' It is a finished run of this network: name its folder in the checkpoint parameter to analyse it under its own settings.' : ''),
  );
}

/** The plan of the run a checkpoint records (its settings and folder), or undefined for an older save that does not record them. */
function storedRunPlan(dir: string): ExperimentPlan | undefined {
  const info = readCheckpointInfo(dir);
  return info.training === undefined || info.run === undefined ? undefined : resumeRun({}, dir);
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
