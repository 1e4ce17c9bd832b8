/**
 * Checkpoints: a folder with `manifest.json` (config, epoch, metrics, training options, weight
 * specs) and one binary weights file (tf.io.encodeWeights), named by epoch and content hash. The
 * weights file is written first under its new name, then the manifest that points at it (and records
 * its SHA-256), each atomically: an interrupted save leaves the previous checkpoint loadable, and a
 * manifest is never paired with other weights; a changed byte is named as corruption on load.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { NetworkConfig, configDifference, validateConfig } from '../model/config';
import { Network, createNetwork, disposeNetwork, layerVariables } from '../model/network';
import { TrainOptions, validateTrainOptions } from './options';
import type { LayerGeometry } from '../analysis/geometry';
import { removeStaleTemporaries, writeFileAtomic } from '../util/atomic-write';
import { ensureDir } from '../util/ensure-dir';
import { checkOutputFolder, markOutputFolder } from '../util/output-folder';
import { sha256Hex } from '../util/sha256';

export const CHECKPOINT_FORMAT = 'bnn-geometry-checkpoint';
export const CHECKPOINT_VERSION = 1;
const MANIFEST = 'manifest.json';

export interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

export interface EpochMetrics {
  /** 1-based epoch number. */
  epoch: number;
  /** The rate of the epoch's first batch. */
  learningRate: number;
  trainLoss: number;
  trainAccuracy: number;
  validationLoss: number;
  validationAccuracy: number;
  seconds: number;
  imagesPerSecond: number;
  /** The weights' geometry after the epoch (absent in checkpoints saved before it was recorded). */
  geometry?: LayerGeometry[];
}

/** What the checkpoint's network was trained on, beyond its config and options: the profile, the data and the subset. */
export interface RunRecord {
  profile: string;
  dataset: string;
  /** First images kept of each split; absent for all. */
  limit?: number;
}

export interface CheckpointContents {
  config: NetworkConfig;
  /** Epochs completed. */
  epoch: number;
  history: EpochMetrics[];
  training?: TrainOptions;
  /** Absent in checkpoints saved before it was recorded. */
  run?: RunRecord;
  /** Adam state: iterations and moments, named `<layer>/<W|beta>/<m|v>` and 'iter'. */
  optimizer?: NamedTensor[];
  /** The weights' geometry at initialisation (absent in checkpoints saved before it was recorded). */
  initialGeometry?: LayerGeometry[];
}

interface Manifest {
  format: string;
  version: number;
  savedAt: string;
  backend: string;
  config: NetworkConfig;
  epoch: number;
  history: EpochMetrics[];
  training?: TrainOptions;
  run?: RunRecord;
  initialGeometry?: LayerGeometry[];
  weightsFile: string;
  /** SHA-256 of the weights file (absent in checkpoints saved before it was recorded). */
  weightsSha256?: string;
  weightSpecs: tf.io.WeightsManifestEntry[];
}


/** Checkpoint name of a network tensor: the variable name without the per-network prefix. */
export function portableName(variableName: string): string {
  return variableName.replace(/^bnn\d+\//, '');
}

function networkTensors(net: Network): NamedTensor[] {
  return net.layers.flatMap(layerVariables).map((v) => ({ name: portableName(v.name), tensor: v }));
}

/** Saves a network (and optionally training state) into `dir`, creating it if needed. */
export async function saveCheckpoint(dir: string, net: Network, state: Omit<CheckpointContents, 'config'>): Promise<string> {
  ensureDir(dir);
  markOutputFolder(dir, 'a checkpoint');
  removeStaleTemporaries(dir);
  const optimizer = (state.optimizer ?? []).map(({ name, tensor }) => ({ name: `optimizer/${portableName(name)}`, tensor }));
  const { data, specs } = await tf.io.encodeWeights([...networkTensors(net), ...optimizer]);
  const bytes = new Uint8Array(data);
  const weightsSha256 = sha256Hex(bytes);
  // Named by content: a manifest can only ever point at its own weights, even when two runs save the
  // same epoch into one folder and a save is cut off between the weights and the manifest.
  const weightsFile = `weights-epoch${String(state.epoch).padStart(4, '0')}-${weightsSha256.slice(0, 16)}.bin`;
  writeFileAtomic(path.join(dir, weightsFile), bytes);
  const manifest: Manifest = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    savedAt: new Date().toISOString(),
    backend: tf.getBackend(),
    config: net.config,
    epoch: state.epoch,
    history: state.history,
    training: state.training,
    run: state.run,
    initialGeometry: state.initialGeometry,
    weightsFile,
    weightsSha256,
    weightSpecs: specs,
  };
  writeFileAtomic(path.join(dir, MANIFEST), JSON.stringify(manifest, null, 2));
  for (const f of fs.readdirSync(dir)) {
    if (/^weights-epoch\d+(-[0-9a-f]{16})?\.bin$/.test(f) && f !== weightsFile) fs.rmSync(path.join(dir, f), { force: true });
  }
  return dir;
}

