/**
 * `npm run data -- --dataset <name> [--dir D] [--mirror URL]... [--no-download]`: fetches a dataset
 * (or finds it locally), verifies every file against its published checksum, and prints where each
 * file came from: the given folder, the repo's data/ cache, a system folder, or which mirror.
 */
import { parseArgs } from 'node:util';
import { DATA_DIR_ENV, DATASET_NAMES, fetchDataset, MIRROR_ENV, type FileOrigin } from '../data';
import { runCli } from './run-cli';

export const DATA_USAGE = `Usage: npm run data -- --dataset <${DATASET_NAMES.join('|')}> [options]

Finds or downloads a dataset, verifies it by checksum, and says where each file came from.

Options:
  --dataset NAME   dataset to fetch (required)
  --dir D          folder for this dataset's files (default: $${DATA_DIR_ENV}/NAME, else data/NAME/)
  --mirror URL     base URL to download from instead of the dataset's mirrors (repeatable;
                   default: $${MIRROR_ENV}, comma-separated)
  --no-download    only look for local copies
  -h, --help       show this help
`;

const ORIGIN_TEXT: Record<FileOrigin['origin'], string> = {
  dir: 'given folder',
  cache: 'cache',
  system: 'system folder',
  download: 'downloaded',
};

/** One line per file: name, origin, path, and the URL or archive it came from. */
function describe(f: FileOrigin): string {
  const from = f.extractedFrom ? `extracted from ${f.extractedFrom}` : f.url ? `from ${f.url}` : '';
  return `  ${f.file.padEnd(28)} ${ORIGIN_TEXT[f.origin].padEnd(13)} ${f.path}${from ? `  (${from})` : ''}`;
}

export interface DataCommand {
  dataset: string;
  dir?: string;
  mirrors?: string[];
  download: boolean;
  help: boolean;
}

export function parseDataArgs(argv: string[]): DataCommand {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      dataset: { type: 'string' },
      dir: { type: 'string' },
      mirror: { type: 'string', multiple: true },
      'no-download': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (!values.help && !values.dataset) throw new Error('--dataset is required.');
  return { dataset: values.dataset ?? '', dir: values.dir, mirrors: values.mirror, download: !values['no-download'], help: Boolean(values.help) };
}

export async function runData(cmd: DataCommand, log: (line: string) => void = console.log): Promise<void> {
  const report = await fetchDataset(cmd.dataset, { dir: cmd.dir, mirrors: cmd.mirrors, download: cmd.download });
  log(`${report.dataset}: all files verified\n${report.files.map(describe).join('\n')}`);
  for (const r of report.rejected) log(`  skipped: ${r.reason}`);
}

/** Entry point of `npm run data`. */
export function main(): Promise<void> {
  return runCli('data', DATA_USAGE, parseDataArgs, (cmd) => runData(cmd));
}
