/**
 * Pearson correlation and least-squares line y ≈ slope·x + intercept, as SciPy's `pearsonr` and
 * `linregress` compute them, from a streaming accumulator: feed any number of (x, y) batches and
 * read the fit. Batches are combined with the pairwise update of Chan, Golub & LeVeque (1979),
 * "Updating formulae and a pairwise algorithm for computing sample variances", so the result
 * matches a single pass over all data to rounding (no catastrophic cancellation of raw sums).
 */
import { requireSameLength } from './validate';

export interface LinearFit {
  /** Number of (x, y) pairs. */
  n: number;
  slope: number;
  intercept: number;
  /** Pearson correlation coefficient (0 when y is constant, as in `scipy.stats.linregress`). */
  r: number;
}

export interface RegressionAccumulator {
  /**
   * Adds one batch of pairs (xs[i], ys[i]) and returns the batch's own fit (for batch-means errors),
   * or undefined when the batch has fewer than 2 pairs or a constant x.
   */
  add(xs: ArrayLike<number>, ys: ArrayLike<number>): LinearFit | undefined;
  /** Number of pairs added so far. */
  readonly count: number;
  /** Least-squares fit and correlation of everything added so far. */
  fit(): LinearFit;
  /** Pearson r of everything added so far; throws if x or y is constant. */
  pearson(): number;
}

/** The fit of n pairs from their means and centred sums (sxx > 0). */
function fitOf(n: number, meanX: number, meanY: number, sxx: number, syy: number, sxy: number): LinearFit {
  const slope = sxy / sxx;
  const r = syy === 0 ? 0 : Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
  return { n, slope, intercept: meanY - slope * meanX, r };
}

/** Creates an empty accumulator for streaming regression / correlation. */
export function createRegressionAccumulator(): RegressionAccumulator {
  let n = 0;
  let meanX = 0;
  let meanY = 0;
  // Centred sums of squares and cross-products: Σ(x − x̄)², Σ(y − ȳ)², Σ(x − x̄)(y − ȳ).
  let sxx = 0;
  let syy = 0;
  let sxy = 0;

  const requireData = (where: string): void => {
    if (n < 2) throw new Error(`${where}: need at least 2 pairs, got ${n}; add more data`);
  };

  return {
    add(xs, ys) {
      requireSameLength('RegressionAccumulator.add', ['xs', 'ys'], xs, ys);
      const m = xs.length;
      if (m === 0) return undefined;
      let bx = 0;
      let by = 0;
      for (let i = 0; i < m; i++) {
        bx += xs[i];
        by += ys[i];
      }
      bx /= m;
      by /= m;
      let bxx = 0;
      let byy = 0;
      let bxy = 0;
      for (let i = 0; i < m; i++) {
        const dx = xs[i] - bx;
        const dy = ys[i] - by;
        bxx += dx * dx;
        byy += dy * dy;
        bxy += dx * dy;
      }
      const total = n + m;
      const dMeanX = bx - meanX;
      const dMeanY = by - meanY;
      const weight = (n * m) / total;
      sxx += bxx + dMeanX * dMeanX * weight;
      syy += byy + dMeanY * dMeanY * weight;
      sxy += bxy + dMeanX * dMeanY * weight;
      meanX += (dMeanX * m) / total;
      meanY += (dMeanY * m) / total;
      n = total;
      return m < 2 || bxx === 0 ? undefined : fitOf(m, bx, by, bxx, byy, bxy);
    },
    get count() {
      return n;
    },
    fit() {
      requireData('linearRegression');
      if (sxx === 0) {
        throw new Error('linearRegression: all x values are identical, so the slope is undefined; vary x');
      }
      return fitOf(n, meanX, meanY, sxx, syy, sxy);
    },
    pearson() {
      requireData('pearson');
      if (sxx === 0 || syy === 0) {
        throw new Error(`pearson: ${sxx === 0 ? 'x' : 'y'} is constant, so the correlation is undefined; vary it`);
      }
      return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
    },
  };
}

function accumulate(xs: ArrayLike<number>, ys: ArrayLike<number>): RegressionAccumulator {
  const acc = createRegressionAccumulator();
  acc.add(xs, ys);
  return acc;
}

/** Least-squares line and correlation of paired samples (`scipy.stats.linregress`). */
export function linearRegression(xs: ArrayLike<number>, ys: ArrayLike<number>): LinearFit {
  requireSameLength('linearRegression', ['xs', 'ys'], xs, ys);
  return accumulate(xs, ys).fit();
}

/** Pearson correlation coefficient of paired samples (`scipy.stats.pearsonr`'s statistic). */
export function pearson(xs: ArrayLike<number>, ys: ArrayLike<number>): number {
  requireSameLength('pearson', ['xs', 'ys'], xs, ys);
  return accumulate(xs, ys).pearson();
}
