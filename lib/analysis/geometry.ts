/**
 * The geometry of a network's quantized weights, from the weights alone, recorded at initialisation
 * and after every epoch: how the filter angles ∠(Wᵇ, Wᶜ) form during training, what the weights'
 * shape predicts for them (lib/hd/theory-marginal.ts), and how much the quantized weights still move.
 */
import { marginalKurtosis, marginalLimitCosine, empiricalMoments } from '../hd/theory-marginal';
import { Network } from '../model/network';
import { mean, standardDeviation } from '../stats/summary';
import { angleDensity, filterAngles } from './angles';
import { convLayerIndices, layerWeightValues } from './layers';

/** One layer's record (angles in radians). */
export interface LayerGeometry {
  layer: string;
  /** Filter dimension k·k·C_in. */
  d: number;
  meanAngle: number;
  /** The KDE peak of the filter angles (as the angle figure computes it). */
  peakAngle: number;
  sdAngle: number;
  /** E|w|/rms of the latent weights: arccos of it is the angle their shape predicts for large d. */
  ratio: number;
  /** E w⁴/(E w²)² of the latent weights (3 Gaussian, 1.8 uniform). */
  kurtosis: number;
  /** Fraction of latent weights at the ±1 clip of the straight-through estimator. */
  clipped: number;
  /** Fraction of Wᵇ signs that changed since the previous record; null for the first. */
  flipped: number | null;
}

/** The signs of every layer's Wᵇ at a record, to count flips at the next. */
export type SignSnapshot = ReadonlyMap<string, Uint8Array>;

/** A latent weight counts as clipped within this distance of ±1 (the clip is exact, but weights are float32). */
const CLIP_TOLERANCE = 1e-6;

/**
 * The record of every conv layer whose weights are quantized (none for a continuous network), with
 * flips counted against `previous`; also returns this record's signs for the next one.
 */
export function weightGeometry(net: Network, previous?: SignSnapshot): { layers: LayerGeometry[]; signs: SignSnapshot } {
  const signs = new Map<string, Uint8Array>();
  const layers = convLayerIndices(net)
    .map((i) => net.layers[i])
    .filter((layer) => layer.quantizeWeights)
    .map((layer): LayerGeometry => {
      const { latent, quantized, shape } = layerWeightValues(net, layer);
      const filters = shape[shape.length - 1];
      const { angles } = filterAngles(latent, quantized, filters);
      const moments = empiricalMoments(latent);
      const sign = Uint8Array.from(quantized, (q) => (q > 0 ? 1 : q < 0 ? 2 : 0));
      const before = previous?.get(layer.name);
      let changed = 0;
      if (before) for (let i = 0; i < sign.length; i++) if (sign[i] !== before[i]) changed++;
      let clipped = 0;
      for (const w of latent) if (Math.abs(w) >= 1 - CLIP_TOLERANCE) clipped++;
      signs.set(layer.name, sign);
      return {
        layer: layer.name,
        d: latent.length / filters,
        meanAngle: angles.length > 0 ? mean(angles) : NaN,
        peakAngle: angles.length > 0 ? angleDensity(angles).peak : NaN,
        sdAngle: angles.length > 1 ? standardDeviation(angles) : NaN,
        ratio: marginalLimitCosine(moments),
        kurtosis: marginalKurtosis(moments),
        clipped: clipped / latent.length,
        flipped: before ? changed / sign.length : null,
      };
    });
  return { layers, signs };
}

/** "conv1 ∠ 31.2° flip 12.3%, conv2 ∠ 30.5° flip 8.1%, … · kurtosis 1.90 1.83 1.81 · clipped 0.0%": the line per epoch. */
export function geometrySummary(layers: readonly LayerGeometry[]): string {
  const degrees = (rad: number) => `${((rad * 180) / Math.PI).toFixed(1)}°`;
  const percent = (f: number) => `${(100 * f).toFixed(1)}%`;
  const angles = layers.map((l) => `${l.layer} ∠ ${degrees(l.meanAngle)}${l.flipped === null ? '' : ` flip ${percent(l.flipped)}`}`).join(', ');
  return `geometry: ${angles} · kurtosis ${layers.map((l) => l.kurtosis.toFixed(2)).join(' ')} · clipped ${layers.map((l) => percent(l.clipped)).join(' ')}`;
}
