/**
 * `npm run bench`: every benchmark in turn, each in its own process so that memory figures and
 * backend state do not leak between them. `npm run bench -- NAME…` runs only those.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const BENCHMARKS = ['hd-experiments', 'conv-gradients', 'train-throughput', 'analysis'];

const chosen = process.argv.slice(2);
const unknown = chosen.filter((name) => !BENCHMARKS.includes(name));
if (unknown.length) {
  console.error(`Unknown benchmark ${unknown.join(', ')}; choose from: ${BENCHMARKS.join(', ')}.`);
  process.exit(2);
}
let failed = 0;
for (const name of chosen.length ? chosen : BENCHMARKS) {
  console.log(`\n== ${name}`);
  const run = spawnSync(process.execPath, [require.resolve('ts-node/dist/bin'), '--transpile-only', path.join(__dirname, `${name}.ts`)], {
    stdio: 'inherit',
  });
  if (run.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
