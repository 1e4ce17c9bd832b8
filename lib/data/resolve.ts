/**
 * Finding a dataset's files: each file is taken from the first place that holds a verified copy —
 * the caller's folder (or $BNN_DATA_DIR/<dataset>), the repository's data/<dataset>/, an OS
 * package's folder — and otherwise downloaded, verified, into the first of those places. A copy that
 * fails verification is skipped and reported, never used.
 */
import { existsSync, rmSync } from 'node:fs';
import { join, sep } from 'node:path';
import { checkCifarBatches, extractCifar10 } from './cifar10';
import {
  getDatasetSpec,
  idxFiles,
  publishedFiles,
  type Cifar10DatasetSpec,
  type DatasetSpec,
  type IdxDatasetSpec,
  type IdxFileSpec,
} from './datasets';
import { checkPublishedFile, downloadVerified, terminalDownloadReporter, type DownloadEvent } from './download';
import { readIdxGz, type IdxArray } from './idx';
import { dataLocations, DATA_DIR_ENV, MIRROR_ENV, mirrorUrls, type DataLocation } from './paths';

export interface FetchOptions {
  /** Folder holding this dataset's files; downloads go here. Default: $BNN_DATA_DIR/<dataset>, else data/<dataset>/. */
  dir?: string;
  /** Download what is not found locally (default true). */
  download?: boolean;
  /** Base URLs to download from instead of the dataset's mirrors (default: $BNN_DATA_MIRROR, comma-separated). */
  mirrors?: readonly string[];
  /** Receives download progress; default: a progress bar on stderr (plain lines when not a TTY). */
  onProgress?: (event: DownloadEvent) => void;
}

/** Where one verified file (or extracted folder) came from. */
export interface FileOrigin {
  file: string;
  path: string;
  /** 'dir': the caller's folder or BNN_DATA_DIR; 'cache': the repo's data/; 'system': an OS package; 'download'. */
  origin: DataLocation['kind'] | 'download';
  /** The URL, for a download. */
  url?: string;
  /** For CIFAR-10 batches: the archive they were just extracted from. */
  extractedFrom?: string;
}

/** A local file that was found but not used, and why. */
export interface Rejection {
  path: string;
  reason: string;
}

export interface FetchReport {
  dataset: string;
  files: FileOrigin[];
  rejected: Rejection[];
}

/** Resolved IDX dataset: the report plus the four parsed, verified arrays. */
export interface ResolvedIdx {
  report: FetchReport;
  trainImages: IdxArray;
  trainLabels: IdxArray;
  testImages: IdxArray;
  testLabels: IdxArray;
}

/** Resolved CIFAR-10: the report plus the folder holding the verified batches. */
export interface ResolvedCifar10 {
  report: FetchReport;
  batchDir: string;
}

/**
 * Makes sure a named dataset is available and verified, downloading what is missing (unless
 * `download` is false), and reports where each file came from. Used by `npm run data`.
 */
export async function fetchDataset(name: string, options: FetchOptions = {}): Promise<FetchReport> {
  return fetchDatasetFromSpec(getDatasetSpec(name), options);
}

/** fetchDataset for an explicit spec. */
export async function fetchDatasetFromSpec(spec: DatasetSpec, options: FetchOptions = {}): Promise<FetchReport> {
  return spec.format === 'idx' ? (await resolveIdx(spec, options)).report : (await resolveCifar10(spec, options)).report;
}

/** The error thrown when a dataset can be neither found nor downloaded: what failed and how to get it. */
function unavailableError(spec: DatasetSpec, locations: DataLocation[], rejected: Rejection[], problem: string): Error {
  const lines = [
    `Dataset "${spec.name}" is not available: ${problem}`,
    'Looked in:',
    ...locations.map((l) => `  ${l.dir}`),
  ];
  if (rejected.length) lines.push('Found but rejected:', ...rejected.map((r) => `  ${r.reason}`));
  lines.push(
    'To get it:',
    `  npm run data -- --dataset ${spec.name}    (downloads and verifies into data/${spec.dirName}/)`,
  );
  if (spec.aptPackage) lines.push(`  apt-get install ${spec.aptPackage}    (installs it into ${spec.systemDirs.join(', ')})`);
  const names = publishedFiles(spec).map((f) => f.name).join(', ');
  lines.push(
    `  or copy ${names} into data/${spec.dirName}/ or $${DATA_DIR_ENV}/${spec.dirName}/`,
    `  or set ${MIRROR_ENV} to base URLs (comma-separated) of a mirror you can reach`,
  );
  return new Error(lines.join('\n'));
}

/**
 * Called before a copy from elsewhere replaces one in the folder the user chose (options.dir, or
 * $BNN_DATA_DIR/<dataset>): copies there that fail verification are an error listing each one, not a
 * silent switch to another copy. (A download into that folder, which repairs it, needs no call.)
 */
function refuseFailedCopiesInGivenDir(spec: DatasetSpec, locations: DataLocation[], rejected: Rejection[]): void {
  if (locations[0].kind !== 'dir') return;
  const dir = locations[0].dir;
  const failed = rejected.filter((r) => r.path === dir || r.path.startsWith(dir + sep));
  if (failed.length === 0) return;
  throw new Error(
    [
      `${dir} holds ${spec.name} files that fail verification:`,
      ...failed.map((r) => `  ${r.reason}`),
      `Remove or replace them (npm run data -- --dataset ${spec.name} --dir ${dir} then downloads verified copies), ` +
        `or leave the folder out (--data-dir, $${DATA_DIR_ENV}) to use data/${spec.dirName}/ or the system copies.`,
    ].join('\n'),
  );
}

