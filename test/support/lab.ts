/** Starts the project's JupyterLab (`npm run lab`'s entry point) on a free loopback port, for tests. */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as net from 'node:net';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

export interface RunningLab {
  /** http://127.0.0.1:PORT */
  base: string;
  token: string;
  /** Everything JupyterLab printed so far. */
  output(): string;
  /** GET a path of the server's REST API with the token, as JSON. */
  api<T>(route: string): Promise<T>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Runs `node dist/cli/lab.js --no-browser --port P …flags` and resolves once JupyterLab serves. */
export async function startLab(flags: string[] = [], env: NodeJS.ProcessEnv = process.env): Promise<RunningLab> {
  const port = await freePort();
  const token = randomBytes(16).toString('hex');
  const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'cli', 'lab.js'), '--no-browser', `--port=${port}`, `--IdentityProvider.token=${token}`, ...flags], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout.on('data', (c: Buffer) => (log += c.toString()));
  child.stderr.on('data', (c: Buffer) => (log += c.toString()));
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  const base = `http://127.0.0.1:${port}`;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`JupyterLab did not start within 90 s:\n${log}`)), 90_000);
    const poll = setInterval(() => {
      if (log.includes(`${base}/lab`)) {
        clearInterval(poll);
        clearTimeout(timer);
        resolve();
      }
    }, 200);
    void closed.then((code) => {
      clearInterval(poll);
      clearTimeout(timer);
      reject(new Error(`npm run lab exited with ${code} before serving:\n${log}`));
    });
  });
  return {
    base,
    token,
    output: () => log,
    async api<T>(route: string): Promise<T> {
      const res = await fetch(`${base}${route}`, { headers: { Authorization: `token ${token}` } });
      if (!res.ok) throw new Error(`GET ${route}: HTTP ${res.status}`);
      return (await res.json()) as T;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await closed;
      clearTimeout(timer);
    },
  };
}
