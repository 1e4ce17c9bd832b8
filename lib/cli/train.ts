/**
 * `npm run train`: load data, build or resume a network, train with a progress bar, checkpoint,
 * and score the test set. Ctrl-C stops after the current batch; the last checkpoint stays intact.
 */
import * as fs from 'node:fs';
import { BackendName, initBackend } from '../backend';
import { loadCheckpoint } from '../train/checkpoint';
import { Dataset, LoadOptions, loadDataset, sourceFolders } from '../data';
import { RunPlan, runRecord } from '../experiment/plan';
import { checkpointStatus, describeStatus } from '../experiment/stored-run';
import { makeConfig } from '../model/config';
import { evaluate } from '../model/evaluate';
import { Network, createNetwork, disposeNetwork } from '../model/network';
import { trainingProgress } from '../train/progress';
import { testAccuracyLine } from '../train/report';
import { train } from '../train/train';
import { ensureWritableDir } from '../util/ensure-dir';
import { removeUnusedFolder } from '../util/output-folder';
import { runCli } from './run-cli';
import { TRAIN_USAGE, TrainCommand, flagOf, parseTrainArgs, trainPlan } from './train-args';

export interface TrainOutcome {
  testAccuracy: number;
  checkpoint?: string;
  stopped: boolean;
}

/** Refuses to start a new run over a checkpoint already in its folder, unless told to replace it. */
function refuseToReplace(plan: RunPlan, overwrite: boolean, log: (line: string) => void): void {
  const status = checkpointStatus(plan);
  if (status.kind === 'none') return;
  if (overwrite) {
    log(`replacing the checkpoint in ${plan.checkpointDir} (${describeStatus(status, flagOf)}) at this run's first checkpoint`);
    return;
  }
  throw new Error(
    `${plan.checkpointDir} already holds a checkpoint (${describeStatus(status, flagOf)}). ` +
      `Resume it with --param-file ${plan.checkpointDir}, choose another --out, or pass --overwrite to replace it.`,
  );
}

export interface TrainDependencies {
  /** Loads the plan's dataset (tests pass small synthetic data). */
  loadData?: (name: string, options: LoadOptions) => Promise<Dataset>;
}

/** Runs a parsed train command; `log` receives the human-readable lines. */
export async function runTrain(
  cmd: TrainCommand,
  log: (line: string) => void = console.log,
  { loadData = loadDataset }: TrainDependencies = {},
): Promise<TrainOutcome> {
  const plan = trainPlan(cmd);
  if (cmd.resume === undefined) refuseToReplace(plan, cmd.overwrite, log);
  const created = !fs.existsSync(plan.checkpointDir);
  ensureWritableDir(plan.checkpointDir); // before hours of training, not at the first checkpoint
  try {
    return await trainInFolder(cmd, plan, log, loadData);
  } catch (err) {
    if (created) removeUnusedFolder(plan.checkpointDir); // a run that failed before saving leaves no empty folder
    throw err;
  }
}

async function trainInFolder(
  cmd: TrainCommand,
  plan: RunPlan,
  log: (line: string) => void,
  loadData: NonNullable<TrainDependencies['loadData']>,
): Promise<TrainOutcome> {
  const backend = await initBackend(cmd.backend as BackendName | undefined);
  log(backend.description);
  const data = await loadData(plan.dataset, { dir: cmd.dataDir, limit: plan.limit });
  log(`data: ${plan.dataset}, ${data.train.count} train / ${data.validation.count} validation / ${data.test.count} test images, from ${sourceFolders(data)}`);
  const config = makeConfig({ ...plan.architecture, inputShape: [...data.train.shape], classes: data.classNames.length });
  let net: Network;
  let resume;
  if (cmd.resume) {
    const ck = loadCheckpoint(plan.checkpointDir, config);
    net = ck.net;
    resume = { epoch: ck.epoch, history: ck.history, optimizer: ck.optimizer, dir: plan.checkpointDir, initialGeometry: ck.initialGeometry };
    log(`resuming ${plan.checkpointDir} at epoch ${ck.epoch} of ${plan.epochs}`);
  } else {
    net = createNetwork(config, plan.seed);
    log(`run ${plan.name}: checkpoints in ${plan.checkpointDir}`);
  }
  let interrupted = false;
  const onSigint = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    log('interrupted: stopping after this batch (Ctrl-C again to quit now); the last checkpoint is kept');
  };
  process.on('SIGINT', onSigint);
  try {
    const result = await train(net, {
      train: data.train,
      validation: data.validation,
      options: plan.training,
      checkpointDir: plan.checkpointDir,
      run: runRecord(plan),
      resume,
      onEvent: trainingProgress(log),
      shouldStop: () => interrupted,
    });
    if (!result.stopped) {
      const test = evaluate(net, data.test, plan.loss);
      log(testAccuracyLine(test.accuracy));
      return { testAccuracy: test.accuracy, checkpoint: result.lastCheckpoint, stopped: false };
    }
    // Stopped early: the number reported is the kept checkpoint's, the network that remains.
    if (result.lastCheckpoint === undefined) {
      const test = evaluate(net, data.test, plan.loss);
      log(`${testAccuracyLine(test.accuracy)} of the network in memory, which was not saved (stopped before its first checkpoint)`);
      return { testAccuracy: test.accuracy, stopped: true };
    }
    const kept = loadCheckpoint(result.lastCheckpoint, config);
    try {
      const test = evaluate(kept.net, data.test, plan.loss);
      log(`${testAccuracyLine(test.accuracy)} of the kept checkpoint (epoch ${kept.epoch} in ${result.lastCheckpoint}; stopped early)`);
      return { testAccuracy: test.accuracy, checkpoint: result.lastCheckpoint, stopped: true };
    } finally {
      disposeNetwork(kept.net);
      kept.optimizer?.forEach((o) => o.tensor.dispose());
    }
  } finally {
    process.off('SIGINT', onSigint);
    disposeNetwork(net);
  }
}

/** Entry point of `npm run train`. */
export function main(): Promise<void> {
  return runCli('train', TRAIN_USAGE, parseTrainArgs, (cmd) => runTrain(cmd));
}
