/** Degrees in one radian: the figures and tables show degrees, the analyses compute in radians. */
export const DEGREES_PER_RADIAN = 180 / Math.PI;

export function degrees(radians: number): number {
  return (radians * 180) / Math.PI;
}

/** The unit label of a value in degrees. */
export const DEGREE = '°';
