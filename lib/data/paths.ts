/**
 * Where dataset files are looked for. Paths inside the repository are resolved from this package's
 * root, not the working directory: notebooks run from notebooks/, scripts from the root, and the
 * compiled library from dist/.
 */
import { join, resolve } from 'node:path';
import type { DatasetSpec } from './datasets';
import { packageRoot } from '../util/package-root';

/** Environment variable naming a folder that holds one sub-folder per dataset (e.g. $BNN_DATA_DIR/mnist). */
export const DATA_DIR_ENV = 'BNN_DATA_DIR';
/** Environment variable with comma-separated base URLs that replace a dataset's mirrors. */
export const MIRROR_ENV = 'BNN_DATA_MIRROR';

/** The repository's cache folder for a dataset: <package root>/data/<dirName>. */
export function repoDataDir(spec: DatasetSpec): string {
  return join(packageRoot(), 'data', spec.dirName);
}

/** Where a dataset's files are looked for, in order, and what each place is. */
export interface DataLocation {
  dir: string;
  /** 'dir': given by the caller or BNN_DATA_DIR; 'cache': the repo's data/; 'system': an OS package's folder. */
  kind: 'dir' | 'cache' | 'system';
}

/**
 * The folders to search for a dataset, in order: `explicitDir` (or $BNN_DATA_DIR/<dirName>), the
 * repository's data/<dirName>, then the spec's system folders. The first is also where downloads go.
 */
export function dataLocations(spec: DatasetSpec, explicitDir?: string): DataLocation[] {
  const fromEnv = process.env[DATA_DIR_ENV];
  const chosen = explicitDir ?? (fromEnv ? join(fromEnv, spec.dirName) : undefined);
  const locations: DataLocation[] = [];
  if (chosen !== undefined) locations.push({ dir: resolve(chosen), kind: 'dir' });
  locations.push({ dir: repoDataDir(spec), kind: 'cache' });
  for (const dir of spec.systemDirs) locations.push({ dir, kind: 'system' });
  // The same folder may be named twice (e.g. --dir data/mnist): keep its first role.
  return locations.filter((loc, i) => locations.findIndex((l) => l.dir === loc.dir) === i);
}

/** The base URLs to download from: `override`, else $BNN_DATA_MIRROR (comma-separated), else the spec's mirrors. */
export function mirrorUrls(spec: DatasetSpec, override?: readonly string[]): readonly string[] {
  if (override) return override;
  const fromEnv = process.env[MIRROR_ENV];
  if (fromEnv) return fromEnv.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  return spec.mirrors;
}
