/**
 * Streaming summaries of paired dot products (x, y): the first pass gathers the ranges, the
 * regression and the sign disagreements; the second bins the pairs into a 2-D histogram over those
 * ranges (numpy's `histogram2d` with `bins=50`, as matplotlib's `hist2d` in plotting.hist2d).
 */
import { linspace } from '../stats/grid';
import { LinearFit, createRegressionAccumulator } from '../stats/regression';
import { meanStandardError } from '../stats/standard-error';

/** Bins per axis of the dot-product histograms (plotting.hist2d: `ax.hist2d(x, y, bins=50, …)`). */
export const DOT_PRODUCT_BINS = 50;

export interface PairSummary {
  count: number;
  xMin: number;
  xMax: number;
  yMin: number;
  yMax: number;
  /** Pairs with x·y < 0 (opposite signs; a zero agrees with anything). */
  disagreements: number;
  fit: LinearFit;
  /**
   * Standard errors of fit.r and fit.slope by batch means: the sd of the batches' own r and slope over
   * √batches (batches of images are independent; the dot products within one image are not). NaN
   * with fewer than two batches.
   */
  rSe: number;
  slopeSe: number;
}

export interface PairAccumulator {
  add(xs: ArrayLike<number>, ys: ArrayLike<number>): void;
  /** The summary of all pairs so far; `where` prefixes errors (e.g. 'conv2 weights'). */
  summary(where: string): PairSummary;
}

/** An empty first-pass accumulator. */
export function createPairAccumulator(): PairAccumulator {
  const regression = createRegressionAccumulator();
  const batchFits: LinearFit[] = [];
  let [xMin, xMax, yMin, yMax] = [Infinity, -Infinity, Infinity, -Infinity];
  let disagreements = 0;
  return {
    add(xs, ys) {
      // A batch too small or with constant x has no fit of its own; the batch-means error uses the others.
      const batch = regression.add(xs, ys);
      if (batch !== undefined) batchFits.push(batch);
      for (let i = 0; i < xs.length; i++) {
        const x = xs[i];
        const y = ys[i];
        if (x < xMin) xMin = x;
        if (x > xMax) xMax = x;
        if (y < yMin) yMin = y;
        if (y > yMax) yMax = y;
        if (x * y < 0) disagreements++;
      }
    },
    summary(where) {
      let fit: LinearFit;
      try {
        fit = regression.fit();
      } catch (err) {
        throw new Error(`${where}: ${(err as Error).message}`, { cause: err });
      }
      const batchError = (of: (f: LinearFit) => number): number => (batchFits.length >= 2 ? meanStandardError(batchFits.map(of)) : NaN);
      return {
        count: regression.count, xMin, xMax, yMin, yMax, disagreements, fit,
        rSe: batchError((f) => f.r), slopeSe: batchError((f) => f.slope),
      };
    },
  };
}

/**
 * `bins` equal bins from min to max inclusive; a zero-width range becomes [min − 0.5, max + 0.5]
 * (numpy's `histogram_bin_edges` rule).
 */
export function histogramEdges(min: number, max: number, bins: number): Float64Array {
  if (!Number.isFinite(min) || !Number.isFinite(max)) {
    throw new Error(`histogramEdges: the range [${min}, ${max}] is not finite; the data contain no finite values or infinities.`);
  }
  return min === max ? linspace(min - 0.5, max + 0.5, bins + 1) : linspace(min, max, bins + 1);
}
