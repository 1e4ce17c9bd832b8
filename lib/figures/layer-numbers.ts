/**
 * The numbers gen_plots.ipynb reproduces for a trained network (keys 'gen.…'), its per-layer table,
 * and a check of the paper's three claims about trained networks (Anderson & Berg 2018, section 4):
 * dot products are preserved (strongly from the second layer on), filter angles sit near the
 * closed-form angle, and their spread falls like d^(−1/2).
 */
import type { NetworkAnalysis } from '../analysis/analyze';
import type { LayerAngles } from '../analysis/angles';
import type { TableRow } from '../display/tables';
import { ANGLE_SPREAD_SLOPE } from '../paper-constants';
import { proportionStandardError } from '../stats/standard-error';
import { degrees, DEGREE } from '../util/degrees';
import type { ReproducedNumber } from './numbers';

/** The paper's statements, quoted in the report beside the measurements. */
export const PAPER_CLAIMS = {
  correlation: 'high for layers ≥ 2; weaker in layer 1',
  angle: 'near arccos √(2/π) ≈ 37°, closer as d grows',
  /** The same claim for ternary weights, against the ternary closed form at the layer's t/σ (section 5). */
  ternaryAngle: 'near arccos(√2φ(t)/√Q(t)) at t/σ, closer as d grows',
  spread: 'sd ∝ d^(−1/2)',
} as const;

/**
 * How close is "close" in claimCheck, stated here so the verdicts can be read against them:
 * a peak within 5° of theory, a log–log slope within 0.15 of −½, a mean within 3 standard errors of a prediction.
 */
export const CLAIM_TOLERANCE = { angleDegrees: 5, spreadSlope: 0.15, standardErrors: 3 } as const;

/** Whether the analysed network's weights are ternary (its angle theory then has a threshold). */
const ternary = (analysis: NetworkAnalysis): boolean => analysis.angles.some((a) => typeof a.theory.thresholdOverSigma === 'number');

/** Test accuracy on the whole test set, with its binomial standard error. */
export function testAccuracyNumber(accuracy: number, dataset: string, testImages: number): ReproducedNumber {
  return {
    key: 'gen.testAccuracy', figure: 'gen-test-accuracy', quantity: `test accuracy, ${dataset} (${testImages} images)`,
    measured: 100 * accuracy, se: 100 * proportionStandardError(accuracy, testImages), unit: '%',
  };
}

/** Why a layer's peak need not sit at the Gaussian closed form: the angle its own weights predict, where known. */
function peakApproximation(angles: LayerAngles | undefined): string {
  const gaussian = 'the closed form is the d → ∞ angle of Gaussian weights';
  if (!angles?.weightShape) return gaussian;
  return `${gaussian}; this layer's own weights predict ${degrees(angles.weightShape.angle).toFixed(1)}° at its d`;
}

/**
 * Per conv layer: r and slope of A·W^c on A·W^b, activation r, the permutation control's r, peak
 * and sd of the filter angles; the spread's slope. Errors of r and slope are batch means over the
 * images; of the angles, over the filters.
 */
