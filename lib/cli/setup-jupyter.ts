/**
 * `npm run setup-jupyter` (also run by `npm install`): makes `.venv/`, a Python environment with
 * JupyterLab and Jupyter's notebook executor at the versions in requirements.txt, installed with pip
 * from the user's own index. A complete environment is left as it is; an incomplete one of this
 * project's (a deleted file, an install that was killed) is made again; a `.venv/` the project did
 * not make is never touched. Never fails the install: when Python or pip cannot be had, one line says
 * why and how to fix it.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { pythonCommand, PYTHON_ENV } from '../backend/tensorflow-library';
import { terminalProgress } from '../display/progress';
import { formatDuration } from '../display/format';
import {
  envState, lastLine, markEnv, MIN_PYTHON, projectEnv, requirementPins, SKIP_JUPYTER_ENV, stampEnv, type ProjectEnv,
} from './jupyter-env';
import { parseRebuildFlag, runCli } from './run-cli';

const USAGE = `npm run setup-jupyter [-- --rebuild]

Makes .venv/ in the checkout: a Python environment with JupyterLab and Jupyter's notebook executor
(nbclient, nbformat) at the versions pinned in requirements.txt, installed with pip from your pip
index. npm install runs this step. A complete .venv/ is left as it is; an incomplete one (a deleted
file, an install that was stopped) is made again; a .venv/ this project did not make is left alone.

  --rebuild   make .venv/ again even if it is complete
  $${SKIP_JUPYTER_ENV}=1 skips this step; $${PYTHON_ENV} names the Python to make it with (default python3,
  ${MIN_PYTHON.join('.')} or newer, with its venv module).`;

/** What a setup did: skipped (by the variable), ready (nothing to do), installed, foreign (left alone), failed. */
export type SetupOutcome = 'skipped' | 'ready' | 'installed' | 'foreign' | 'failed';

export interface SetupJupyterOptions {
  rebuild?: boolean;
  env?: ProjectEnv;
  python?: string;
  log?: (line: string) => void;
  /** Where pip's progress goes (default stderr: a bar on a terminal, lines in a log). */
  progressStream?: NodeJS.WritableStream & { isTTY?: boolean };
}

/** Seconds pip waits for an index before giving up on it: an unreachable index fails in seconds, not minutes. */
const PIP_TIMEOUT_S = 15;

/** A reason the environment cannot be made, as one line with the fix. */
class SetupError extends Error {}

/** Checks that `python` runs, is new enough and has venv; returns its version. */
function checkPython(python: string): string {
  const probe = spawnSync(python, ['-c', 'import sys, venv, ensurepip; print("%d.%d.%d" % sys.version_info[:3])'], { encoding: 'utf8' });
  const fix = `install Python ${MIN_PYTHON.join('.')} or newer with its venv module, or set ${PYTHON_ENV} to one`;
  if (probe.error) throw new SetupError(`${python} was not found (${probe.error.message}): ${fix}`);
  if (probe.status !== 0) {
    const missing = /No module named '?(venv|ensurepip)/.exec(probe.stderr)?.[1];
    if (missing) throw new SetupError(`${python} has no ${missing} module: on Debian/Ubuntu apt-get install python3-venv, or ${fix}`);
    throw new SetupError(`${python} does not run (${lastLine(probe.stderr)}): ${fix}`);
  }
  const version = probe.stdout.trim();
  const [major, minor] = version.split('.').map(Number);
  if (major < MIN_PYTHON[0] || (major === MIN_PYTHON[0] && minor < MIN_PYTHON[1])) {
    throw new SetupError(`${python} is Python ${version}; the pinned JupyterLab needs ${MIN_PYTHON.join('.')} or newer: ${fix}`);
  }
  return version;
}