/** A verified, parsed IDX file and where it came from. */
interface IdxHit {
  array: IdxArray;
  origin: FileOrigin;
}

/** Reads the first verified local copy of an IDX file, recording rejected copies; null if none. */
function findIdx(file: IdxFileSpec, locations: DataLocation[], rejected: Rejection[]): IdxHit | null {
  for (const loc of locations) {
    const path = join(loc.dir, file.name);
    if (!existsSync(path)) continue;
    try {
      return { array: readIdxGz(path, file), origin: { file: file.name, path, origin: loc.kind } };
    } catch (err) {
      rejected.push({ path, reason: (err as Error).message });
    }
  }
  return null;
}

/** Finds, verifies and parses the four IDX files of a dataset, downloading the missing ones. */
export async function resolveIdx(spec: IdxDatasetSpec, options: FetchOptions = {}): Promise<ResolvedIdx> {
  const locations = dataLocations(spec, options.dir);
  const rejected: Rejection[] = [];
  const found = idxFiles(spec).map((file) => ({ file, hit: findIdx(file, locations, rejected) }));
  const inGivenDir = found.filter((f) => f.hit !== null).map((f) => join(locations[0].dir, f.file.name));
  if (rejected.some((r) => inGivenDir.includes(r.path))) refuseFailedCopiesInGivenDir(spec, locations, rejected);
  const missing = found.filter((f) => f.hit === null).map((f) => f.file);
  if (missing.length > 0 && options.download === false) {
    const names = missing.map((f) => f.name).join(', ');
    throw unavailableError(spec, locations, rejected, `no verified copy of ${names} found locally, and downloading is off.`);
  }
  const results: IdxHit[] = [];
  for (const { file, hit } of found) {
    if (hit) {
      results.push(hit);
      continue;
    }
    const { path, url } = await download(spec, file, locations, rejected, options);
    results.push({ array: readIdxGz(path, file), origin: { file: file.name, path, origin: 'download', url } });
  }
  return {
    report: { dataset: spec.name, files: results.map((r) => r.origin), rejected },
    trainImages: results[0].array,
    trainLabels: results[1].array,
    testImages: results[2].array,
    testLabels: results[3].array,
  };
}

/** Downloads a published file into the first location; a failure becomes the "how to get it" error. */
async function download(
  spec: DatasetSpec,
  file: IdxFileSpec | Cifar10DatasetSpec['archive'],
  locations: DataLocation[],
  rejected: Rejection[],
  options: FetchOptions,
) {
  try {
    return await downloadVerified({
      file,
      baseUrls: mirrorUrls(spec, options.mirrors),
      destDir: locations[0].dir,
      onEvent: options.onProgress ?? terminalDownloadReporter(),
    });
  } catch (err) {
    throw unavailableError(spec, locations, rejected, `${file.name} is not available locally and the download failed.\n${(err as Error).message}`);
  }
}

/**
 * Finds CIFAR-10's extracted batches: a verified batch folder in one of the locations, else a
 * verified archive there (extracted into the first location and kept), else a download (extracted,
 * then deleted: the batches are what is used).
 */
export async function resolveCifar10(spec: Cifar10DatasetSpec, options: FetchOptions = {}): Promise<ResolvedCifar10> {
  const locations = dataLocations(spec, options.dir);
  const target = locations[0].dir;
  const rejected: Rejection[] = [];
  const report = (files: FileOrigin[]): FetchReport => ({ dataset: spec.name, files, rejected });

  for (const loc of locations) {
    const batchDir = join(loc.dir, spec.batchDir);
    if (!existsSync(batchDir)) continue;
    const problem = checkCifarBatches(batchDir, spec);
    if (problem === null) {
      if (loc !== locations[0]) refuseFailedCopiesInGivenDir(spec, locations, rejected);
      return { report: report([{ file: spec.batchDir, path: batchDir, origin: loc.kind }]), batchDir };
    }
    rejected.push({ path: batchDir, reason: problem });
  }
  for (const loc of locations) {
    const archive = join(loc.dir, spec.archive.name);
    if (!existsSync(archive)) continue;
    const problem = await checkPublishedFile(archive, spec.archive);
    if (problem !== null) {
      rejected.push({ path: archive, reason: problem });
      continue;
    }
    if (loc !== locations[0]) refuseFailedCopiesInGivenDir(spec, locations, rejected);
    const batchDir = await extractCifar10(archive, target, spec);
    const files: FileOrigin[] = [
      { file: spec.archive.name, path: archive, origin: loc.kind },
      { file: spec.batchDir, path: batchDir, origin: loc.kind, extractedFrom: archive },
    ];
    return { report: report(files), batchDir };
  }
  if (options.download === false) {
    throw unavailableError(spec, locations, rejected, `neither ${spec.batchDir}/ nor ${spec.archive.name} found locally, and downloading is off.`);
  }
  const { path, url } = await download(spec, spec.archive, locations, rejected, options);
  const batchDir = await extractCifar10(path, target, spec);
  rmSync(path, { force: true });
  const files: FileOrigin[] = [
    { file: spec.archive.name, path, origin: 'download', url },
    { file: spec.batchDir, path: batchDir, origin: 'download', url, extractedFrom: path },
  ];
  return { report: report(files), batchDir };
}
