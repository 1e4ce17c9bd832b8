/**
 * `npm run figures`: executes both notebooks through real Jupyter with parameters from the command
 * line, and writes to output/: the executed notebooks, every figure as SVG and PNG, the reproduced
 * numbers (results.json) and a self-contained report.html.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { DATASET_NAMES } from '../data/datasets';
import { PROGRESS_FILE_ENV, PROGRESS_LOG_INTERVAL_MS } from '../display/progress';
import { FIGURES_DIR_ENV } from '../display/show';
import { formatDuration } from '../display/format';
import { AnalysisPlan, analysisPlan } from '../experiment/prepare';
import { MODE_NAMES, PROFILE_NAMES } from '../experiment/profiles';
import { parameterEnvName } from '../notebook/params';
import { RESULTS_FILE_ENV } from '../notebook/results';
import { NotebookFigure, collectFigures } from '../report/collect';
import { buildReportHtml } from '../report/html';
import { resultRows } from '../report/results';
import { removeStaleTemporaries, replaceDirectory, writeFileAtomic } from '../util/atomic-write';
import { ensureDir } from '../util/ensure-dir';
import { lockFolder } from '../util/lock';
import { checkOutputFolder, markOutputFolder } from '../util/output-folder';
import { packageRoot } from '../util/package-root';
import { registerKernel } from './install-kernel';
import { numberFlag, pathFlag } from './flag-values';
import { NotebookCellError, runNotebook } from './notebook-runner';
import { runCli } from './run-cli';

const PACKAGE_ROOT = packageRoot();
export const NOTEBOOKS = ['hd_figures', 'gen_plots'] as const;

export const FIGURES_USAGE = `Reproduce every figure: run both notebooks through Jupyter and write output/.

Usage: npm run figures -- [flags]

  --profile quick|paper   network and data of gen_plots (default quick: Fashion-MNIST, ~3 min from scratch)
  --mode binary|ternary   quantization of the analysed network (default binary)
  --images N              test images analysed per layer (default 500)
  --dataset NAME          override the profile's dataset (mnist | fashion-mnist | cifar10)
  --epochs N              override the profile's epochs (when the checkpoint must be trained)
  --limit N               use only the first N images of each split (smoke tests)
  --checkpoint DIR        the network gen_plots analyses (default checkpoints/<dataset>-<profile>-<mode>, plus
                          --epochs and --limit when given; trained and saved there when missing); a DIR holding
                          a finished run of the same network with another recipe is analysed under its own settings
  --sample-scale X        scale every Monte-Carlo sample count of hd_figures (default 1)
  --only NAME             run only hd_figures or gen_plots
  --out DIR               output folder (default output), replaced only when every notebook succeeds; it must
                          be new, empty, or written by npm run figures
  --timeout S             seconds allowed per cell (default 7200)
  -h, --help              this text
`;

export interface FiguresCommand {
  parameters: Record<string, string>;
  notebooks: string[];
  /** Folder holding the notebooks to run (the package's notebooks/; tests pass others). */
  notebookDir: string;
  out: string;
  timeoutSeconds: number;
  help: boolean;
}

function oneOf(flag: string, value: string | undefined, allowed: readonly string[]): string | undefined {
  if (value !== undefined && !allowed.includes(value)) {
    throw new Error(`--${flag} must be one of: ${allowed.join(', ')}; got '${value}'.`);
  }
  return value;
}

/** A flag's text, checked to be a positive whole number (`integer`) or a positive number. */
function positive(flag: string, value: string | undefined, integer = false): string | undefined {
  const n = numberFlag(flag, value, integer);
  if (n !== undefined && !(n > 0)) throw new Error(`--${flag} takes a positive ${integer ? 'whole number' : 'number'}; got '${value}'.`);
  return value;
}

