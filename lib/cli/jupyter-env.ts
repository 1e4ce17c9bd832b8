/**
 * The project's own Python environment, `.venv/` in the checkout: JupyterLab and Jupyter's notebook
 * executor (nbclient, nbformat) at the versions pinned in requirements.txt, made by `npm install`
 * (setup-jupyter.ts). Where it is, whether it is whole, and which Python and Jupyter commands to use:
 * this environment first, then a Jupyter the user already has.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pythonCommand } from '../backend/tensorflow-library';
import { OUTPUT_MARKER, markOutputFolder } from '../util/output-folder';
import { packageRoot } from '../util/package-root';
import { sha256Hex } from '../util/sha256';

/** Set to 1 to skip making `.venv/` on `npm install`. */
export const SKIP_JUPYTER_ENV = 'BNN_SKIP_JUPYTER';

/** The oldest Python the pinned packages support (ipython 9, ipykernel 7 and rpds-py need 3.11). */
export const MIN_PYTHON: readonly [number, number] = [3, 11];

/** Written last, once every pin is installed: the hash of the requirements it was installed from. */
const STAMP = 'bnn-geometry-installed.json';

/** Paths of the project's environment in the checkout `root`. */
export interface ProjectEnv {
  root: string;
  dir: string;
  python: string;
  jupyter: string;
  requirements: string;
}

export function projectEnv(root = packageRoot()): ProjectEnv {
  const dir = path.join(root, '.venv');
  return {
    root,
    dir,
    python: path.join(dir, 'bin', 'python'),
    jupyter: path.join(dir, 'bin', 'jupyter'),
    requirements: path.join(root, 'requirements.txt'),
  };
}

/**
 * missing: no `.venv/` (or an empty one); foreign: a `.venv/` this project did not make, left alone;
 * incomplete: this project's, but broken or half-installed (`why` says how); ready: every pin installed.
 */
export type EnvState =
  | { kind: 'missing' }
  | { kind: 'foreign' }
  | { kind: 'incomplete'; why: string }
  | { kind: 'ready' };

/** The pins of a requirements file (`name==version` lines; comments and blank lines skipped). */
export function requirementPins(file: string): string[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter((line) => line !== '');
}

function requirementsHash(env: ProjectEnv): string {
  return sha256Hex(fs.readFileSync(env.requirements));
}

/** Prints, as JSON, each pin of the requirements file (argv[1]) that is not installed at its version. */
const CHECK_PINS = `
import json, sys, importlib.metadata as m
bad = []
for line in open(sys.argv[1], encoding="utf-8"):
    line = line.split("#")[0].strip()
    if not line:
        continue
    name, version = line.split("==")
    try:
        have = m.version(name)
    except m.PackageNotFoundError:
        have = None
    if have != version:
        bad.append(name + " " + (have or "missing"))
print(json.dumps(bad))
`;

export function envState(env: ProjectEnv): EnvState {
  if (!fs.existsSync(env.dir) || fs.readdirSync(env.dir).length === 0) return { kind: 'missing' };
  // The marker is written before anything else: a folder without it is not this project's.
  if (!fs.existsSync(path.join(env.dir, OUTPUT_MARKER))) return { kind: 'foreign' };
  const incomplete = (why: string): EnvState => ({ kind: 'incomplete', why });
  const stampFile = path.join(env.dir, STAMP);
  if (!fs.existsSync(stampFile)) return incomplete('its install did not finish');
  let stamp: { requirements?: unknown };
  try {
    stamp = JSON.parse(fs.readFileSync(stampFile, 'utf8')) as { requirements?: unknown };
  } catch {
    return incomplete(`${STAMP} is not valid JSON`);
  }
  if (stamp.requirements !== requirementsHash(env)) return incomplete('requirements.txt changed since it was installed');
  if (!fs.existsSync(env.python)) return incomplete(`${path.relative(env.root, env.python)} is missing`);
  const check = spawnSync(env.python, ['-c', CHECK_PINS, env.requirements], { encoding: 'utf8' });
  if (check.status !== 0) return incomplete(`its Python does not run: ${lastLine(check.stderr || check.error?.message)}`);
  const wrong = JSON.parse(check.stdout) as string[];
  if (wrong.length > 0) return incomplete(`packages missing or at another version: ${wrong.slice(0, 3).join(', ')}${wrong.length > 3 ? ' …' : ''}`);
  return { kind: 'ready' };
}

/** Marks a new, empty `.venv/` as this project's (before `python -m venv` fills it). */
export function markEnv(env: ProjectEnv): void {
  fs.mkdirSync(env.dir, { recursive: true });
  markOutputFolder(env.dir, 'npm install, lib/cli/setup-jupyter.ts: the Python environment');
}

/** Records that every pin is installed (the last step of an install). */
export function stampEnv(env: ProjectEnv): void {
  fs.writeFileSync(path.join(env.dir, STAMP), JSON.stringify({ requirements: requirementsHash(env) }) + '\n');
}

/** The last non-empty line of a command's output, for one-line messages. */
export function lastLine(text: string | undefined): string {
  return (text ?? '').trim().split('\n').pop()?.trim() || 'no message';
}

/**
 * A Python that has Jupyter's executor (nbclient and nbformat): the project's environment when it is
 * ready, else $BNN_PYTHON, python3 or Debian's; or an error saying how to get one.
 */
export function findNbclientPython(env = projectEnv()): string {
  const candidates = [envState(env).kind === 'ready' ? [env.python] : [], pythonCommand(), 'python3', '/usr/bin/python3'].flat();
  for (const python of candidates) {
    const probe = spawnSync(python, ['-c', 'import nbclient, nbformat'], { stdio: 'ignore' });
    if (probe.status === 0) return python;
  }
  throw new Error(
    `No Python with Jupyter's notebook executor (nbclient, nbformat) was found. Run npm install, which sets it up in ${env.dir}/ ` +
      '(npm run setup-jupyter does that step alone and says what is missing), or set BNN_PYTHON to a Python that has nbclient.',
  );
}

/** The Jupyter command: the project environment's when it is ready, else `jupyter` on PATH or Debian's; null when none runs. */
export function findJupyter(env = projectEnv()): string | null {
  const candidates = [envState(env).kind === 'ready' ? [env.jupyter] : [], 'jupyter', '/usr/bin/jupyter'].flat();
  for (const candidate of candidates) {
    if (spawnSync(candidate, ['--version'], { stdio: 'ignore' }).status === 0) return candidate;
  }
  return null;
}
