/**
 * The run plan, one for `npm run train` and gen_plots.ipynb: a profile, a mode and explicit values
 * resolve to the settings of a training run (dataset, subset, architecture, schedule, seed) and the
 * folder of its checkpoint. The default folder is named after the run, `<dataset>-<profile>-<mode>`
 * plus every setting that differs from the profile's (e.g. `-epochs1-limit300`), so a smoke run
 * never lands in the folder of the full one, and a network trained on the command line is the one
 * the notebook loads.
 */
import * as path from 'node:path';
import { DatasetName, checkDatasetName } from '../data/datasets';
import { ArchitectureOptions } from '../model/config';
import { RunRecord } from '../train/checkpoint';
import { TrainOptions } from '../train/options';
import { packageRoot } from '../util/package-root';
import { PAPER_TERNARY_THRESHOLD } from '../paper-constants';
import { Mode, PROFILES, Profile, getProfile, modeQuantization } from './profiles';

type Architecture = Required<Omit<ArchitectureOptions, 'inputShape' | 'classes'>>;

/** Everything that defines a run, flat so that two runs compare setting by setting. */
export interface RunSettings extends Architecture, TrainOptions {
  /** 'quick', 'paper' or 'custom' (no profile: run_bnn.py's defaults, i.e. the paper's). */
  profile: string;
  dataset: DatasetName;
  /** Keep the first `limit` images of each split; undefined for all. */
  limit?: number;
}

/** What was asked for: a profile and a mode, then explicit values; the rest comes from the profile. */
export type RunRequest = Partial<Omit<RunSettings, 'profile' | 'dataset'>> & {
  profile?: string;
  mode?: string;
  dataset?: string;
  /** Checkpoint folder; default checkpoints/<run name> under the package root. */
  out?: string;
};

export interface RunPlan extends RunSettings {
  /** The run's name, e.g. fashion-mnist-quick-binary-epochs1. */
  name: string;
  /** Absolute checkpoint folder. */
  checkpointDir: string;
  architecture: Architecture;
  training: TrainOptions;
}

/** What a profile fixes: data, layers and schedule (not the mode or the seed). */
function profileValues(profile: Profile): Omit<RunSettings, 'profile' | 'limit' | 'filterSize' | 'levels' | 'threshold' | 'continuous' | 'seed'> {
  return { dataset: profile.dataset, conv: profile.conv, maxPool: profile.maxPool, fc: profile.fc, ...profile.training };
}

/** A profile's run in binary mode with seed 0. */
function profileSettings(profile: Profile): Omit<RunSettings, 'profile' | 'limit'> {
  return { ...profileValues(profile), filterSize: 3, ...modeQuantization('binary'), seed: 0 };
}

function profileOf(request: RunRequest): { name: string; profile: Profile } {
  return request.profile === undefined ? { name: 'custom', profile: PROFILES.paper } : { name: request.profile, profile: getProfile(request.profile) };
}

/**
 * Steps per epoch that a run on a subset (`limit`) keeps at least, when its batch size is the
 * profile's: a few steps cannot move the batch-norm moving statistics off their start, and the
 * network then looks diverged on validation (the quick profile's batch of 200 on 200 images).
 */
const MIN_LIMITED_STEPS = 10;

/** A profile's batch size for a run on the first `limit` images: at most limit/10, so an epoch keeps ten steps. */
function limitedBatchSize(batchSize: number, limit: number | undefined): number {
  return limit === undefined ? batchSize : Math.min(batchSize, Math.max(1, Math.floor(limit / MIN_LIMITED_STEPS)));
}

/** A profile's training for a mode (its own options where it has them) on the first `limit` images (the batch capped). */
function profileTraining(profile: Profile, mode: Mode, limit: number | undefined): Omit<TrainOptions, 'seed'> {
  const training = { ...profile.training, ...profile.modeTraining?.[mode] };
  return { ...training, batchSize: limitedBatchSize(training.batchSize, limit) };
}