/**
 * Throws unless `dir` may hold this project's checkpoints: new, empty, or one it wrote (marked, or
 * holding a manifest); a symbolic link to such a folder (say, on a bigger disk) is fine.
 */
export function checkCheckpointFolder(dir: string): void {
  checkOutputFolder(dir, 'The checkpoint folder', (names) => names.includes(MANIFEST), { followLinks: true });
}

/** True when `dir` holds a checkpoint manifest. */
export function checkpointExists(dir: string): boolean {
  return fs.existsSync(path.join(dir, MANIFEST));
}

/** What is wrong with the manifest's weight specs (each a name, a shape of positive whole numbers, 4-byte values), or undefined. */
function weightSpecProblem(specs: unknown): string | undefined {
  if (!Array.isArray(specs)) return 'weightSpecs is not a list';
  for (const [i, spec] of (specs as Partial<tf.io.WeightsManifestEntry>[]).entries()) {
    const at = `weightSpecs[${i}]${typeof spec?.name === 'string' ? ` (${spec.name})` : ''}`;
    if (typeof spec !== 'object' || spec === null || typeof spec.name !== 'string') return `${at} has no name`;
    if (!Array.isArray(spec.shape) || !spec.shape.every((d) => Number.isInteger(d) && d > 0)) {
      return `${at} has shape ${JSON.stringify(spec.shape)}; a shape is a list of positive whole numbers`;
    }
    if (spec.dtype !== 'float32' && spec.dtype !== 'int32') return `${at} has dtype ${JSON.stringify(spec.dtype)}; checkpoints hold float32 (and Adam's int32 step)`;
  }
  return undefined;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What is wrong with the manifest's other fields (epoch, history, training, run, weights file name), or undefined. */
function manifestFieldProblem(m: Manifest): string | undefined {
  const shown = (v: unknown) => JSON.stringify(v)?.slice(0, 40);
  if (!Number.isInteger(m.epoch) || m.epoch < 0) return `epoch is ${shown(m.epoch)}; it must be a whole number ≥ 0`;
  if (!Array.isArray(m.history)) return `history is ${shown(m.history)}; it must be a list of epoch records`;
  const record = (m.history as unknown[]).findIndex((h) => !isRecord(h) || !Number.isInteger(h.epoch) || typeof h.trainLoss !== 'number');
  if (record >= 0) return `history[${record}] is ${shown(m.history[record])}; each entry records an epoch's number and losses`;
  if (m.history.length > m.epoch) return `history has ${m.history.length} epochs but epoch is ${m.epoch}`;
  if (m.training !== undefined) {
    if (!isRecord(m.training)) return `training is ${shown(m.training)}; it must be the training options`;
    try {
      validateTrainOptions(m.training);
    } catch (err) {
      return `training: ${(err as Error).message.replace(/\.$/, '')}`;
    }
  }
  if (m.run !== undefined && (!isRecord(m.run) || typeof m.run.profile !== 'string' || typeof m.run.dataset !== 'string')) {
    return `run is ${shown(m.run)}; it must name the profile and dataset`;
  }
  // A bare file name: the manifest must not send a reader outside its folder.
  if (!/^[\w.-]+$/.test(m.weightsFile) || m.weightsFile.startsWith('.')) return `weightsFile is ${shown(m.weightsFile)}; it must be a file name in the checkpoint folder`;
  return undefined;
}

function readManifest(dir: string): Manifest {
  const file = path.join(dir, MANIFEST);
  if (!fs.existsSync(file)) {
    throw new Error(`No checkpoint at ${dir}: ${MANIFEST} is missing. Train one first (npm run train -- --out ${dir}).`);
  }
  let manifest: Manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest;
  } catch (err) {
    throw new Error(`Corrupt checkpoint manifest ${file}: ${(err as Error).message}.`, { cause: err });
  }
  if (manifest.format !== CHECKPOINT_FORMAT || manifest.version !== CHECKPOINT_VERSION) {
    throw new Error(
      `${file} is not a ${CHECKPOINT_FORMAT} v${CHECKPOINT_VERSION} manifest (format ${manifest.format}, version ${manifest.version}).`,
    );
  }
  const fields: [keyof Manifest, string][] = [['config', 'object'], ['epoch', 'number'], ['weightsFile', 'string'], ['weightSpecs', 'object']];
  const missing = fields.filter(([key, type]) => typeof manifest[key] !== type || manifest[key] === null).map(([key]) => key);
  if (missing.length > 0) {
    throw new Error(`Corrupt checkpoint manifest ${file}: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing or of the wrong type. Train again or restore the file.`);
  }
  // Saved before schedules had names, when every run decayed its rate once per epoch.
  const training: unknown = manifest.training;
  if (isRecord(training) && training.lrSchedule === undefined) manifest.training = { ...training, lrSchedule: 'exponential' } as unknown as TrainOptions;
  const problem = weightSpecProblem(manifest.weightSpecs) ?? manifestFieldProblem(manifest);
  if (problem) throw new Error(`Corrupt checkpoint manifest ${file}: ${problem}. Train again or restore the file.`);
  return manifest;
}

