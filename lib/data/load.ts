/**
 * Loading MNIST, Fashion-MNIST and CIFAR-10 as float NHWC arrays split as in the original code.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { decodeCifarRecords, type RecordRange } from './cifar10';
import { getDatasetSpec, imageSize, type Cifar10DatasetSpec, type DatasetSpec, type IdxDatasetSpec } from './datasets';
import type { IdxArray } from './idx';
import { pixelTable } from './pixels';
import { resolveCifar10, resolveIdx, type FetchOptions, type FetchReport } from './resolve';

/** One split: `count` images, NHWC, image i at images[i·H·W·C .. (i+1)·H·W·C). */
export interface Split {
  images: Float32Array;
  labels: Int32Array;
  count: number;
  /** [height, width, channels] of one image. */
  shape: readonly [number, number, number];
}

export interface Dataset {
  name: string;
  train: Split;
  validation: Split;
  test: Split;
  classNames: readonly string[];
  /** Where each file came from (cache, system folder, download URL) and any copies rejected. */
  sources: FetchReport;
}

export interface LoadOptions extends FetchOptions {
  /** Keep at most this many images in each split (the first ones), for quick runs. */
  limit?: number;
}

/** A run of images of the training (or test) set that forms one split. */
interface SplitRange {
  start: number;
  count: number;
}

/**
 * Loads a dataset by name (`mnist`, `fashion-mnist`, `cifar10`; another name throws, listing them).
 *
 * Files are looked up in order: `options.dir` (or $BNN_DATA_DIR/<dataset>), the repository's
 * data/<dataset>/, then system folders (Debian's dataset-fashion-mnist installs Fashion-MNIST in
 * /usr/share/datasets/fashion-mnist); every copy is verified by checksum. What is missing is
 * downloaded and verified (unless `download: false`); if that is impossible the error says how to get
 * the data (`npm run data -- --dataset NAME`, or the apt package).
 *
 * Splits, as the original code: MNIST and Fashion-MNIST train = the first 50 000 training images,
 * validation = the last 10 000, test = the 10 000 test images; CIFAR-10 train = the first 49 500 of
 * the five training batches, validation = the last 500, test = the test batch. `limit` keeps the
 * first `limit` images of each split.
 *
 * Scaling, as the original: MNIST-family pixels are byte/256, in [0, 255/256] (the scaling of the
 * mnist.pkl.gz the original trained on); CIFAR-10 pixels are byte·2/255 − 1, in [−1, 1].
 *
 * Memory: train and validation are decoded straight into one Float32Array (for full CIFAR-10,
 * 50 000·3072·4 bytes ≈ 614 MB) and are `subarray` views of it; test has its own array.
 */
export async function loadDataset(name: string, options: LoadOptions = {}): Promise<Dataset> {
  return loadDatasetFromSpec(getDatasetSpec(name), options);
}

/** loadDataset for an explicit spec (tests use small ones). */
export async function loadDatasetFromSpec(spec: DatasetSpec, options: LoadOptions = {}): Promise<Dataset> {
  if (options.dir !== undefined && !existsSync(options.dir)) {
    // A mistyped folder must not quietly become the copy in data/ or the system's.
    throw new Error(
      `The data folder ${resolve(options.dir)} does not exist. Name the folder that holds the ${spec.name} files, ` +
        `leave it out to use data/${spec.dirName}/ or the system copies, or download into it: npm run data -- --dataset ${spec.name} --dir ${options.dir}`,
    );
  }
  const plan = splitPlan(spec, options.limit);
  const size = imageSize(spec);
  const nTrain = plan.train.count;
  const nVal = plan.validation.count;
  const nTest = plan.test.count;
  const table = pixelTable(spec.scaling);
  // Allocated only once the files are known to be there (full CIFAR-10 needs ~740 MB).
  const allocate = () => ({
    trainValImages: new Float32Array((nTrain + nVal) * size),
    trainValLabels: new Int32Array(nTrain + nVal),
    testImages: new Float32Array(nTest * size),
    testLabels: new Int32Array(nTest),
  });

  let sources: FetchReport;
  let out: ReturnType<typeof allocate>;
  if (spec.format === 'idx') {
    const idx = await resolveIdx(spec, options);
    sources = idx.report;
    out = allocate();
    decodeIdx(spec, idx.trainImages, idx.trainLabels, plan.train, table, out.trainValImages, out.trainValLabels, 0);
    decodeIdx(spec, idx.trainImages, idx.trainLabels, plan.validation, table, out.trainValImages, out.trainValLabels, nTrain);
    decodeIdx(spec, idx.testImages, idx.testLabels, plan.test, table, out.testImages, out.testLabels, 0);
  } else {
    const cifar = await resolveCifar10(spec, options);
    sources = cifar.report;
    out = allocate();
    const trainBatches = spec.trainBatches.map((f) => join(cifar.batchDir, f));
    const trainRuns = [{ ...plan.train, outIndex: 0 }, { ...plan.validation, outIndex: nTrain }];
    decodeCifarSplits(spec, trainBatches, trainRuns, table, out.trainValImages, out.trainValLabels);
    decodeCifarSplits(spec, [join(cifar.batchDir, spec.testBatch)], [{ ...plan.test, outIndex: 0 }], table, out.testImages, out.testLabels);
  }

  const split = (images: Float32Array, labels: Int32Array, from: number, count: number): Split => ({
    images: images.subarray(from * size, (from + count) * size),
    labels: labels.subarray(from, from + count),
    count,
    shape: spec.imageShape,
  });
  return {
    name: spec.name,
    train: split(out.trainValImages, out.trainValLabels, 0, nTrain),
    validation: split(out.trainValImages, out.trainValLabels, nTrain, nVal),
    test: split(out.testImages, out.testLabels, 0, nTest),
    classNames: spec.classNames,
    sources,
  };
}

