/**
 * `npm run bench`: every benchmark in turn, each in its own process so that memory figures and
 * backend state do not leak between them. `npm run bench -- NAME… [ARG…]` runs only those, passing
 * on the other words (e.g. `npm run bench -- train-throughput paper packed`).
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const BENCHMARKS = ['hd-experiments', 'conv-gradients', 'train-throughput', 'analysis'];

const words = process.argv.slice(2);
const chosen = words.filter((word) => BENCHMARKS.includes(word));
const passed = words.filter((word) => !BENCHMARKS.includes(word));
if (passed.length > 0 && chosen.length === 0) {
  console.error(`Unknown benchmark ${passed.join(', ')}; choose from: ${BENCHMARKS.join(', ')} (other words are passed to the benchmarks named).`);
  process.exit(2);
}
let failed = 0;
for (const name of chosen.length ? chosen : BENCHMARKS) {
  console.log(`\n== ${name}`);
  const run = spawnSync(process.execPath, [require.resolve('ts-node/dist/bin'), '--transpile-only', path.join(__dirname, `${name}.ts`), ...passed], {
    stdio: 'inherit',
  });
  if (run.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
