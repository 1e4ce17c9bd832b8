/** Evenly spaced grids with numpy's conventions, for evaluation points and histogram edges. */
import { requireInteger, requirePositive } from './validate';

/**
 * Values start, start + step, … strictly below stop, like `numpy.arange(start, stop, step)`:
 * ceil((stop − start) / step) points, each computed as start + i·step (no accumulated error).
 */
export function arange(start: number, stop: number, step: number): Float64Array {
  requirePositive('arange', 'step', step);
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = start + i * step;
  return out;
}

/**
 * `num` evenly spaced values from start to stop inclusive, like `numpy.linspace`: start + i·step
 * with the last value set to stop exactly.
 */
export function linspace(start: number, stop: number, num: number): Float64Array {
  requireInteger('linspace', 'num', num, 1);
  const out = new Float64Array(num);
  const step = num > 1 ? (stop - start) / (num - 1) : 0;
  for (let i = 0; i < num; i++) out[i] = start + i * step;
  out[num - 1] = num > 1 ? stop : start;
  return out;
}
