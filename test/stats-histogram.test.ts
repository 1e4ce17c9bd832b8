import { strict as assert } from 'node:assert';
import { createHistogram, createHistogram2d } from '../lib/stats/histogram';
import { assertClose, reference } from './stats-reference';

describe('stats: histograms over fixed edges', () => {
  const ref = reference.histogram;

  it('1-D counts and density match numpy.histogram, values on edges included, out-of-range counted', () => {
    const h = createHistogram(ref.xEdges);
    h.add(ref.x);
    assert.deepEqual(Array.from(h.counts), ref.counts1d);
    assert.equal(h.underflow, ref.below1d);
    assert.equal(h.overflow, ref.above1d);
    assert.equal(h.total + h.underflow + h.overflow, ref.x.length);
    assertClose(h.density(), ref.density1d, { rtol: 1e-14 }, 'density');
  });

  it('2-D counts and density match numpy.histogram2d, accumulated over batches', () => {
    const h = createHistogram2d(ref.xEdges, ref.yEdges);
    for (let start = 0; start < ref.x.length; start += 137) {
      h.add(ref.x.slice(start, start + 137), ref.y.slice(start, start + 137));
    }
    assert.deepEqual(Array.from(h.counts), ref.counts2d);
    assert.equal(h.total + h.outside, ref.x.length);
    assertClose(h.density(), ref.density2d, { rtol: 1e-14 }, 'density');
  });

  it('bins by numpy\'s rule on very uneven edges too, every edge value included', () => {
    const edges = [-5, -4.999, 0, 1e-3, 3, 100];
    // Every edge, values just beside each, and a seeded spread over the range and beyond.
    const values = edges.flatMap((e) => [e, e - 1e-9, e + 1e-9]);
    let state = 7;
    for (let k = 0; k < 2000; k++) values.push(-10 + 120 * ((state = (state * 48271) % 2147483647) / 2147483647));
    const h = createHistogram(edges);
    h.add(values);
    // numpy: bin i holds edges[i] <= x < edges[i+1]; the last bin also holds the last edge.
    const expected = edges.slice(1).map((_, i) => values.filter((x) => x >= edges[i] && (x < edges[i + 1] || (i === edges.length - 2 && x === edges[i + 1]))).length);
    assert.deepEqual(Array.from(h.counts), expected);
    assert.equal(h.underflow, values.filter((x) => x < -5).length);
    assert.equal(h.overflow, values.filter((x) => x > 100).length);
  });

  it('counts NaNs separately and puts the last edge in the last bin', () => {
    const h = createHistogram([0, 1, 2]);
    h.add([NaN, 2, 0, 1, -0.5, 2.5]);
    assert.deepEqual([Array.from(h.counts), h.nan, h.underflow, h.overflow], [[1, 2], 1, 1, 1]);
    const h2 = createHistogram2d([0, 1], [0, 1]);
    h2.add([0.5, NaN, 2, 1], [0.5, 0.5, 0.5, 1]);
    assert.deepEqual([Array.from(h2.counts), h2.nan, h2.outside, h2.total], [[2], 1, 1, 2]);
  });

  it('rejects bad edges and mismatched batches', () => {
    assert.throws(() => createHistogram([1]), { message: 'createHistogram: edges needs at least 2 values (one bin), got 1' });
    assert.throws(() => createHistogram([0, 1, 1]), {
      message: 'createHistogram: edges must be finite and strictly increasing (see index 2)',
    });
    assert.throws(() => createHistogram2d([0, 1], [0, NaN]), {
      message: 'createHistogram2d: yEdges must be finite and strictly increasing (see index 1)',
    });
    assert.throws(() => createHistogram2d([0, 1], [0, 1]).add([1, 2], [1]), {
      message: 'Histogram2D.add: xs has length 2 but ys has length 1; pass arrays of equal length',
    });
  });
});
