/**
 * Per-channel mean and population variance over many batches, merged exactly: each batch's
 * (count, mean, variance) is combined with the running totals by the pairwise update of Chan,
 * Golub & LeVeque (1979), "Updating formulae and a pairwise algorithm for computing sample
 * variances", in float64. (lib/stats accumulates one scalar series; batch norm needs one per channel.)
 */

export interface ChannelMoments {
  /** Adds a batch: `count` values per channel with the given per-channel means and population variances. */
  add(count: number, means: ArrayLike<number>, variances: ArrayLike<number>): void;
  /** Values per channel so far. */
  readonly count: number;
  /** Per-channel mean of everything added. */
  mean(): Float64Array;
  /** Per-channel population variance (divided by the count, like tf.moments) of everything added. */
  variance(): Float64Array;
}

export function createChannelMoments(channels: number): ChannelMoments {
  const means = new Float64Array(channels);
  const sumSquares = new Float64Array(channels); // Σ(x − mean)² per channel
  let n = 0;
  return {
    add(count, batchMeans, batchVariances) {
      if (batchMeans.length !== channels || batchVariances.length !== channels) {
        throw new Error(`ChannelMoments.add: expected ${channels} channels, got ${batchMeans.length} means and ${batchVariances.length} variances.`);
      }
      if (count === 0) return;
      const total = n + count;
      for (let c = 0; c < channels; c++) {
        const delta = batchMeans[c] - means[c];
        sumSquares[c] += batchVariances[c] * count + (delta * delta * n * count) / total;
        means[c] += (delta * count) / total;
      }
      n = total;
    },
    get count() {
      return n;
    },
    mean() {
      return Float64Array.from(means);
    },
    variance() {
      if (n === 0) throw new Error('ChannelMoments.variance: no values added yet.');
      return sumSquares.map((s) => s / n);
    },
  };
}