/** The settings a request fixes: its profile's (when it names one), its mode's, then its explicit values. */
export function requestedSettings(request: RunRequest): Partial<RunSettings> {
  const { mode, out: _out, profile: _profile, dataset, ...explicit } = request;
  const quantization = mode === undefined ? {} : modeQuantization(mode); // validates the mode
  const profile = request.profile === undefined ? undefined : getProfile(request.profile);
  const fixed: Partial<RunSettings> =
    profile === undefined ? {} : { ...profileValues(profile), ...profileTraining(profile, (mode ?? 'binary') as Mode, request.limit) };
  Object.assign(fixed, quantization);
  if (dataset !== undefined) fixed.dataset = checkDatasetName(dataset);
  for (const [key, value] of Object.entries(explicit)) if (value !== undefined) Object.assign(fixed, { [key]: value });
  if (fixed.levels === 3 && explicit.threshold === undefined && mode === undefined) fixed.threshold = PAPER_TERNARY_THRESHOLD;
  return fixed;
}

/** 'binary', 'ternary' or 'continuous'. */
function modeName(s: Pick<RunSettings, 'continuous' | 'levels'>): Mode {
  return s.continuous ? 'continuous' : s.levels === 3 ? 'ternary' : 'binary';
}

const list = (values: readonly (number | boolean)[]): string => values.map(Number).join('.');

/** Suffixes naming the settings that differ from the profile's, in a fixed order. */
const NAME_PARTS: [keyof RunSettings, (s: RunSettings) => string][] = [
  ['conv', (s) => `conv${list(s.conv)}`],
  ['maxPool', (s) => `pool${list(s.maxPool)}`],
  ['fc', (s) => `fc${list(s.fc)}`],
  ['filterSize', (s) => `k${s.filterSize}`],
  ['threshold', (s) => `t${s.threshold}`],
  ['batchSize', (s) => `batch${s.batchSize}`],
  ['lrStart', (s) => `lr${s.lrStart}`],
  ['lrEnd', (s) => `lrend${s.lrEnd}`],
  ['lrSchedule', (s) => s.lrSchedule],
  ['loss', (s) => s.loss],
  ['epochs', (s) => `epochs${s.epochs}`],
  ['limit', (s) => `limit${s.limit}`],
  ['seed', (s) => `seed${s.seed}`],
];

