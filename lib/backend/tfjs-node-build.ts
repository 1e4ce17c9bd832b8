/**
 * Builds and checks tfjs-node's native binding. tfjs-node's own install script downloads
 * libtensorflow 2.9.1 and a prebuilt binding; where that cannot run, the binding is compiled
 * here (node-pre-gyp, about a minute) against a TensorFlow from `tensorflow-library.ts`, linked
 * into the package's deps/ folder where its binding.gyp and rpath look.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../util/atomic-write';
import { ensureDir } from '../util/ensure-dir';
import type { TensorflowLibrary } from './tensorflow-library';

/** The packages that provide the `tensorflow` backend, the GPU build first (used when installed). */
export const TFJS_NODE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;
export type TfjsNodePackage = (typeof TFJS_NODE_PACKAGES)[number];

/** The command that builds or repairs tfjs-node. */
export const SETUP_COMMAND = 'npm run setup-tensorflow';

/** Written into deps/ when this project built the binding: says which TensorFlow it uses. */
const ORIGIN_FILE = 'bnn-geometry-origin.json';

/** Folder of an installed package, resolved from `fromDir`; undefined if it is not installed. */
export function packageDir(name: string, fromDir: string): string | undefined {
  try {
    return path.dirname(require.resolve(`${name}/package.json`, { paths: [fromDir] }));
  } catch {
    return undefined;
  }
}

/** Where this project's build of the binding says its TensorFlow came from, if it built it. */
export function builtOrigin(tfjsNodeDir: string): string | undefined {
  try {
    return (JSON.parse(fs.readFileSync(path.join(tfjsNodeDir, 'deps', ORIGIN_FILE), 'utf8')) as { origin: string }).origin;
  } catch {
    return undefined;
  }
}

/**
 * Links `lib` into tfjs-node's deps/: the names binding.gyp links with (-ltensorflow,
 * -ltensorflow_framework), the sonames the binding loads at run time, and include/.
 */
export function stageLibrary(tfjsNodeDir: string, lib: TensorflowLibrary): void {
  const deps = path.join(tfjsNodeDir, 'deps');
  fs.rmSync(deps, { recursive: true, force: true });
  ensureDir(path.join(deps, 'lib'));
  const links: [string, string][] = [
    ['libtensorflow.so', lib.library],
    [path.basename(lib.library), lib.library],
    ['libtensorflow_framework.so', lib.framework],
    ['libtensorflow_framework.so.2', lib.framework],
  ];
  for (const [name, target] of links) fs.symlinkSync(path.resolve(target), path.join(deps, 'lib', name));
  fs.symlinkSync(path.resolve(lib.includeDir), path.join(deps, 'include'));
  writeFileAtomic(path.join(deps, ORIGIN_FILE), JSON.stringify({ origin: lib.origin }));
}

/** Node's own headers next to this Node, so that node-gyp need not download them. */
function nodeHeadersDir(): string | undefined {
  const prefix = path.dirname(path.dirname(process.execPath));
  return fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined;
}

/** Compiles the binding from source; the compiler's output goes to deps/build.log. */
export function buildBinding(tfjsNodeDir: string): { ok: true } | { ok: false; reason: string } {
  const nodePreGyp = require.resolve('@mapbox/node-pre-gyp/bin/node-pre-gyp', { paths: [tfjsNodeDir] });
  const env = { ...process.env };
  env.npm_config_nodedir ??= nodeHeadersDir();
  const build = spawnSync(process.execPath, [nodePreGyp, 'install', '--build-from-source'], {
    cwd: tfjsNodeDir,
    env,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const logFile = path.join(tfjsNodeDir, 'deps', 'build.log');
  fs.writeFileSync(logFile, `${build.stdout}\n${build.stderr}`);
  if (build.status === 0) return { ok: true };
  const lastError = build.stderr.split('\n').filter((line) => /error/i.test(line)).slice(-1)[0];
  return { ok: false, reason: `node-pre-gyp failed (${lastError?.trim() ?? `exit code ${build.status}`}; full log: ${logFile})` };
}

/**
 * Why loading tfjs-node failed, in words that say what to do: the binding was never built, the
 * TensorFlow it was built against is gone, or that TensorFlow does not match the binding.
 */
export function explainLoadFailure(message: string): string {
  const firstLine = message.split('\n')[0];
  // tfjs-node 4.22 checks for the file itself: "The Node.js native addon module (tfjs_binding.node)
  // can not be found at path: …"; Node's own wording is "Cannot find module '…/tfjs_binding.node'".
  if (/tfjs_binding\.node/.test(firstLine) && /can ?not (be )?find|can not be found|no such file/i.test(firstLine)) {
    return `its native binding is not built (${firstLine.replace(/\s*Please run command.*$/, '').replace(/[\s.]+$/, '')})`;
  }
  if (/cannot open shared object file/.test(firstLine)) return `the TensorFlow library it was built against is missing (${firstLine})`;
  if (/undefined symbol|version `.*' not found/.test(firstLine)) {
    return `the TensorFlow library does not match the binding (version mismatch: ${firstLine})`;
  }
  return `it failed to load (${firstLine})`;
}

/** TensorFlow's version as the loaded binding reports it, or why loading failed (in a child process). */
export function probe(pkg: TfjsNodePackage, fromDir: string): { ok: true; version: string } | { ok: false; reason: string } {
  const code = `const tf = require(${JSON.stringify(pkg)}); console.log(tf.backend().binding.TF_Version);`;
  const run = spawnSync(process.execPath, ['-e', code], { cwd: fromDir, encoding: 'utf8' });
  if (run.status === 0) return { ok: true, version: run.stdout.trim().split('\n').pop() ?? '' };
  const error = run.stderr.split('\n').find((line) => /Error/.test(line)) ?? run.stderr.trim();
  return { ok: false, reason: explainLoadFailure(error.replace(/^\w*Error: /, '')) };
}
