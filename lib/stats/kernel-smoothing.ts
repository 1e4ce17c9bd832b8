/**
 * A density as a Gaussian KDE of its samples shows it on average, so that a dashed theory curve and
 * a solid KDE are comparable even where the kernel is as wide as the law.
 */
import { requireNonEmpty, requirePositive } from './validate';

/** Integration points per kernel width: the trapezoid rule is then accurate to ~1e-9 relative for smooth laws. */
const STEPS_PER_WIDTH = 8;
/** Kernel mass beyond this many widths is below 1e-15 and ignored. */
const KERNEL_REACH = 8;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/**
 * E[KDE(x)] = ∫ p(s)·φ((x − s)/h)/h ds at each grid point, for a density p supported on
 * `support` = [a, b] (evaluated there by `density` on a grid of step h/8; trapezoid rule). This is
 * the expected value of a width-h Gaussian KDE of samples drawn from p, mass leaking past the
 * ends included, as in the KDE itself.
 */
export function kernelSmoothedDensity(
  grid: ArrayLike<number>,
  density: (points: Float64Array) => Float64Array,
  width: number,
  support: readonly [number, number],
): Float64Array {
  requireNonEmpty('kernelSmoothedDensity', 'grid', grid);
  requirePositive('kernelSmoothedDensity', 'width', width);
  const [a, b] = support;
  if (!(b > a)) throw new Error(`kernelSmoothedDensity: support [${a}, ${b}] must have a < b`);
  const steps = Math.max(2, Math.ceil(((b - a) * STEPS_PER_WIDTH) / width));
  const step = (b - a) / steps;
  const points = Float64Array.from({ length: steps + 1 }, (_, i) => a + i * step);
  const values = density(points);
  // Trapezoid weights: half at both ends.
  values[0] *= 0.5;
  values[steps] *= 0.5;
  const out = new Float64Array(grid.length);
  for (let g = 0; g < grid.length; g++) {
    const x = grid[g];
    const first = Math.max(0, Math.floor((x - KERNEL_REACH * width - a) / step));
    const last = Math.min(steps, Math.ceil((x + KERNEL_REACH * width - a) / step));
    let sum = 0;
    for (let i = first; i <= last; i++) {
      const z = (x - points[i]) / width;
      sum += values[i] * Math.exp(-0.5 * z * z);
    }
    out[g] = (sum * step * INV_SQRT_2PI) / width;
  }
  return out;
}
