import { strict as assert } from 'node:assert';
import { angle, binarize, clipSte, cosine, dot, norm, ternarizationAngles, ternarize } from '../lib/hd/vectors';
import { createRng, normalArray } from '../lib/stats/random';
import { assertClose } from './stats-reference';

describe('hd: vectors and quantizers', () => {
  it('angle gives 0, π/4, π/2 and π for the textbook cases, and 0 for a zero vector', () => {
    assert.equal(angle([1, 0], [3, 0]), 0);
    assertClose(angle([1, 0], [1, 1]), Math.PI / 4, { rtol: 1e-15 }, '45°');
    assert.equal(angle([1, 0, 0], [0, 2, 0]), Math.PI / 2);
    assert.equal(angle([1, 2], [-2, -4]), Math.PI);
    assert.equal(angle([0, 0], [1, 2]), 0);
    assert.equal(cosine([0, 0], [0, 0]), 1);
  });

  it('dot and norm', () => {
    assert.equal(dot([1, 2, 3], [4, 5, 6]), 32);
    assert.equal(norm(Float64Array.of(3, 4)), 5);
  });

  it('clamps rounding so that parallel vectors never give NaN', () => {
    const u = normalArray(createRng(3), 50);
    assert.equal(angle(u, u.map((x) => 0.1 * x)), 0);
  });

  it('binarize maps negatives to −1 and zero or positives to +1', () => {
    assert.deepEqual(Array.from(binarize([-2, -0, 0, 0.3])), [-1, 1, 1, 1]);
  });

  it('ternarize zeroes |x| <= threshold and keeps the sign elsewhere', () => {
    assert.deepEqual(Array.from(ternarize([-2, -0.5, 0.2, 0.5, 0.51], 0.5)), [-1, 0, 0, 0, 1]);
    assert.deepEqual(Array.from(ternarize([-0.1, 0, 0.1], 0)), [-1, 0, 1]);
  });

  it('clipSte is the identity on [−1, 1] and saturates outside', () => {
    assert.deepEqual(Array.from(clipSte([-3, -1, 0.25, 1, 7])), [-1, -1, 0.25, 1, 1]);
  });

  it('ternarizationAngles equals angle(u, ternarize(u, t)) and counts zeros', () => {
    const u = normalArray(createRng(11), 400);
    const thresholds = [0, 0.3, 0.612, 1.5, 10];
    const { angles, zeroCounts } = ternarizationAngles(u, thresholds);
    thresholds.forEach((t, j) => {
      const q = ternarize(u, t);
      assertClose(angles[j], angle(u, q), { rtol: 1e-13 }, `t=${t}`);
      assert.equal(zeroCounts[j], q.filter((x) => x === 0).length);
    });
    assert.equal(angles[4], 0); // everything zeroed: the zero-vector convention
  });

  it('rejects negative thresholds and mismatched lengths with clear messages', () => {
    assert.throws(() => ternarize([1], -0.1), { message: 'ternarize: threshold must be a finite number >= 0, got -0.1' });
    assert.throws(() => ternarize([1], NaN), { message: 'ternarize: threshold must be a finite number >= 0, got NaN' });
    assert.throws(() => ternarizationAngles([1], [0.2, -1]), {
      message: 'ternarizationAngles: threshold must be a finite number >= 0, got -1',
    });
    assert.throws(() => angle([1, 2], [1]), { message: 'angle: a has length 2 but b has length 1; pass arrays of equal length' });
    assert.throws(() => dot([1], []), { message: 'dot: a has length 1 but b has length 0; pass arrays of equal length' });
  });
});
