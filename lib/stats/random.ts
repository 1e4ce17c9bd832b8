/**
 * Seeded randomness for everything in the project: one generator type, so that a figure or a
 * training run is reproduced exactly from its seed.
 *
 * Uniforms come from xoroshiro128+ (pure-rand) with 53 random bits; normals from the
 * Box–Muller transform, caching the second variate of each pair.
 */
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';

export interface Rng {
  /** Uniform on [0, 1). */
  uniform: () => number;
  /** Standard normal N(0, 1). */
  normal(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** A new generator whose stream is independent of this one's (for parallel experiments). */
  fork(): Rng;
}

export function createRng(seed: number): Rng {
  if (!Number.isInteger(seed)) {
    throw new Error(`createRng: seed must be an integer, got ${seed}`);
  }
  return fromGenerator(xoroshiro128plus(seed | 0));
}

function fromGenerator(gen: ReturnType<typeof xoroshiro128plus>): Rng {
  let spare: number | null = null;
  const uniform = (): number => uniformFloat64(gen);
  return {
    uniform,
    normal(): number {
      if (spare !== null) {
        const z = spare;
        spare = null;
        return z;
      }
      // 1 - u keeps the logarithm's argument in (0, 1].
      const r = Math.sqrt(-2 * Math.log(1 - uniform()));
      const phi = 2 * Math.PI * uniform();
      spare = r * Math.sin(phi);
      return r * Math.cos(phi);
    },
    int(n: number): number {
      return Math.floor(uniform() * n);
    },
    fork(): Rng {
      // The child keeps the current stream; the parent jumps 2^64 steps past it.
      const child = gen.clone();
      gen.jump();
      return fromGenerator(child);
    },
  };
}

/** Fills a new Float64Array of length n with standard normals. */
export function normalArray(rng: Rng, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.normal();
  return out;
}

/** In-place Fisher–Yates shuffle of an index array. */
export function shuffleInPlace(rng: Rng, a: Int32Array | Uint32Array | number[]): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
}

/**
 * A Gamma(shape, 1) variate: Marsaglia & Tsang (2000), "A simple method for generating gamma
 * variables", ACM TOMS 26(3); for shape < 1, Gamma(shape + 1)·U^(1/shape). About 1.05 normals per
 * variate for shape ≥ 1.
 */
export function gammaVariate(rng: Rng, shape: number): number {
  if (!(shape > 0) || !Number.isFinite(shape)) throw new Error(`gammaVariate: shape = ${shape}; it must be a positive number.`);
  if (shape < 1) return gammaVariate(rng, shape + 1) * Math.pow(1 - rng.uniform(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = rng.normal();
    const t = 1 + c * x;
    if (t <= 0) continue;
    const v = t * t * t;
    const u = 1 - rng.uniform(); // in (0, 1]
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}
