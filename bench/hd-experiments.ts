/**
 * Times every hd_figures experiment at the original notebook's sample sizes (plus the
 * spread-versus-dimension experiment, one d = 500 Haar rotation and a large KDE) and prints
 * seconds for each.
 * Run: npx ts-node --transpile-only bench/hd-experiments.ts
 */
import {
  angleSpreadExperiment,
  binarizationExperiment,
  exponentialCovarianceExperiment,
  randomBinaryVectorExperiment,
  randomRotation,
  ternaryExperiment,
  zeroFractionExperiment,
} from '../lib/hd';
import { createRng, normalArray } from '../lib/stats/random';
import { gaussianKde, linspace } from '../lib/stats';

const kdeSamples = normalArray(createRng(2), 100000);

const cases: [string, () => unknown][] = [
  ['randomRotation d=500', () => randomRotation(createRng(1), 500)],
  ['binarization (d = 3, 10, 27; 10000 samples)', () => binarizationExperiment()],
  ['exponential covariance (d = 10, 100, 500; 100 samples)', () => exponentialCovarianceExperiment()],
  ['ternary (d = 1000; 10000 samples; 5 thresholds)', () => ternaryExperiment()],
  ['zero fraction (d = 1000; 200 samples; 31 thresholds)', () => zeroFractionExperiment()],
  ['random binary vectors (n = 10, 100, 1000; 5000 samples)', () => randomBinaryVectorExperiment()],
  ['angle spread vs d (9 dims up to 5000; 1000 samples)', () => angleSpreadExperiment()],
  ['gaussianKde scott: 1e5 samples x 512 grid points', () => gaussianKde(kdeSamples).evaluate(linspace(-4, 4, 512))],
];

let total = 0;
for (const [name, run] of cases) {
  const start = process.hrtime.bigint();
  run();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  total += seconds;
  console.log(`${seconds.toFixed(3).padStart(7)} s  ${name}`);
}
console.log(`${total.toFixed(3).padStart(7)} s  total`);
