/** Pixel bytes to floats through a 256-entry table: one lookup per pixel, no arithmetic. */
import type { PixelScaling } from './datasets';

/** The float32 value of every byte 0..255 under `scaling`: ((b·multiply)/divide + offset). */
export function pixelTable(scaling: PixelScaling): Float32Array {
  const table = new Float32Array(256);
  for (let b = 0; b < 256; b++) table[b] = (b * scaling.multiply) / scaling.divide + scaling.offset;
  return table;
}
