/**
 * CIFAR-10 binary version (www.cs.toronto.edu/~kriz/cifar.html): each batch file is a run of
 * 3073-byte records, one label byte (0–9) then 3072 pixel bytes — the 1024 red values, then green,
 * then blue, each plane row-major over 32×32. Here: extraction from the published tar.gz, checks of
 * the extracted batches, and decoding of records straight into an NHWC float array.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { extract } from 'tar';
import { ensureDir } from '../util/ensure-dir';
import type { Cifar10DatasetSpec } from './datasets';

const SIDE = 32;
const CHANNELS = 3;
const PLANE = SIDE * SIDE;
/** Bytes per record: 1 label byte + 3072 pixel bytes. */
export const CIFAR10_RECORD_BYTES = 1 + CHANNELS * PLANE;

/** The batch files a CIFAR-10 folder must hold: the training batches in order, then the test batch. */
export function cifarBatchFiles(spec: Cifar10DatasetSpec): string[] {
  return [...spec.trainBatches, spec.testBatch];
}

/**
 * Checks that `batchDir` holds every batch with its exact size and content (the SHA-1 of the
 * published file). Returns null when it does, else each wrong file and what is wrong with it.
 */
export function checkCifarBatches(batchDir: string, spec: Cifar10DatasetSpec): string | null {
  const problems = cifarBatchFiles(spec).flatMap((name) => batchProblem(join(batchDir, name), name, spec) ?? []);
  return problems.length > 0 ? problems.join('; ') : null;
}

function batchProblem(path: string, name: string, spec: Cifar10DatasetSpec): string | null {
  const expected = spec.recordsPerBatch * CIFAR10_RECORD_BYTES;
  if (!existsSync(path)) return `${path} is missing`;
  const size = statSync(path).size;
  if (size !== expected) return `${path} has ${size} bytes, expected ${expected} (${spec.recordsPerBatch} records)`;
  const sha1 = createHash('sha1').update(readFileSync(path)).digest('hex');
  if (sha1 !== spec.batchSha1[name]) {
    return `${path} is not the published ${name}: its SHA-1 is ${sha1}, the published file's ${spec.batchSha1[name]}`;
  }
  return null;
}

/**
 * Extracts the batches and the class-name file of a verified CIFAR-10 archive into
 * `<destDir>/<spec.batchDir>/`. The members are streamed out of the tar.gz into a temporary folder
 * next to the destination, checked, then renamed into place, so a failed or interrupted extraction
 * never leaves a partial folder where the loader looks.
 */
export async function extractCifar10(archivePath: string, destDir: string, spec: Cifar10DatasetSpec): Promise<string> {
  const wanted = new Set([...cifarBatchFiles(spec), spec.metaFile].map((f) => `${spec.batchDir}/${f}`));
  const tmpDir = join(destDir, `.${spec.batchDir}.${process.pid}.tmp`);
  const finalDir = join(destDir, spec.batchDir);
  rmSync(tmpDir, { recursive: true, force: true });
  ensureDir(tmpDir);
  try {
    await extract({
      file: archivePath,
      cwd: tmpDir,
      strict: true,
      filter: (path) => wanted.has(path.replace(/^\.\//, '')),
    }).catch((err: Error) => {
      throw new Error(`${archivePath}: cannot extract (${err.message})`);
    });
    const extracted = join(tmpDir, spec.batchDir);
    const problem = checkCifarBatches(extracted, spec);
    if (problem !== null) {
      const members = problem.split(`${tmpDir}/`).join('');
      throw new Error(`${archivePath}: not a complete CIFAR-10 binary archive: ${members}`);
    }
    rmSync(finalDir, { recursive: true, force: true });
    renameSync(extracted, finalDir);
  } finally {
    rmSync(tmpDir, { recursive: true, force: true });
  }
  return finalDir;
}

/** A run of records to decode and where it goes in the output (in images, not bytes). */
export interface RecordRange {
  /** Index of the first record within the batch. */
  first: number;
  count: number;
  /** Index of the output image the first record is written to. */
  outIndex: number;
}

/**
 * Decodes CIFAR-10 records of one batch into NHWC floats: pixel (c, y, x) of record r goes to
 * images[((outIndex·32 + y)·32 + x)·3 + c] = table[byte]; the label goes to labels[outIndex].
 * A label outside 0–9 throws, naming `source` and the record.
 */
export function decodeCifarRecords(
  batch: Uint8Array,
  range: RecordRange,
  table: Float32Array,
  images: Float32Array,
  labels: Int32Array,
  source: string,
): void {
  const needed = (range.first + range.count) * CIFAR10_RECORD_BYTES;
  if (batch.length < needed) {
    throw new Error(`${source}: truncated CIFAR-10 batch: ${batch.length} bytes, need ${needed}`);
  }
  for (let k = 0; k < range.count; k++) {
    const rec = (range.first + k) * CIFAR10_RECORD_BYTES;
    const label = batch[rec];
    if (label > 9) throw new Error(`${source}: record ${range.first + k} has label ${label}, expected 0–9`);
    const o = range.outIndex + k;
    labels[o] = label;
    const out = o * PLANE * CHANNELS;
    for (let c = 0; c < CHANNELS; c++) {
      const plane = rec + 1 + c * PLANE;
      for (let p = 0; p < PLANE; p++) images[out + p * CHANNELS + c] = table[batch[plane + p]];
    }
  }
}