export function parseFiguresArgs(argv: string[]): FiguresCommand {
  const { values: v } = parseArgs({
    args: argv,
    strict: true,
    options: {
      profile: { type: 'string' }, mode: { type: 'string' }, images: { type: 'string' }, dataset: { type: 'string' },
      epochs: { type: 'string' }, limit: { type: 'string' }, checkpoint: { type: 'string' }, 'sample-scale': { type: 'string' }, only: { type: 'string' },
      out: { type: 'string' }, timeout: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
  });
  const given: Record<string, string | undefined> = {
    profile: oneOf('profile', v.profile, PROFILE_NAMES),
    mode: oneOf('mode', v.mode, MODE_NAMES.filter((m) => m !== 'continuous')),
    images: positive('images', v.images, true),
    dataset: oneOf('dataset', v.dataset, DATASET_NAMES),
    epochs: positive('epochs', v.epochs, true),
    limit: positive('limit', v.limit, true),
    checkpoint: v.checkpoint === undefined ? undefined : path.resolve(pathFlag('checkpoint', v.checkpoint)!),
    sampleScale: positive('sample-scale', v['sample-scale']),
  };
  const parameters = Object.fromEntries(Object.entries(given).filter((e): e is [string, string] => e[1] !== undefined));
  return {
    parameters,
    notebooks: v.only ? [oneOf('only', v.only, NOTEBOOKS)!] : [...NOTEBOOKS],
    notebookDir: path.join(PACKAGE_ROOT, 'notebooks'),
    out: path.resolve(pathFlag('out', v.out) ?? 'output'),
    timeoutSeconds: Number(positive('timeout', v.timeout) ?? 7200),
    help: Boolean(v.help),
  };
}

export interface FiguresOutcome {
  figures: NotebookFigure[];
  report: string;
  results: string;
}

/** A notebook's own files in the output folder while it runs: its progress line and its numbers. */
const progressFileOf = (out: string, name: string) => path.join(out, `.progress-${name}`);
const resultsFileOf = (out: string, name: string) => path.join(out, `.results-${name}.json`);

/** What npm run figures writes into --out: a folder holding only these was written by it (before the marker existed). */
const FIGURES_ENTRIES = [
  'notebooks', 'figures', 'results.json', 'report.html', '.progress',
  ...NOTEBOOKS.flatMap((name) => [progressFileOf('', name), resultsFileOf('', name)]),
];
const writtenByFigures = (names: string[]) => names.every((n) => FIGURES_ENTRIES.includes(n));

/** Milliseconds between looks at the progress file. */
const RELAY_POLL_MS = 1000;

/**
 * Logs the progress lines the kernel mirrors to `file` (training, analysis), at most one per
 * PROGRESS_LOG_INTERVAL_MS, so a long cell is not silent; returns the function that stops relaying.
 */
function relayProgress(file: string, log: (line: string) => void): () => void {
  fs.rmSync(file, { force: true });
  let last = '';
  let lastLogged = -Infinity;
  const timer = setInterval(() => {
    const line = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    if (line === last || Date.now() - lastLogged < PROGRESS_LOG_INTERVAL_MS) return;
    last = line;
    lastLogged = Date.now();
    log(`    ${line}`);
  }, RELAY_POLL_MS);
  return () => clearInterval(timer);
}

/**
 * Checks what gen_plots will analyse before Jupyter starts: its parameters form a valid run plan, and
 * the checkpoint folder is empty or holds that run (not, say, a binary network for --mode ternary),
 * or is the folder --checkpoint names, holding a finished run of the same network with another recipe (analysed under its own settings).
 */
export function checkGenPlotsParameters(parameters: Record<string, string>): AnalysisPlan {
  return analysisPlan({
    profile: parameters.profile ?? 'quick',
    mode: parameters.mode ?? 'binary',
    dataset: parameters.dataset ?? '',
    checkpoint: parameters.checkpoint ?? '',
    seed: 0,
    epochs: Number(parameters.epochs ?? 0),
    limit: Number(parameters.limit ?? 0),
  });
}

/**
 * Runs the notebooks and writes the outputs; `log` receives progress lines. Everything is built in a
 * temporary folder beside `out` that replaces it only when every notebook succeeded: a failed run
 * leaves the last good output whole and keeps its own executed notebooks in `<out>.failed/`.
 */
export async function runFigures(cmd: FiguresCommand, log: (line: string) => void = console.log): Promise<FiguresOutcome> {
  const failed = `${cmd.out}.failed`;
  checkOutputFolder(cmd.out, '--out', writtenByFigures);
  checkOutputFolder(failed, `The folder for a failed run (beside --out)`, writtenByFigures);
  if (cmd.notebooks.includes('gen_plots')) {
    const { plan, otherRun } = checkGenPlotsParameters(cmd.parameters);
    if (otherRun) log(`${plan.checkpointDir} holds another run of this network; gen_plots analyses it under its own settings (the parameters differ: ${otherRun})`);
  }
  const parent = path.dirname(cmd.out);
  ensureDir(parent);
  const lock = lockFolder(cmd.out);
  try {
    removeStaleTemporaries(parent);
    const staging = path.join(parent, `.${path.basename(cmd.out)}.${process.pid}.tmp`);
    fs.rmSync(staging, { recursive: true, force: true });
    // Running one notebook keeps the other's outputs (and its numbers) from the last run.
    if (cmd.notebooks.length < NOTEBOOKS.length && fs.existsSync(cmd.out)) fs.cpSync(cmd.out, staging, { recursive: true });
    ensureDir(staging);
    markOutputFolder(staging, 'npm run figures');
    try {
      await buildOutput(cmd, staging, log);
    } catch (err) {
      fs.rmSync(failed, { recursive: true, force: true });
      if (fs.existsSync(staging)) fs.renameSync(staging, failed);
      const executed = err instanceof NotebookCellError ? `\n(executed notebook: ${path.join(failed, path.relative(staging, err.executed))})` : '';
      throw new Error(`${(err as Error).message}${executed}\n${cmd.out} keeps the output of the last successful run.`, { cause: err });
    }
    replaceDirectory(staging, cmd.out);
  } finally {
    lock.release();
  }
  const outcome = {
    figures: collectAll(cmd.out),
    report: path.join(cmd.out, 'report.html'),
    results: path.join(cmd.out, 'results.json'),
  };
  log(`${outcome.figures.length} figures in ${path.join(cmd.out, 'figures')} (SVG and PNG); numbers in ${outcome.results}; report in ${outcome.report}`);
  return outcome;
}

/** The figures of every executed notebook in an output folder, in NOTEBOOKS order. */
function collectAll(out: string): NotebookFigure[] {
  return NOTEBOOKS.flatMap((name) => {
    const executed = path.join(out, 'notebooks', `${name}.ipynb`);
    return fs.existsSync(executed) ? collectFigures(executed, name) : [];
  });
}

/**
 * Runs one notebook with its outputs going to `out`: figures into out/figures, its numbers into a
 * results file of its own (merged by buildOutput), its progress relayed to `log` with its name.
 * Returns its run time in seconds.
 */
async function runOneNotebook(cmd: FiguresCommand, name: string, out: string, log: (line: string) => void): Promise<number> {
  const started = Date.now();
  const progressFile = progressFileOf(out, name);
  const env: NodeJS.ProcessEnv = {
    ...process.env, [FIGURES_DIR_ENV]: path.join(out, 'figures'), [RESULTS_FILE_ENV]: resultsFileOf(out, name), [PROGRESS_FILE_ENV]: progressFile,
  };
  for (const [key, value] of Object.entries(cmd.parameters)) env[parameterEnvName(key)] = value;
  const stopRelay = relayProgress(progressFile, (line) => log(`  ${name} ${line.trimStart()}`));
  try {
    await runNotebook({
      input: path.join(cmd.notebookDir, `${name}.ipynb`),
      output: path.join(out, 'notebooks', `${name}.ipynb`),
      workdir: path.join(PACKAGE_ROOT, 'notebooks'),
      env,
      timeoutSeconds: cmd.timeoutSeconds,
      onEvent: (e) => {
        if (e.event === 'cell') log(`  ${name} cell ${e.index}/${e.cells}  ${e.first_line}`);
      },
    });
  } finally {
    stopRelay();
    fs.rmSync(progressFile, { force: true });
  }
  const seconds = (Date.now() - started) / 1000;
  log(`  ${name} done in ${formatDuration(seconds)}`);
  return seconds;
}

/**
 * Runs the notebooks side by side (hd_figures' Monte Carlo on one core while gen_plots trains: the
 * whole run takes about the longer notebook's time), with their outputs going to `out`, then merges
 * their numbers into results.json and writes the report there. When one fails, the others are let
 * finish (a notebook's kernel cannot be stopped cleanly mid-cell) before its error is thrown.
 */
async function buildOutput(cmd: FiguresCommand, out: string, log: (line: string) => void): Promise<void> {
  for (const d of ['figures', 'notebooks']) ensureDir(path.join(out, d));
  const resultsFile = path.join(out, 'results.json');
  registerKernel();
  for (const name of cmd.notebooks) writeFileAtomic(resultsFileOf(out, name), '{}');
  log(`running ${cmd.notebooks.map((name) => `${name}.ipynb`).join(' and ')}${cmd.notebooks.length > 1 ? ' side by side' : ''}`);
  const runs = await Promise.allSettled(cmd.notebooks.map((name) => runOneNotebook(cmd, name, out, log)));
  const failure = runs.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;
  // The numbers of a notebook not run this time (--only) stay as the last run left them.
  const results = (fs.existsSync(resultsFile) ? JSON.parse(fs.readFileSync(resultsFile, 'utf8')) : {}) as Record<string, unknown>;
  for (const name of cmd.notebooks) {
    Object.assign(results, JSON.parse(fs.readFileSync(resultsFileOf(out, name), 'utf8')));
    fs.rmSync(resultsFileOf(out, name));
  }
  writeFileAtomic(resultsFile, JSON.stringify(results, null, 2));
  // The flags that changed a default, as typed; the notebooks' own defaults otherwise.
  const given = Object.entries(cmd.parameters).map(([key, value]) => `${key} = ${value}`).join(', ');
  const facts: [string, string][] = [['parameters', given === '' ? "the notebooks' defaults" : given]];
  cmd.notebooks.forEach((name, i) => facts.push([`${name} run time`, formatDuration((runs[i] as PromiseFulfilledResult<number>).value)]));
  writeFileAtomic(
    path.join(out, 'report.html'),
    buildReportHtml({
      title: 'The High-Dimensional Geometry of Binary Neural Networks — reproduced',
      subtitle: 'Anderson & Berg, ICLR 2018 (arXiv 1705.07199), reproduced with bnn-geometry: every figure with its closed-form theory.',
      facts: [['generated', new Date().toISOString()], ...facts],
      figures: collectAll(out),
      rows: resultRows(results),
    }),
  );
}

if (require.main === module) void runCli('figures', FIGURES_USAGE, parseFiguresArgs, (cmd) => runFigures(cmd));
