/**
 * Finds a TensorFlow shared library to build tfjs-node's binding against when tfjs-node cannot
 * download its own libtensorflow (offline machines, platforms without its prebuilt 2.9.1).
 * Sources, in order: a folder named by BNN_TENSORFLOW_DIR, the Python `tensorflow` package, and
 * the pinned tensorflow-cpu wheel fetched with `pip download` into a cache folder, from which only
 * the libraries and the C API headers are extracted.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureDir } from '../util/ensure-dir';

/** Environment variable naming a libtensorflow C release or an unpacked TensorFlow wheel. */
export const TENSORFLOW_DIR_ENV = 'BNN_TENSORFLOW_DIR';
/** Environment variable naming the Python used to find or fetch TensorFlow (default python3). */
export const PYTHON_ENV = 'BNN_PYTHON';
/**
 * The wheel fetched when no TensorFlow is found: its libtensorflow_cc exports the C and eager C
 * APIs that tfjs-node 4.22's binding calls (verified with 2.21.0; the binding was written for 2.9).
 */
export const TENSORFLOW_WHEEL = { name: 'tensorflow-cpu', version: '2.21.0' };

/** A TensorFlow usable by the binding: the two shared libraries and the folder of C headers. */
export interface TensorflowLibrary {
  /** libtensorflow (C release: libtensorflow.so.2; wheel: libtensorflow_cc.so.2, which exports the C API). */
  library: string;
  framework: string;
  includeDir: string;
  /** Where it came from, for messages and the backend's description, e.g. "a local wheel". */
  origin: string;
}

/** Header subtrees the binding's includes reach (c_api.h, eager/c_api.h and what they include). */
const HEADER_TREES = ['tensorflow/c/', 'tensorflow/core/platform/', 'tsl/', 'xla/tsl/c/'];

function isFile(file: string): boolean {
  return fs.statSync(file, { throwIfNoEntry: false })?.isFile() ?? false;
}

/**
 * The TensorFlow in `dir` laid out as a libtensorflow C release (lib/, include/), a Python
 * package folder (libtensorflow_cc.so.2, include/) or an unpacked wheel (tensorflow/…).
 */
export function libraryInFolder(dir: string, origin: string): TensorflowLibrary | undefined {
  const layouts = [
    { lib: path.join(dir, 'lib'), library: 'libtensorflow.so.2', include: path.join(dir, 'include') },
    { lib: dir, library: 'libtensorflow_cc.so.2', include: path.join(dir, 'include') },
    { lib: path.join(dir, 'tensorflow'), library: 'libtensorflow_cc.so.2', include: path.join(dir, 'tensorflow', 'include') },
  ];
  for (const { lib, library, include } of layouts) {
    const found = {
      library: path.join(lib, library),
      framework: path.join(lib, 'libtensorflow_framework.so.2'),
      includeDir: include,
    };
    if (isFile(found.library) && isFile(found.framework) && isFile(path.join(include, 'tensorflow', 'c', 'c_api.h'))) {
      return { ...found, origin };
    }
  }
  return undefined;
}

/** The Python used to find or fetch TensorFlow (and by the bench for its PyTorch reference). */
export function pythonCommand(): string {
  return process.env[PYTHON_ENV] || 'python3';
}

/** Runs Python code; its stdout, or undefined when Python or the code fails. */
function runPython(code: string, args: string[] = []): string | undefined {
  const run = spawnSync(pythonCommand(), ['-c', code, ...args], { encoding: 'utf8' });
  return run.status === 0 ? run.stdout.trim() : undefined;
}

/** The installed Python `tensorflow` package (found without importing it: that takes seconds). */
export function libraryInPython(): TensorflowLibrary | undefined {
  const found = runPython(
    'import importlib.util, importlib.metadata as m, json\n' +
      "s = importlib.util.find_spec('tensorflow')\n" +
      'v = next((d.version for d in m.distributions() if (d.metadata["Name"] or "").lower().replace("_", "-") in ("tensorflow", "tensorflow-cpu")), "?")\n' +
      'print(json.dumps([list(s.submodule_search_locations), v]) if s else "")',
  );
  if (!found) return undefined;
  const [dirs, version] = JSON.parse(found) as [string[], string];
  for (const dir of dirs) {
    const lib = libraryInFolder(dir, `the Python tensorflow ${version} package`);
    if (lib) return lib;
  }
  return undefined;
}

/** ~/.cache/bnn-geometry (or $XDG_CACHE_HOME/bnn-geometry): fetched wheels' extracted files. */
function cacheDir(): string {
  return path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'bnn-geometry');
}

/** Extracts the libraries and HEADER_TREES of a wheel into dest (written whole, then renamed). */
const EXTRACT_WHEEL = `
import os, shutil, sys, zipfile
wheel, dest, trees = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
tmp = dest + ".partial"
shutil.rmtree(tmp, ignore_errors=True)
with zipfile.ZipFile(wheel) as z:
    libs = ["tensorflow/libtensorflow_cc.so.2", "tensorflow/libtensorflow_framework.so.2"]
    headers = [n for n in z.namelist() if any(n.startswith("tensorflow/include/" + t) for t in trees)]
    z.extractall(tmp, libs + headers)
os.rename(tmp, dest)
`;

/**
 * The pinned wheel's library, from the cache or fetched with `pip download` (progress on the
 * terminal) and extracted there; the wheel itself is deleted once extracted. `log` gets progress.
 */
export function libraryFromWheel(log: (line: string) => void): TensorflowLibrary | { failed: string } {
  const { name, version } = TENSORFLOW_WHEEL;
  const dest = path.join(cacheDir(), `${name}-${version}`);
  const origin = `a local ${name} ${version} wheel`;
  const cached = libraryInFolder(dest, origin);
  if (cached) return cached;

  const downloads = fs.mkdtempSync(path.join(os.tmpdir(), 'bnn-tensorflow-wheel-'));
  try {
    log(`fetching the ${name}==${version} wheel (about 270 MB) with ${pythonCommand()} -m pip download`);
    // --retries 0 / --timeout: without them pip spends minutes retrying an index it cannot reach.
    const pip = spawnSync(
      pythonCommand(),
      ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '--retries', '0', '--timeout', '15', '-d', downloads, `${name}==${version}`],
      { stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8' },
    );
    const wheel = fs.readdirSync(downloads).find((f) => f.endsWith('.whl'));
    if (pip.status !== 0 || wheel === undefined) {
      const why = pip.error?.message || pip.stderr.trim().split('\n').pop() || `exit code ${pip.status}`;
      return { failed: `pip download ${name}==${version} failed (${why})` };
    }
    log(`extracting its libraries and C headers into ${dest}`);
    ensureDir(cacheDir());
    const extract = spawnSync(pythonCommand(), ['-c', EXTRACT_WHEEL, path.join(downloads, wheel), dest, HEADER_TREES.join(',')], {
      encoding: 'utf8',
    });
    if (extract.status !== 0) return { failed: `extracting ${wheel} failed: ${extract.stderr.trim().split('\n').pop()}` };
    return libraryInFolder(dest, origin) ?? { failed: `${wheel} does not hold libtensorflow_cc.so.2 and its headers` };
  } finally {
    fs.rmSync(downloads, { recursive: true, force: true });
  }
}