export function layerNumbers(analysis: NetworkAnalysis): ReproducedNumber[] {
  const numbers: ReproducedNumber[] = [];
  const gaussianSpread = 'the closed form is first order in 1/√d, for Gaussian weights';
  for (const row of analysis.layerSummary) {
    const add = (figure: string, name: string, quantity: string, measured: number, se: number, more: Partial<ReproducedNumber> = {}): void => {
      numbers.push({ key: `gen.${row.layer}.${name}`, figure, quantity: `${row.layer}: ${quantity}`, measured, se, ...more });
    };
    add('gen-weight-binarization', 'r', `Pearson r of A·Wᶜ on A·Wᵇ (d = ${row.d})`, row.r, row.rSe, { paper: PAPER_CLAIMS.correlation });
    add('gen-weight-binarization', 'slope', 'regression slope of A·Wᶜ on A·Wᵇ', row.slope, row.slopeSe);
    const activation = analysis.activationBinarization.find((c) => c.layer === row.layer);
    if (activation) add('gen-activation-binarization', 'activationR', 'Pearson r of A·Wᵇ on Aᶜ·Wᵇ', activation.r, activation.rSe);
    const permuted = analysis.permutationControl.find((c) => c.layer === row.layer);
    if (permuted) {
      // For an input independent of the weights, corr(A·Wᵇ, A·Wᶜ) = cos ∠(Wᵇ, Wᶜ): the permutation control's prediction.
      add('gen-permutation-control', 'permutedR', 'Pearson r with permuted activations (theory cos θ*)', permuted.r, permuted.rSe, {
        theory: Math.cos((row.theoryAngleDegrees * Math.PI) / 180),
        approximation: 'cos θ* holds for isotropic inputs and Gaussian weights; permuted activations keep their mean and their spread across positions',
      });
    }
    const angles = analysis.angles.find((a) => a.layer === row.layer);
    add('gen-filter-angles', 'peakAngle', `peak ∠(Wᵇ, Wᶜ) over filters (d = ${row.d})`, row.peakAngleDegrees, row.peakAngleSeDegrees, {
      theory: row.theoryAngleDegrees, approximation: peakApproximation(angles), unit: DEGREE,
      paper: ternary(analysis) ? PAPER_CLAIMS.ternaryAngle : PAPER_CLAIMS.angle,
    });
    add('gen-filter-angles', 'angleSd', 'sd of ∠(Wᵇ, Wᶜ) (theory C/√d)', row.sdAngleDegrees, row.sdAngleSeDegrees, {
      theory: row.theorySdAngleDegrees, approximation: gaussianSpread, unit: DEGREE,
    });
  }
  const { fit, slopeSe } = analysis.angleSpread;
  if (fit) {
    numbers.push({
      key: 'gen.spread.slope', figure: 'gen-angle-spread', quantity: 'log–log slope of the angle sd against d, across layers',
      measured: fit.slope, se: slopeSe ?? NaN, theory: ANGLE_SPREAD_SLOPE, approximation: gaussianSpread, paper: PAPER_CLAIMS.spread,
    });
  }
  return numbers;
}

/** One row per conv layer: d, correlations, slope, angles against theory, latent-weight sd. */
export function layerTable(analysis: NetworkAnalysis): TableRow[] {
  return analysis.layerSummary.map((row) => {
    const activation = analysis.activationBinarization.find((c) => c.layer === row.layer);
    const weights = analysis.weightDistributions.find((w) => w.layer === row.layer);
    const angles = analysis.angles.find((a) => a.layer === row.layer);
    const shape = angles?.weightShape ?? null;
    return {
      layer: row.layer,
      d: row.d,
      'r (A·Wᵇ, A·Wᶜ)': row.r,
      slope: row.slope,
      'r (Aᶜ·Wᵇ, A·Wᵇ)': activation?.r ?? null,
      'peak angle (°)': row.peakAngleDegrees,
      'theory angle (°)': row.theoryAngleDegrees,
      'sd angle (°)': angles !== undefined && angles.angles.length < 2 ? 'undefined: one filter has no spread' : row.sdAngleDegrees,
      'theory sd (°)': row.theorySdAngleDegrees,
      'kurtosis of Wᶜ': shape?.kurtosis ?? null,
      'fitted β': shape === null ? null : Number.isFinite(shape.shape) ? shape.shape : 'flatter than uniform',
      'angle its weights predict (°)': shape === null ? null : degrees(shape.angle),
      'σ of Wᶜ': weights?.sd ?? null,
      'dot products': row.dotProducts,
    };
  });
}

/** A type alias (not an interface) so that rows pass to showTable as they are. */
export type ClaimCheck = {
  claim: string;
  holds: boolean;
  evidence: string;
};

/** "0.912 ± 0.004" (or without the error where it is undefined). */
function withError(value: number, se: number, digits: number): string {
  return Number.isFinite(se) ? `${value.toFixed(digits)} ± ${se.toFixed(digits)}` : `${value.toFixed(digits)} (no standard error)`;
}

