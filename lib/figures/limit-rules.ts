/** The limiting binarization angles of uniform, Gaussian and Laplace weights, as labelled rules on a degree axis. */
import type { ReferenceRule } from '../charts';
import { BINARY_LIMIT_ANGLE } from '../hd/theory-binary';
import { LAPLACE_LIMIT_ANGLE, UNIFORM_LIMIT_ANGLE } from '../hd/theory-marginal';
import { degrees } from '../util/degrees';

export const WEIGHT_SHAPE_LIMIT_RULES: readonly ReferenceRule[] = [
  { at: degrees(UNIFORM_LIMIT_ANGLE), label: 'uniform 30°' },
  { at: degrees(BINARY_LIMIT_ANGLE), label: 'Gaussian 37.07°' },
  { at: degrees(LAPLACE_LIMIT_ANGLE), label: 'Laplace 45°' },
];
