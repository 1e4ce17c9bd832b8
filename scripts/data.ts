/**
 * `npm run data -- --dataset <name> [--dir D] [--mirror URL]... [--no-download]`
 *
 * Fetches a dataset (or finds it locally), verifies every file against its published checksum, and
 * prints where each file came from: the given folder, the repo's data/ cache, a system folder, or
 * which mirror it was downloaded from.
 */
import { parseArgs } from 'node:util';
import { DATA_DIR_ENV, DATASET_NAMES, fetchDataset, MIRROR_ENV, type FileOrigin } from '../lib/data';

const USAGE = `Usage: npm run data -- --dataset <${DATASET_NAMES.join('|')}> [options]

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

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        dataset: { type: 'string' },
        dir: { type: 'string' },
        mirror: { type: 'string', multiple: true },
        'no-download': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (!values.dataset) {
    process.stderr.write(`--dataset is required.\n\n${USAGE}`);
    return 2;
  }
  try {
    const report = await fetchDataset(values.dataset, {
      dir: values.dir,
      mirrors: values.mirror,
      download: !values['no-download'],
    });
    process.stdout.write(`${report.dataset}: all files verified\n${report.files.map(describe).join('\n')}\n`);
    for (const r of report.rejected) process.stdout.write(`  skipped: ${r.reason}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 1;
  }
}

main().then((code) => {
  process.exitCode = code;
});
