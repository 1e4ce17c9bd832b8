/** Loads the NumPy/SciPy reference values (test/fixtures/make_stats_fixtures.py) and compares numbers. */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface StatsReference {
  normal: {
    x: number[]; pdf: number[]; cdf: number[]; sf: number[]; p: number[]; quantile: number[];
    shifted: { x: number; mean: number; sd: number; pdf: number; cdf: number; p: number; quantile: number };
  };
  kde: { samples: number[]; grid: number[]; cases: { name: string; factor: number; width: number; density: number[] }[] };
  regression: { x: number[]; y: number[]; slope: number; intercept: number; r: number; pearson: number };
  summary: {
    values: number[]; q: number[]; quantiles: number[]; median: number; mean: number; std0: number; std1: number;
    even: number[]; evenMedian: number; evenQuantiles: number[];
  };
  histogram: {
    x: number[]; y: number[]; xEdges: number[]; yEdges: number[]; counts1d: number[]; density1d: number[];
    below1d: number; above1d: number; counts2d: number[]; density2d: number[];
  };
  grid: { arangeLength: number; arangeLast: number; linspace: number[] };
  theory: {
    thresholds: number[]; ternaryCosine: number[]; zeroFraction: number[]; optimalThreshold: number;
    dims: number[]; chiMean: number[];
    pairAngle: { theta: number[]; d: number[]; density: number[][] };
    binomial: Record<string, number[]>;
  };
}

export const reference = JSON.parse(
  readFileSync(join(__dirname, 'fixtures', 'stats_reference.json'), 'utf8'),
) as StatsReference;

/** Asserts |actual − expected| <= atol + rtol·|expected|, elementwise for arrays. */
export function assertClose(
  actual: number | ArrayLike<number>,
  expected: number | ArrayLike<number>,
  { rtol = 0, atol = 0 }: { rtol?: number; atol?: number },
  label = '',
): void {
  const a = typeof actual === 'number' ? [actual] : Array.from(actual);
  const e = typeof expected === 'number' ? [expected] : Array.from(expected);
  assert.equal(a.length, e.length, `${label}: length ${a.length} != ${e.length}`);
  a.forEach((value, i) => {
    const tolerance = atol + rtol * Math.abs(e[i]);
    assert.ok(
      Math.abs(value - e[i]) <= tolerance,
      `${label}[${i}]: got ${value}, expected ${e[i]} (tolerance ${tolerance})`,
    );
  });
}
