/** The per-layer table of the analysis: correlation, slope, angles against theory, sample sizes. */
import { degrees } from '../util/degrees';
import { LayerAngles } from './angles';
import { DotProductComparison } from './dot-products';

export interface LayerSummaryRow {
  layer: string;
  /** Filter dimension k·k·C_in. */
  d: number;
  /** Pearson r of A·W^b against A·W^c, and its standard error over batches of images. */
  r: number;
  rSe: number;
  /** Slope of A·W^c on A·W^b, and its standard error. */
  slope: number;
  slopeSe: number;
  peakAngleDegrees: number;
  /** Bootstrap standard error of the peak over the filters. */
  peakAngleSeDegrees: number;
  theoryAngleDegrees: number;
  sdAngleDegrees: number;
  sdAngleSeDegrees: number;
  /** C/√d from the closed form. */
  theorySdAngleDegrees: number;
  /** Dot products behind r and slope. */
  dotProducts: number;
}


/** One row per conv layer, joining the weight-binarization comparison and the angles by layer name. */
export function layerSummary(weights: readonly DotProductComparison[], angles: readonly LayerAngles[]): LayerSummaryRow[] {
  return angles.map((a) => {
    const w = weights.find((c) => c.layer === a.layer);
    if (!w) throw new Error(`layerSummary: no weight comparison for ${a.layer}; pass the 'weights' comparisons of the same network.`);
    return {
      layer: a.layer,
      d: a.d,
      r: w.r,
      rSe: w.rSe,
      slope: w.slope,
      slopeSe: w.slopeSe,
      peakAngleDegrees: degrees(a.peak),
      peakAngleSeDegrees: degrees(a.peakSe),
      theoryAngleDegrees: degrees(a.theory.angle),
      sdAngleDegrees: degrees(a.sd),
      sdAngleSeDegrees: degrees(a.sdSe),
      theorySdAngleDegrees: degrees(a.theorySd),
      dotProducts: w.count,
    };
  });
}
