/**
 * Command-line flags of `npm run train`: those of the original run_bnn.py (in kebab-case), plus
 * --seed, --out, --limit, --mode and --profile presets, --overwrite. The run plan (experiment/plan.ts,
 * shared with gen_plots.ipynb) resolves them: run_bnn.py defaults < profile < mode < explicit flags.
 */
import { parseArgs } from 'node:util';
import { checkDatasetName } from '../data/datasets';
import { RunPlan, RunRequest, RunSettings, resolveRun } from '../experiment/plan';
import { getProfile, modeQuantization } from '../experiment/profiles';
import { resumeRun } from '../experiment/stored-run';
import { LOSS_NAMES } from '../model/loss';
import { LR_SCHEDULES } from '../train/options';
import { choiceFlag, numberFlag, pathFlag, wholeNumberList } from './flag-values';

export const TRAIN_USAGE = `Train a binary (or ternary) neural network and score it on the test set.

Usage: npm run train -- [flags]

Presets
  --profile quick|paper   quick: Fashion-MNIST, conv 32,64,128, max-pool 1,1,0, fc 256, 5 epochs of batch 200,
                                 the rate along a cosine from 7e-3 to 1e-5 (ternary: batch 50, 3e-3 → 3e-4 per epoch)
                          paper: CIFAR-10, conv 128,128,256,256,512,512, max-pool 0,1,0,1,0,1,
                                 fc 1024,1024, 500 epochs (the original run_bnn.py defaults)
  --mode binary|ternary|continuous   quantization (ternary: --levels 3 --threshold 0.02)

Data
  --dataset NAME          mnist | fashion-mnist | cifar10 (default cifar10)
  --data-dir DIR          folder holding the dataset's files (default: data/<dataset>, then system folders)
  --limit N               keep the first N images of each split (quick experiments)
  --debug                 use the first 100 images of each split (a smoke test, like run_bnn.py --debug)

Network
  --conv A,B,...          feature maps of each conv layer
  --max-pool 0,1,...      2x2 max-pool after each conv layer (1) or not (0)
  --fc A,B,...            hidden units of each fully connected layer
  --filter-size K         conv kernel size (default 3)
  --levels 2|3            binary or ternary quantization (default 2)
  --threshold T           ternary threshold in (0, 1)
  --continuous            no quantization: the full-precision baseline

Optimisation
  --epochs N              (default 500)
  --batch-size N          (default 50)
  --lr-start LR           learning rate of the first batch (default 0.001)
  --lr-end LR             rate reached after the last batch (default 3e-7)
  --lr-schedule exponential|cosine
                          how it gets there: once per epoch, as run_bnn.py (default), or after every
                          batch along half a cosine (the quick profile)
  --loss-mode hinge|softmax   squared hinge (default) or softmax cross-entropy
  --ckpt-n N              checkpoint every N epochs, and always at the end (default 10)
  --seed N                seeds initial weights and shuffling (default 0)

Files
  --out DIR               checkpoint folder (default checkpoints/<dataset>-<profile>-<mode>, then every
                          setting that differs from the profile, e.g. fashion-mnist-quick-binary-epochs1-limit200)
  --overwrite             replace a checkpoint already in that folder (refused otherwise)
  --param-file DIR        resume the run in DIR, with its settings, in DIR, exactly where it stopped (weights,
                          batch-norm statistics, Adam state, epoch); only --epochs may differ, to extend it
  --backend NAME          force tensorflow | wasm | cpu (or set BNN_BACKEND)
  -h, --help              this text
`;

export interface TrainCommand {
  /** The run the flags ask for: profile, mode and every explicit setting (the run plan fills in the rest). */
  request: RunRequest;
  dataDir?: string;
  /** Checkpoint folder to resume (--param-file). */
  resume?: string;
  /** Replace a checkpoint already in the output folder. */
  overwrite: boolean;
  backend?: string;
  help: boolean;
}

/** The flag that sets each run setting, for messages. */
const FLAGS: Record<keyof RunSettings, string> = {
  profile: '--profile', dataset: '--dataset', limit: '--limit', conv: '--conv', maxPool: '--max-pool', fc: '--fc',
  filterSize: '--filter-size', levels: '--levels', threshold: '--threshold', continuous: '--continuous', epochs: '--epochs',
  batchSize: '--batch-size', lrStart: '--lr-start', lrEnd: '--lr-end', lrSchedule: '--lr-schedule', loss: '--loss-mode', seed: '--seed', checkpointEvery: '--ckpt-n',
};

