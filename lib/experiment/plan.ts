/**
 * What gen_plots.ipynb analyses, from its parameters cell: dataset, architecture, training schedule and
 * checkpoint folder. The default folder is the one `npm run train -- --profile P --mode M` writes, so a
 * network trained on the command line is picked up by the notebook and vice versa.
 */
import * as path from 'node:path';
import { checkDatasetName } from '../data/datasets';
import { packageRoot } from '../util/package-root';
import { ArchitectureOptions } from '../model/config';
import { defaultCheckpointDir, getProfile, modeQuantization } from './profiles';
import { TrainOptions } from '../train/options';

export interface ExperimentParameters {
  /** '' for the profile's dataset. */
  dataset: string;
  /** 'quick' or 'paper'. */
  profile: string;
  /** 'binary', 'ternary' or 'continuous'. */
  mode: string;
  /** Checkpoint folder; '' for checkpoints/<dataset>-<profile>-<mode>[-variant] under the package root. */
  checkpoint: string;
  /** Seeds initialisation and shuffling. */
  seed: number;
  /** 0 for the profile's epochs. */
  epochs: number;
  /** Keep the first `limit` images of each split; 0 for all. */
  limit: number;
}

export interface ExperimentPlan {
  dataset: string;
  /** Architecture without the input shape and classes, which come from the data. */
  architecture: Omit<ArchitectureOptions, 'inputShape' | 'classes'>;
  training: TrainOptions;
  /** Absolute checkpoint folder. */
  checkpointDir: string;
  /** undefined for all images. */
  limit?: number;
}

function nonNegativeInteger(name: string, value: number, meaning: string): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`Parameter ${name} = ${JSON.stringify(value)} is invalid; use a whole number ≥ 0 (${meaning}).`);
  }
}

/**
 * The checkpoint folder name: `<dataset>-<profile>-<mode>`, with the settings that differ from the
 * profile appended (e.g. `-epochs1-limit300`), so a smoke run never stands in for a full one.
 */
export function runName(p: ExperimentParameters, dataset: string, profileEpochs: number): string {
  const base = path.basename(defaultCheckpointDir(dataset, p.profile, p.mode));
  const variants = [
    p.epochs !== 0 && p.epochs !== profileEpochs ? `epochs${p.epochs}` : '',
    p.limit !== 0 ? `limit${p.limit}` : '',
    p.seed !== 0 ? `seed${p.seed}` : '',
  ].filter((v) => v !== '');
  return [base, ...variants].join('-');
}

/** Validates the parameters and resolves them against the profile; errors name the parameter and the fix. */
export function experimentPlan(p: ExperimentParameters): ExperimentPlan {
  const profile = getProfile(p.profile);
  const q = modeQuantization(p.mode);
  const dataset = p.dataset === '' ? profile.dataset : checkDatasetName(p.dataset, " (or '' for the profile's)");
  nonNegativeInteger('epochs', p.epochs, "0 keeps the profile's");
  nonNegativeInteger('limit', p.limit, '0 uses every image');
  if (!Number.isInteger(p.seed)) throw new Error(`Parameter seed = ${JSON.stringify(p.seed)} is invalid; use an integer.`);
  const name = runName(p, dataset, profile.training.epochs);
  return {
    dataset,
    architecture: {
      conv: profile.conv,
      maxPool: profile.maxPool,
      fc: profile.fc,
      levels: q.levels,
      threshold: q.threshold,
      continuous: q.continuous,
    },
    training: { ...profile.training, epochs: p.epochs === 0 ? profile.training.epochs : p.epochs, seed: p.seed },
    checkpointDir: p.checkpoint === '' ? path.join(packageRoot(), 'checkpoints', name) : path.resolve(p.checkpoint),
    limit: p.limit === 0 ? undefined : p.limit,
  };
}
