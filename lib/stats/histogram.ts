/**
 * 1-D and 2-D histograms over fixed bin edges that accumulate batch after batch, with numpy's
 * binning rule: bin i holds edges[i] <= x < edges[i+1], except the last bin, which also holds
 * x = edges[last]. Values outside the edges and NaNs are counted separately, never dropped silently.
 */
import { requireSameLength } from './validate';

export interface Histogram1D {
  readonly edges: Float64Array;
  /** counts[i] = number of values in bin i. */
  readonly counts: Float64Array;
  /** Values below edges[0]. */
  readonly underflow: number;
  /** Values above the last edge. */
  readonly overflow: number;
  /** NaN values. */
  readonly nan: number;
  /** Values inside the edges (the sum of counts). */
  readonly total: number;
  add(values: ArrayLike<number>): void;
  /** counts / (total · bin width): integrates to 1 over the edges (numpy's `density=True`); NaN while empty. */
  density(): Float64Array;
}

export interface Histogram2D {
  readonly xEdges: Float64Array;
  readonly yEdges: Float64Array;
  /** Row-major counts: counts[i · ny + j] for x bin i and y bin j (numpy's H[i, j]); ny = yEdges.length − 1. */
  readonly counts: Float64Array;
  /** Pairs with x or y outside its edges (and neither NaN). */
  readonly outside: number;
  /** Pairs where x or y is NaN. */
  readonly nan: number;
  /** Pairs inside both ranges (the sum of counts). */
  readonly total: number;
  add(xs: ArrayLike<number>, ys: ArrayLike<number>): void;
  /** counts / (total · bin area) (numpy's `density=True`); NaN while empty. */
  density(): Float64Array;
}

function checkedEdges(where: string, name: string, edges: ArrayLike<number>): Float64Array {
  if (edges.length < 2) {
    throw new Error(`${where}: ${name} needs at least 2 values (one bin), got ${edges.length}`);
  }
  const copy = Float64Array.from(edges);
  for (let i = 0; i < copy.length; i++) {
    if (!Number.isFinite(copy[i]) || (i > 0 && !(copy[i] > copy[i - 1]))) {
      throw new Error(`${where}: ${name} must be finite and strictly increasing (see index ${i})`);
    }
  }
  return copy;
}

/** Bin index of x, −1 below the range, −2 above it (x must not be NaN). */
function binIndex(edges: Float64Array, x: number): number {
  const last = edges.length - 1;
  if (x < edges[0]) return -1;
  if (x > edges[last]) return -2;
  if (x === edges[last]) return last - 1;
  // The bin x would fall in with equal widths, then steps to the one whose edges hold it: exact for
  // any edges, and a step or none for even ones (the dot-product figures bin tens of millions of values).
  let i = Math.min(last - 1, Math.floor(((x - edges[0]) / (edges[last] - edges[0])) * last));
  while (x < edges[i]) i--;
  while (x >= edges[i + 1]) i++;
  return i;
}

function widths(edges: Float64Array): Float64Array {
  const w = new Float64Array(edges.length - 1);
  for (let i = 0; i < w.length; i++) w[i] = edges[i + 1] - edges[i];
  return w;
}

/** An empty 1-D histogram over the given edges (copied). */
export function createHistogram(edges: ArrayLike<number>): Histogram1D {
  const e = checkedEdges('createHistogram', 'edges', edges);
  const counts = new Float64Array(e.length - 1);
  let underflow = 0;
  let overflow = 0;
  let nan = 0;
  let total = 0;
  return {
    edges: e,
    counts,
    get underflow() {
      return underflow;
    },
    get overflow() {
      return overflow;
    },
    get nan() {
      return nan;
    },
    get total() {
      return total;
    },
    add(values) {
      for (let k = 0; k < values.length; k++) {
        const x = values[k];
        if (Number.isNaN(x)) {
          nan++;
          continue;
        }
        const i = binIndex(e, x);
        if (i === -1) underflow++;
        else if (i === -2) overflow++;
        else {
          counts[i]++;
          total++;
        }
      }
    },
    density() {
      const w = widths(e);
      return counts.map((c, i) => c / (total * w[i]));
    },
  };
}

/** An empty 2-D histogram over the given x and y edges (copied). */
export function createHistogram2d(xEdges: ArrayLike<number>, yEdges: ArrayLike<number>): Histogram2D {
  const ex = checkedEdges('createHistogram2d', 'xEdges', xEdges);
  const ey = checkedEdges('createHistogram2d', 'yEdges', yEdges);
  const ny = ey.length - 1;
  const counts = new Float64Array((ex.length - 1) * ny);
  let outside = 0;
  let nan = 0;
  let total = 0;
  return {
    xEdges: ex,
    yEdges: ey,
    counts,
    get outside() {
      return outside;
    },
    get nan() {
      return nan;
    },
    get total() {
      return total;
    },
    add(xs, ys) {
      requireSameLength('Histogram2D.add', ['xs', 'ys'], xs, ys);
      for (let k = 0; k < xs.length; k++) {
        const x = xs[k];
        const y = ys[k];
        if (Number.isNaN(x) || Number.isNaN(y)) {
          nan++;
          continue;
        }
        const i = binIndex(ex, x);
        const j = binIndex(ey, y);
        if (i < 0 || j < 0) outside++;
        else {
          counts[i * ny + j]++;
          total++;
        }
      }
    },
    density() {
      const wx = widths(ex);
      const wy = widths(ey);
      return counts.map((c, k) => c / (total * wx[Math.floor(k / ny)] * wy[k % ny]));
    },
  };
}