/** A checkpoint's description without its tensors: what was trained, how, and for how many epochs. */
export function readCheckpointInfo(dir: string): Omit<CheckpointContents, 'optimizer'> {
  const { config, epoch, history, training, run, initialGeometry } = readManifest(dir);
  return { config: validateConfig(config), epoch, history, training, run, initialGeometry };
}

/**
 * Loads a checkpoint into a new network. With `expected`, the checkpoint's config must equal it;
 * every tensor's presence and shape is checked, and the error names the first mismatch.
 */
export function loadCheckpoint(dir: string, expected?: NetworkConfig): { net: Network } & CheckpointContents {
  const manifest = readManifest(dir);
  const config = validateConfig(manifest.config);
  if (expected) {
    const diff = configDifference(expected, config);
    if (diff) {
      throw new Error(`Checkpoint ${dir} does not match the requested architecture (expected vs checkpoint) at ${diff}.`);
    }
  }
  const weightsPath = path.join(dir, manifest.weightsFile);
  if (!fs.existsSync(weightsPath)) throw new Error(`Checkpoint ${dir} is incomplete: ${manifest.weightsFile} is missing.`);
  const buffer = fs.readFileSync(weightsPath);
  const expectedBytes = manifest.weightSpecs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1) * 4, 0);
  if (buffer.byteLength !== expectedBytes) {
    throw new Error(`Checkpoint ${weightsPath} is truncated or corrupt: ${buffer.byteLength} bytes, the manifest needs ${expectedBytes}.`);
  }
  if (typeof manifest.weightsSha256 === 'string' && sha256Hex(buffer) !== manifest.weightsSha256) {
    throw new Error(`Checkpoint ${weightsPath} is corrupt: its content differs from what the manifest recorded (SHA-256). Restore it or train again.`);
  }
  // Inside tidy: if decoding fails part-way, the tensors it already made are freed.
  const tensors = tf.tidy(() => tf.io.decodeWeights(buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength), manifest.weightSpecs));
  let net: Network | undefined;
  let loaded = false;
  try {
    const specShape = new Map(manifest.weightSpecs.map((s) => [s.name, s.shape]));
    net = createNetwork(config, 0);
    const variables = net.layers.flatMap(layerVariables);
    for (const v of variables) {
      const name = portableName(v.name);
      const got = specShape.get(name);
      if (!got) throw new Error(`Checkpoint ${dir} has no tensor ${name}; it does not match its own config.`);
      if (got.join() !== v.shape.join()) {
        throw new Error(`Checkpoint ${dir}: ${name} has shape [${got}] but the architecture needs [${v.shape}].`);
      }
    }
    for (const v of variables) v.assign(tensors[portableName(v.name)]);
    const optimizer = manifest.weightSpecs
      .filter((s) => s.name.startsWith('optimizer/'))
      .map((s) => ({ name: s.name.slice('optimizer/'.length), tensor: tensors[s.name] }));
    loaded = true;
    return {
      net,
      config,
      epoch: manifest.epoch,
      history: manifest.history,
      training: manifest.training,
      run: manifest.run,
      initialGeometry: manifest.initialGeometry,
      optimizer: optimizer.length ? optimizer : undefined,
    };
  } finally {
    // Adam's tensors go to the caller; everything else, and all of it on an error, is freed here.
    tf.dispose(Object.entries(tensors).filter(([name]) => !loaded || !name.startsWith('optimizer/')).map(([, t]) => t));
    if (!loaded && net) disposeNetwork(net);
  }
}