/** `<dataset>-<profile>-<mode>`, then a suffix for every setting that changes the network and differs from the profile. */
export function runName(s: RunSettings): string {
  const base = s.profile === 'custom' ? PROFILES.paper : getProfile(s.profile);
  const mode = modeName(s);
  const reference: RunSettings = {
    ...profileSettings(base), ...modeQuantization(mode), ...(s.profile === 'custom' ? {} : profileTraining(base, mode, s.limit)),
    profile: s.profile, dataset: s.dataset, limit: undefined,
  };
  const suffixes = NAME_PARTS.filter(([key]) => !sameValue(s[key], reference[key])).map(([, part]) => part(s));
  return [s.dataset, s.profile, modeName(s), ...suffixes].join('-');
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** One setting on which two runs differ. */
export interface SettingDifference {
  key: keyof RunSettings;
  mine: unknown;
  theirs: unknown;
}

/** Every setting, in the order differences are listed. */
export const SETTING_KEYS: readonly (keyof RunSettings)[] = [
  'profile', 'dataset', 'limit', 'conv', 'maxPool', 'fc', 'filterSize', 'levels', 'threshold', 'continuous',
  'epochs', 'batchSize', 'lrStart', 'lrEnd', 'lrSchedule', 'loss', 'seed', 'checkpointEvery',
];

/** The settings among `keys` that both record, with different values (an undefined limit means all images). */
export function settingDifferences(
  mine: Partial<RunSettings>,
  theirs: Partial<RunSettings>,
  keys: readonly (keyof RunSettings)[],
): SettingDifference[] {
  return SETTING_KEYS.filter((key) => keys.includes(key) && key in mine && key in theirs && !sameValue(mine[key], theirs[key]))
    .map((key) => ({ key, mine: mine[key], theirs: theirs[key] }));
}

/** "lrStart 0.01 (checkpoint 0.003)"-style list of differences; `label` names each setting. */
export function describeDifferences(diffs: SettingDifference[], label: (key: keyof RunSettings) => string = (key) => key): string {
  const show = (v: unknown) => (v === undefined ? 'all' : JSON.stringify(v));
  return diffs.map((d) => `${label(d.key)} ${show(d.mine)} (checkpoint: ${show(d.theirs)})`).join(', ');
}

/** The plan of settings: its name, folder, and the architecture and training options they make. */
export function planOf(settings: RunSettings, out?: string): RunPlan {
  const name = runName(settings);
  const { conv, maxPool, fc, filterSize, levels, threshold, continuous } = settings;
  const { epochs, batchSize, lrStart, lrEnd, lrSchedule, loss, seed, checkpointEvery } = settings;
  return {
    ...settings,
    name,
    checkpointDir: out === undefined ? path.join(packageRoot(), 'checkpoints', name) : path.resolve(out),
    architecture: { conv, maxPool, fc, filterSize, levels, threshold, continuous },
    training: { epochs, batchSize, lrStart, lrEnd, lrSchedule, loss, seed, checkpointEvery },
  };
}

/** What a checkpoint records of the run beyond its config and training options. */
export function runRecord(s: RunSettings): RunRecord {
  return { profile: s.profile, dataset: s.dataset, limit: s.limit };
}

/** The plan of a new run: run_bnn.py's defaults < the profile < the mode < explicit values. */
export function resolveRun(request: RunRequest): RunPlan {
  return planOf(runSettings(request), request.out);
}

/** The settings of a new run: run_bnn.py's defaults < the profile < the mode < explicit values. */
export function runSettings(request: RunRequest): RunSettings {
  const { name, profile } = profileOf(request);
  return { ...profileSettings(profile), profile: name, limit: undefined, ...requestedSettings(request) };
}

/** gen_plots.ipynb's parameters cell (the fields that decide the network). */
export interface ExperimentParameters {
  /** '' for the profile's dataset. */
  dataset: string;
  /** 'quick' or 'paper'. */
  profile: string;
  /** 'binary', 'ternary' or 'continuous'. */
  mode: string;
  /** Checkpoint folder; '' for checkpoints/<run name> under the package root. */
  checkpoint: string;
  /** Seeds initialisation and shuffling. */
  seed: number;
  /** 0 for the profile's epochs. */
  epochs: number;
  /** Keep the first `limit` images of each split; 0 for all. */
  limit: number;
}

export type ExperimentPlan = RunPlan;

function nonNegativeInteger(name: string, value: number, meaning: string): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`Parameter ${name} = ${JSON.stringify(value)} is invalid; use a whole number ≥ 0 (${meaning}).`);
  }
}

/** The notebook's parameters as a run request ('' and 0 meaning "the profile's"). */
function experimentRequest(p: ExperimentParameters): RunRequest {
  getProfile(p.profile); // the notebook always names a profile
  if (p.dataset !== '') checkDatasetName(p.dataset, " (or '' for the profile's)");
  nonNegativeInteger('epochs', p.epochs, "0 keeps the profile's");
  nonNegativeInteger('limit', p.limit, '0 uses every image');
  if (!Number.isInteger(p.seed)) throw new Error(`Parameter seed = ${JSON.stringify(p.seed)} is invalid; use an integer.`);
  return {
    profile: p.profile,
    mode: p.mode,
    dataset: p.dataset === '' ? undefined : p.dataset,
    seed: p.seed,
    epochs: p.epochs === 0 ? undefined : p.epochs,
    limit: p.limit === 0 ? undefined : p.limit,
    out: p.checkpoint === '' ? undefined : p.checkpoint,
  };
}

/** Validates the notebook's parameters and resolves them to the run plan; errors name the parameter and the fix. */
export function experimentPlan(p: ExperimentParameters): ExperimentPlan {
  return resolveRun(experimentRequest(p));
}