/** Which images of the training and test sets form each split, after `limit`. */
function splitPlan(spec: DatasetSpec, limit: number | undefined): { train: SplitRange; validation: SplitRange; test: SplitRange } {
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) {
    throw new Error(`limit must be a positive integer, got ${limit}`);
  }
  const cap = (n: number) => (limit === undefined ? n : Math.min(n, limit));
  const trainCount = spec.trainPoolCount - spec.validationCount;
  return {
    train: { start: 0, count: cap(trainCount) },
    validation: { start: trainCount, count: cap(spec.validationCount) },
    test: { start: 0, count: cap(spec.testCount) },
  };
}

/** Decodes images [range.start, +count) of parsed IDX arrays into outImages/outLabels at outIndex. */
function decodeIdx(
  spec: IdxDatasetSpec,
  images: IdxArray,
  labels: IdxArray,
  range: SplitRange,
  table: Float32Array,
  outImages: Float32Array,
  outLabels: Int32Array,
  outIndex: number,
): void {
  const size = imageSize(spec);
  const src = images.values.subarray(range.start * size, (range.start + range.count) * size);
  const dst = outImages.subarray(outIndex * size, (outIndex + range.count) * size);
  for (let i = 0; i < src.length; i++) dst[i] = table[src[i]];
  const classes = spec.classNames.length;
  for (let i = 0; i < range.count; i++) {
    const label = labels.values[range.start + i];
    if (label >= classes) throw new Error(`${spec.name} labels: label ${label} at index ${range.start + i}, expected 0–${classes - 1}`);
    outLabels[outIndex + i] = label;
  }
}

/**
 * Decodes runs of records of consecutive CIFAR-10 batch files (record i lives in file
 * floor(i / recordsPerBatch)); each file is read once, and only if a run needs it.
 */
function decodeCifarSplits(
  spec: Cifar10DatasetSpec,
  batchPaths: string[],
  runs: (SplitRange & { outIndex: number })[],
  table: Float32Array,
  images: Float32Array,
  labels: Int32Array,
): void {
  const per = spec.recordsPerBatch;
  batchPaths.forEach((path, b) => {
    const pieces: RecordRange[] = [];
    for (const run of runs) {
      const first = Math.max(run.start, b * per);
      const end = Math.min(run.start + run.count, (b + 1) * per);
      if (end > first) pieces.push({ first: first - b * per, count: end - first, outIndex: run.outIndex + first - run.start });
    }
    if (pieces.length === 0) return;
    const batch = readFileSync(path);
    for (const piece of pieces) decodeCifarRecords(batch, piece, table, images, labels, path);
  });
}

/** The folders a dataset's files were read from, e.g. "/usr/share/datasets/fashion-mnist". */
export function sourceFolders(data: Dataset): string {
  const folders = [...new Set(data.sources.files.map((f) => dirname(f.path)))];
  return folders.length > 0 ? folders.join(', ') : 'memory (no files)';
}
