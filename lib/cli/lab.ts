/**
 * `npm run lab`: the project's JupyterLab (from `.venv/`, made by `npm install`) on notebooks/, with
 * the kernel registered; further flags go to JupyterLab (`npm run lab -- --port 8899 --no-browser`).
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { registerKernel } from './install-kernel';
import { envState, projectEnv, type ProjectEnv } from './jupyter-env';

/** Flags that choose the served folder themselves (JupyterLab refuses two). */
const ROOT_DIR_FLAG = /^--(ServerApp\.root_dir|notebook-dir|ServerApp\.notebook_dir)(=|$)/;

/** The command that starts JupyterLab on the checkout's notebooks, or an error saying how to set it up. */
export function labCommand(args: string[], env: ProjectEnv = projectEnv()): { command: string; args: string[] } {
  const state = envState(env);
  if (state.kind !== 'ready') {
    const why = state.kind === 'incomplete' ? `is incomplete (${state.why})` : state.kind === 'foreign' ? 'was not made by this project' : 'does not exist';
    throw new Error(
      `JupyterLab is not set up: ${env.dir} ${why}. Run npm install (or npm run setup-jupyter) in ${env.root}; ` +
        'to use a Jupyter of your own instead: jupyter lab notebooks/',
    );
  }
  // JupyterLab refuses to start as root without --allow-root: containers and CI machines run as root.
  const asRoot = process.getuid?.() === 0 ? ['--allow-root'] : [];
  const rootDir = args.some((a) => ROOT_DIR_FLAG.test(a)) ? [] : [`--ServerApp.root_dir=${path.join(env.root, 'notebooks')}`];
  return { command: env.jupyter, args: ['lab', ...rootDir, ...asRoot, ...args] };
}

function main(): void {
  let lab: { command: string; args: string[] };
  try {
    lab = labCommand(process.argv.slice(2));
  } catch (err) {
    console.error(`lab: ${(err as Error).message}`);
    process.exitCode = 1;
    return;
  }
  registerKernel(lab.command);
  const child = spawn(lab.command, lab.args, { stdio: 'inherit' });
  // Ctrl-C reaches JupyterLab too, which asks whether to shut down: this process waits for its answer.
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  child.on('close', (code, signal) => {
    process.exitCode = code ?? (signal ? 1 : 0);
  });
}

if (require.main === module) main();