/**
 * Whether each of the paper's claims holds for this network, with the numbers that decide it and
 * their standard errors; ordering claims ("weaker in layer 1", "closer as d grows") are judged
 * against the combined error of the two numbers compared, not as a strict order of noisy values.
 */
export function claimCheck(analysis: NetworkAnalysis): ClaimCheck[] {
  const rows = analysis.layerSummary;
  const checks: ClaimCheck[] = [];
  if (rows.length >= 2) {
    const [first, ...rest] = rows;
    const weakest = rest.reduce((a, b) => (b.r < a.r ? b : a));
    const combined = Math.hypot(first.rSe, weakest.rSe);
    checks.push({
      claim: `dot products: ${PAPER_CLAIMS.correlation} (every later layer's r above layer 1's)`,
      holds: weakest.r > first.r,
      evidence: `r = ${withError(first.r, first.rSe, 3)} in ${first.layer}; lowest later layer ${weakest.layer} r = ${withError(weakest.r, weakest.rSe, 3)}` +
        (combined > 0 ? ` (${((weakest.r - first.r) / combined).toFixed(1)} combined standard errors apart)` : ''),
    });
  }
  const quantized = analysis.angles.filter((a) => a.theory.angle > 0);
  if (quantized.length > 0) {
    // A peak estimated from few filters is uncertain by its bootstrap error: "closer as d grows" fails
    // only when the largest d is further off by more than CLAIM_TOLERANCE.standardErrors combined errors.
    const offsets = quantized.map((a) => ({ layer: a.layer, d: a.d, off: Math.abs(degrees(a.peak - a.theory.angle)), se: degrees(a.peakSe) }));
    const largestD = offsets.reduce((a, b) => (b.d > a.d ? b : a));
    const smallestD = offsets.reduce((a, b) => (b.d < a.d ? b : a));
    const furtherOff = largestD.off - smallestD.off > CLAIM_TOLERANCE.standardErrors * Math.hypot(largestD.se, smallestD.se);
    checks.push({
      claim: `filter angles: ${ternary(analysis) ? PAPER_CLAIMS.ternaryAngle : PAPER_CLAIMS.angle} (within ${CLAIM_TOLERANCE.angleDegrees}° at the largest d, ` +
        `and not further off than at the smallest d by more than ${CLAIM_TOLERANCE.standardErrors} standard errors)`,
      holds: largestD.off <= CLAIM_TOLERANCE.angleDegrees && !furtherOff,
      evidence: offsets.map((o) => `${o.layer} (d = ${o.d}) ${withError(o.off, o.se, 1)}° off`).join(', '),
    });
  }
  const shaped = analysis.angles.filter((a) => a.weightShape !== null && a.meanSe > 0);
  if (shaped.length > 0) {
    const explained = shaped.map((a) => ({ a, predicted: a.weightShape!.angle, errors: Math.abs(a.mean - a.weightShape!.angle) / a.meanSe }));
    checks.push({
      claim: `explanation (beyond the paper): each layer's mean filter angle is the one its own weight marginal predicts, within ${CLAIM_TOLERANCE.standardErrors} standard errors`,
      holds: explained.every((e) => e.errors <= CLAIM_TOLERANCE.standardErrors),
      evidence: explained.map((e) => `${e.a.layer} ${withError(degrees(e.a.mean), degrees(e.a.meanSe), 2)}° vs ${degrees(e.predicted).toFixed(2)}° ` +
        `(${e.errors.toFixed(1)} SE; kurtosis ${e.a.weightShape!.kurtosis.toFixed(2)})`).join('; '),
    });
  }
  const { fit, slopeSe } = analysis.angleSpread;
  if (fit) {
    checks.push({
      claim: `angle spread: ${PAPER_CLAIMS.spread} (slope within ±${CLAIM_TOLERANCE.spreadSlope} of −0.5)`,
      holds: Math.abs(fit.slope - ANGLE_SPREAD_SLOPE) <= CLAIM_TOLERANCE.spreadSlope,
      evidence: `fitted slope ${withError(fit.slope, slopeSe ?? NaN, 3)} over ${analysis.angleSpread.layers.length} layers`,
    });
  }
  return checks;
}
