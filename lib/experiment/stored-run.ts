/**
 * A plan against the checkpoint already in its folder: the same run (complete, or to finish or
 * extend), or another run, which is never overwritten silently; and the plan of a resume, which
 * continues the checkpoint's own run in its own folder.
 */
import * as path from 'node:path';
import { CheckpointContents, checkCheckpointFolder, checkpointExists, readCheckpointInfo } from '../train/checkpoint';
import { DatasetName } from '../data/datasets';
import {
  RunPlan, RunRequest, RunSettings, SETTING_KEYS, SettingDifference, describeDifferences, planOf, requestedSettings, runSettings,
  settingDifferences,
} from './plan';

/** Settings that change nothing in the trained network, and epochs, which a resume may raise. */
const NOT_COMPARED: readonly (keyof RunSettings)[] = ['profile', 'checkpointEvery', 'epochs'];
const COMPARED = SETTING_KEYS.filter((key) => !NOT_COMPARED.includes(key));

/**
 * The settings a checkpoint records: architecture from its config, the training options, and the
 * profile, dataset and limit (absent from checkpoints saved before they were recorded).
 */
function checkpointSettings(info: Omit<CheckpointContents, 'optimizer'>): Partial<RunSettings> {
  const c = info.config;
  return {
    conv: c.conv, maxPool: c.maxPool, fc: c.fc, filterSize: c.filterSize, levels: c.levels, threshold: c.threshold,
    continuous: !c.quantizeFc,
    ...info.training,
    ...(info.run && { profile: info.run.profile, dataset: info.run.dataset as DatasetName, limit: info.run.limit }),
  };
}

/** What the plan's folder holds. */
export type CheckpointStatus =
  | { kind: 'none' }
  /** This run: 'complete', 'unfinished' (stopped early), or 'shorter' (fewer epochs planned: it can be extended). */
  | { kind: 'complete' | 'unfinished' | 'shorter'; epoch: number; epochs: number }
  /** Another run: different settings, or more epochs than planned. */
  | { kind: 'other'; epoch: number; epochs: number; differences: SettingDifference[] };

/** Compares the checkpoint in the plan's folder (if any) with the plan. */
export function checkpointStatus(plan: RunPlan): CheckpointStatus {
  checkCheckpointFolder(plan.checkpointDir);
  if (!checkpointExists(plan.checkpointDir)) return { kind: 'none' };
  const info = readCheckpointInfo(plan.checkpointDir);
  const stored = checkpointSettings(info);
  const epochs = stored.epochs ?? info.epoch;
  const differences = settingDifferences(plan, stored, epochs > plan.epochs ? [...COMPARED, 'epochs'] : COMPARED);
  if (differences.length > 0) return { kind: 'other', epoch: info.epoch, epochs, differences };
  const kind = epochs < plan.epochs ? 'shorter' : info.epoch >= epochs ? 'complete' : 'unfinished';
  return { kind, epoch: info.epoch, epochs };
}

/** "epoch 3 of 5, this run, unfinished" or "epoch 5 of 5, another run: lrStart 0.01 (checkpoint: 0.003)". */
export function describeStatus(status: Exclude<CheckpointStatus, { kind: 'none' }>, label?: (key: keyof RunSettings) => string): string {
  const at = `epoch ${status.epoch} of ${status.epochs}`;
  if (status.kind === 'other') return `${at} of another run: ${describeDifferences(status.differences, label)}`;
  return `${at} of this run${status.kind === 'complete' ? ', complete' : status.kind === 'unfinished' ? ', unfinished' : ''}`;
}

/**
 * The plan of a resume from `dir`: the checkpoint's settings and folder, with `epochs` raised when
 * the request asks (to extend the run). Any other setting the request fixes must agree with the
 * checkpoint; the error lists those that do not, named by `label` (e.g. as command-line flags).
 */
export function resumeRun(request: RunRequest, dir: string, label?: (key: keyof RunSettings) => string): RunPlan {
  const info = readCheckpointInfo(dir);
  if (info.training === undefined || info.run === undefined) {
    // Guessing them would continue with another schedule, or on other data.
    throw new Error(
      `Checkpoint ${dir} does not record its ${info.training === undefined ? 'training options' : 'profile and dataset'} (an older save), ` +
        'so it cannot be resumed exactly. It can still be analysed and packed; to train further, start a new run in another folder.',
    );
  }
  const stored = checkpointSettings(info);
  const fixed = requestedSettings(request);
  const conflicts = settingDifferences(fixed, stored, COMPARED);
  if (request.out !== undefined && path.resolve(request.out) !== path.resolve(dir)) {
    throw new Error(`A resumed run continues in its own folder ${dir}; drop the other output folder (${request.out}), or copy ${dir} there first.`);
  }
  if (conflicts.length > 0) {
    throw new Error(
      `Checkpoint ${dir} was trained with other settings: ${describeDifferences(conflicts, label)}. A resumed run keeps them ` +
        '(only the epochs may grow, to extend it): drop those settings, or start a new run in another folder.',
    );
  }
  const settings: RunSettings = { ...runSettings(request), ...stored };
  settings.epochs = request.epochs ?? settings.epochs;
  settings.checkpointEvery = request.checkpointEvery ?? settings.checkpointEvery;
  if (settings.epochs < info.epoch) {
    throw new Error(`Checkpoint ${dir} has trained ${info.epoch} epochs already; epochs = ${settings.epochs} would shorten it. A run can only be extended.`);
  }
  return planOf(settings, dir);
}
