/**
 * Command-line flags of `npm run train`: those of the original run_bnn.py (in kebab-case), plus
 * --seed, --out, --limit, --mode and --profile presets. Precedence: run_bnn.py defaults < profile <
 * explicit flags.
 */
import { parseArgs } from 'node:util';
import { checkDatasetName } from '../data/datasets';
import { PROFILES, defaultCheckpointDir, getProfile, modeQuantization } from '../experiment/profiles';
import { ArchitectureOptions } from '../model/config';
import { LOSS_NAMES, LossName } from '../model/loss';
import { PAPER_TERNARY_THRESHOLD } from '../paper-constants';
import { TrainOptions } from '../train/options';

export const TRAIN_USAGE = `Train a binary (or ternary) neural network and score it on the test set.

Usage: npm run train -- [flags]

Presets
  --profile quick|paper   quick: Fashion-MNIST, conv 32,64,128, max-pool 1,1,0, fc 256, 5 epochs
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
  --lr-start LR           learning rate of the first epoch (default 0.001)
  --lr-end LR             rate reached after the last epoch, exponential decay (default 3e-7)
  --loss-mode hinge|softmax   squared hinge (default) or softmax cross-entropy
  --ckpt-n N              checkpoint every N epochs, and always at the end (default 10)
  --seed N                seeds initial weights and shuffling (default 0)

Files
  --out DIR               checkpoint folder (default checkpoints/<dataset>-<profile>-<mode>)
  --param-file DIR        resume from this checkpoint (weights, batch-norm statistics, Adam state, epoch)
  --backend NAME          force tensorflow | wasm | cpu (or set BNN_BACKEND)
  -h, --help              this text
`;

export interface TrainCommand {
  dataset: string;
  dataDir?: string;
  limit?: number;
  architecture: Omit<ArchitectureOptions, 'inputShape' | 'classes'>;
  /** True when the user chose the architecture (profile or flags): a resumed checkpoint must match it. */
  architectureGiven: boolean;
  training: TrainOptions;
  out: string;
  resume?: string;
  backend?: string;
  help: boolean;
}

/** Digits only, or a decimal number with an optional exponent: Number() alone would take '0x1', ' ' and 'Infinity'. */
const WHOLE = /^\d+$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

function intList(flag: string, text: string, allowed?: readonly number[]): number[] {
  const entries = text.split(',').map((s) => s.trim());
  if (entries.some((e) => !WHOLE.test(e))) {
    throw new Error(`--${flag} takes comma-separated whole numbers, e.g. --${flag} 32,64,128; got '${text}'.`);
  }
  const values = entries.map(Number);
  if (allowed && values.some((v) => !allowed.includes(v))) {
    throw new Error(`--${flag} takes ${allowed.join(' or ')} for each layer; got '${text}'.`);
  }
  return values;
}

function number(flag: string, text: string | undefined, integer: boolean): number | undefined {
  if (text === undefined) return undefined;
  if (!(integer ? WHOLE : DECIMAL).test(text.trim())) {
    throw new Error(`--${flag} takes ${integer ? 'a whole number' : 'a number'}; got '${text}'.`);
  }
  return Number(text);
}

function lossName(text: string | undefined): LossName | undefined {
  if (text === undefined) return undefined;
  const name = text === 'hinge-loss' ? 'hinge' : text; // run_bnn.py spelled it hinge-loss
  if (!(LOSS_NAMES as readonly string[]).includes(name)) {
    throw new Error(`--loss-mode must be one of: ${LOSS_NAMES.join(', ')}; got '${text}'.`);
  }
  return name as LossName;
}

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
      'loss-mode': { type: 'string' }, 'ckpt-n': { type: 'string' }, seed: { type: 'string' },
      out: { type: 'string' }, 'param-file': { type: 'string' }, backend: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
  });
  const profileName = v.profile;
  const base = profileName ? getProfile(profileName) : PROFILES.paper;
  const mode = v.mode ?? (v.continuous ? 'continuous' : 'binary');
  const q = modeQuantization(mode);
  const dataset = checkDatasetName(v.dataset ?? base.dataset);
  const conv = v.conv !== undefined ? intList('conv', v.conv) : base.conv;
  const maxPool = v['max-pool'] !== undefined ? intList('max-pool', v['max-pool'], [0, 1]).map((x) => x !== 0) : base.maxPool;
  const levels = number('levels', v.levels, true) ?? q.levels;
  const architecture = {
    conv,
    maxPool,
    fc: v.fc !== undefined ? intList('fc', v.fc) : base.fc,
    filterSize: number('filter-size', v['filter-size'], true) ?? 3,
    levels: levels as 2 | 3,
    threshold: number('threshold', v.threshold, false) ?? (levels === 3 ? PAPER_TERNARY_THRESHOLD : 0),
    continuous: v.continuous || q.continuous,
  };
  const t = base.training;
  const training: TrainOptions = {
    epochs: number('epochs', v.epochs, true) ?? t.epochs,
    batchSize: number('batch-size', v['batch-size'], true) ?? t.batchSize,
    lrStart: number('lr-start', v['lr-start'], false) ?? t.lrStart,
    lrEnd: number('lr-end', v['lr-end'], false) ?? t.lrEnd,
    loss: lossName(v['loss-mode']) ?? t.loss,
    checkpointEvery: number('ckpt-n', v['ckpt-n'], true) ?? t.checkpointEvery,
    seed: number('seed', v.seed, true) ?? 0,
  };
  if (v.debug && v.limit !== undefined) throw new Error('--debug means --limit 100: give one of them, not both.');
  const limit = v.debug ? 100 : number('limit', v.limit, true);
  if (limit === 0) throw new Error('--limit takes the number of images to keep of each split, at least 1; got 0.');
  const modeName = architecture.continuous ? 'continuous' : architecture.levels === 3 ? 'ternary' : 'binary';
  return {
    dataset,
    dataDir: v['data-dir'],
    limit,
    architecture,
    architectureGiven: Boolean(profileName || v.conv || v['max-pool'] || v.fc || v['filter-size']),
    training,
    out: v.out ?? defaultCheckpointDir(dataset, profileName ?? 'custom', modeName),
    resume: v['param-file'],
    backend: v.backend,
    help: Boolean(v.help),
  };
}