/** The flag that sets a run setting. */
export const flagOf = (key: keyof RunSettings): string => FLAGS[key];

/** The run a command trains: a new one (profile < mode < flags), or the resumed checkpoint's own. */
export function trainPlan(cmd: TrainCommand): RunPlan {
  return cmd.resume === undefined ? resolveRun(cmd.request) : resumeRun(cmd.request, cmd.resume, flagOf);
}

/** Seeds are 32-bit: a larger one would silently wrap to another seed's weights. */
const MAX_SEED = 2 ** 32 - 1;

/** Parses argv (without node and script) into a validated command; throws with the fix on bad flags. */
export function parseTrainArgs(argv: string[]): TrainCommand {
  const { values: v } = parseArgs({
    args: argv,
    strict: true,
    options: {
      profile: { type: 'string' }, mode: { type: 'string' },
      dataset: { type: 'string' }, 'data-dir': { type: 'string' }, limit: { type: 'string' }, debug: { type: 'boolean' },
      conv: { type: 'string' }, 'max-pool': { type: 'string' }, fc: { type: 'string' }, 'filter-size': { type: 'string' },
      levels: { type: 'string' }, threshold: { type: 'string' }, continuous: { type: 'boolean' },
      epochs: { type: 'string' }, 'batch-size': { type: 'string' }, 'lr-start': { type: 'string' }, 'lr-end': { type: 'string' },
      'lr-schedule': { type: 'string' }, 'loss-mode': { type: 'string' }, 'ckpt-n': { type: 'string' }, seed: { type: 'string' },
      out: { type: 'string' }, 'param-file': { type: 'string' }, overwrite: { type: 'boolean' }, backend: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (v.debug && v.limit !== undefined) throw new Error('--debug means --limit 100: give one of them, not both.');
  const limit = v.debug ? 100 : numberFlag('limit', v.limit, true);
  if (limit === 0) throw new Error('--limit takes the number of images to keep of each split, at least 1; got 0.');
  if (v.overwrite && v['param-file'] !== undefined) {
    throw new Error('--overwrite starts a new run over a checkpoint, --param-file continues one: give one of them.');
  }
  if (v.mode !== undefined) modeQuantization(v.mode); // names the modes at once
  if (v.continuous && v.mode !== undefined && v.mode !== 'continuous') {
    throw new Error(`--continuous trains a full-precision network; --mode ${v.mode} asks for a quantized one: give one of them.`);
  }
  const seed = numberFlag('seed', v.seed, true);
  if (seed !== undefined && seed > MAX_SEED) throw new Error(`--seed takes a whole number from 0 to ${MAX_SEED} (seeds are 32-bit); got '${v.seed}'.`);
  if (v.profile !== undefined) getProfile(v.profile);
  if (v.dataset !== undefined) checkDatasetName(v.dataset);
  const levels = numberFlag('levels', v.levels, true);
  const request: RunRequest = {
    profile: v.profile,
    mode: v.mode,
    continuous: v.continuous ? true : undefined,
    dataset: v.dataset,
    limit,
    conv: v.conv === undefined ? undefined : wholeNumberList('conv', v.conv),
    maxPool: v['max-pool'] === undefined ? undefined : wholeNumberList('max-pool', v['max-pool'], [0, 1]).map((x) => x !== 0),
    fc: v.fc === undefined ? undefined : wholeNumberList('fc', v.fc),
    filterSize: numberFlag('filter-size', v['filter-size'], true),
    levels: levels as 2 | 3 | undefined,
    threshold: numberFlag('threshold', v.threshold, false),
    epochs: numberFlag('epochs', v.epochs, true),
    batchSize: numberFlag('batch-size', v['batch-size'], true),
    lrStart: numberFlag('lr-start', v['lr-start'], false),
    lrEnd: numberFlag('lr-end', v['lr-end'], false),
    lrSchedule: choiceFlag('lr-schedule', v['lr-schedule'], LR_SCHEDULES),
    // run_bnn.py spelled it hinge-loss
    loss: choiceFlag('loss-mode', v['loss-mode'] === 'hinge-loss' ? 'hinge' : v['loss-mode'], LOSS_NAMES),
    checkpointEvery: numberFlag('ckpt-n', v['ckpt-n'], true),
    seed,
    out: pathFlag('out', v.out),
  };
  return {
    request,
    dataDir: pathFlag('data-dir', v['data-dir']),
    resume: pathFlag('param-file', v['param-file']),
    overwrite: Boolean(v.overwrite),
    backend: v.backend,
    help: Boolean(v.help),
  };
}