/** Runs pip install -r requirements in the environment, showing one step per package fetched. */
async function pipInstall(env: ProjectEnv, options: SetupJupyterOptions): Promise<void> {
  const total = requirementPins(env.requirements).length;
  const progress = terminalProgress('jupyter: pip', { unit: 'packages', stream: options.progressStream });
  const args = [
    '-m', 'pip', 'install', '--disable-pip-version-check', '--progress-bar', 'off',
    // Without these pip retries an unreachable index for minutes.
    '--retries', '0', '--timeout', String(PIP_TIMEOUT_S),
    '-r', env.requirements,
  ];
  const child = spawn(env.python, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let fetched = 0;
  let fetching = true;
  const endFetching = (summary: string) => {
    if (fetching) progress.done(summary);
    fetching = false;
  };
  readline.createInterface({ input: child.stdout }).on('line', (line) => {
    if (fetching && /^(Collecting|Processing) /.test(line)) progress.update({ done: ++fetched, total });
    else if (line.startsWith('Installing collected packages')) {
      endFetching(`fetched ${fetched} packages; installing them`);
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  endFetching(code === 0 ? `${fetched} packages` : 'failed');
  if (code !== 0) {
    const why = stderr.split('\n').filter((l) => /^ERROR:/.test(l)).pop() ?? lastLine(stderr);
    throw new SetupError(`pip install -r requirements.txt failed (${why.trim()}): check that pip reaches your index (pip config list), then npm run setup-jupyter`);
  }
}

/** Makes the environment from nothing: marker, venv, packages, stamp (in that order, so a stop at any point is seen as incomplete). */
async function createEnv(env: ProjectEnv, python: string, options: SetupJupyterOptions, log: (line: string) => void): Promise<void> {
  const version = checkPython(python);
  log(`making ${path.relative(env.root, env.dir)}/ with ${python} (Python ${version}), then JupyterLab and nbclient from requirements.txt (about half a minute)`);
  markEnv(env);
  const venv = spawnSync(python, ['-m', 'venv', env.dir], { encoding: 'utf8' });
  if (venv.status !== 0) throw new SetupError(`${python} -m venv failed (${lastLine(venv.stderr || venv.error?.message)}): on Debian/Ubuntu apt-get install python3-venv`);
  await pipInstall(env, options);
  stampEnv(env);
}

/** Makes `.venv/` ready (see the file's comment); never throws for a missing Python or index, it says so and returns 'failed'. */
export async function setupJupyter(options: SetupJupyterOptions = {}): Promise<SetupOutcome> {
  const env = options.env ?? projectEnv();
  const log = options.log ?? ((line: string) => console.log(`jupyter: ${line}`));
  const where = `${path.relative(env.root, env.dir) || env.dir}/`;
  if (process.env[SKIP_JUPYTER_ENV] === '1') {
    log(`skipped (${SKIP_JUPYTER_ENV}=1): npm run figures and npm run lab then need a Jupyter of your own`);
    return 'skipped';
  }
  const state = envState(env);
  if (state.kind === 'foreign') {
    log(`${where} was not made by this project, so it is left alone; npm run figures uses a Jupyter found elsewhere. ` +
      `To have npm install make its own, move ${env.dir} away and run npm run setup-jupyter.`);
    return 'foreign';
  }
  if (state.kind === 'ready' && !options.rebuild) {
    log(`ready in ${where} (JupyterLab, nbclient and nbformat as requirements.txt pins them); nothing to do`);
    return 'ready';
  }
  if (state.kind !== 'missing') {
    log(state.kind === 'incomplete' ? `${where} is incomplete (${state.why}); making it again` : `making ${where} again (--rebuild)`);
    fs.rmSync(env.dir, { recursive: true, force: true });
  }
  const started = Date.now();
  try {
    await createEnv(env, options.python ?? pythonCommand(), options, log);
  } catch (err) {
    if (!(err instanceof SetupError)) throw err;
    log(`${err.message}. The rest of the install goes on; until then npm run figures and npm run lab need a Jupyter of your own.`);
    return 'failed';
  }
  log(`ready in ${where} after ${formatDuration((Date.now() - started) / 1000)}`);
  return 'installed';
}

if (require.main === module) void runCli('setup-jupyter', USAGE, parseRebuildFlag, (cmd) => setupJupyter({ rebuild: cmd.rebuild }));
