/** "What binarization buys": the float network against its packed form, as a table and a chart. */
import type { TopLevelSpec } from 'vega-lite';
import { barChart, concatCharts, panelWidth } from '../charts';
import type { TableRow } from '../display/tables';
import type { BinarizationGains } from '../packed/gains';
import { accuracyPercent } from '../train/report';
import { formatBinaryBytes } from '../display/format';

const MIB = 1024 * 1024;

/** One row per quantity: float, packed, and packed's factor. */
export function binarizationGainsTable(g: BinarizationGains): TableRow[] {
  return [
    { quantity: 'model size', float: formatBinaryBytes(g.floatBytes), packed: formatBinaryBytes(g.packedBytes), factor: `${(g.floatBytes / g.packedBytes).toFixed(1)}x smaller` },
    {
      quantity: 'inference (img/s)',
      float: `${Math.round(g.floatImagesPerSecond)} (${g.floatBackend})`,
      packed: `${Math.round(g.packedImagesPerSecond)} (${g.packedKernels})`,
      factor: `${(g.packedImagesPerSecond / g.floatImagesPerSecond).toFixed(1)}x faster`,
    },
    {
      quantity: `test accuracy (${g.testImages} images)`,
      float: accuracyPercent(g.floatAccuracy),
      packed: accuracyPercent(g.packedAccuracy),
      factor: `${g.predictionDifferences} predictions differ`,
    },
  ];
}

/** Model size and inference speed, float against packed, side by side. */
export function binarizationGainsChart(g: BinarizationGains): TopLevelSpec {
  const size = barChart({
    title: 'Model size',
    xLabel: '',
    yLabel: 'MiB',
    // One category: the x axis names the bars, so a colour legend would only repeat it.
    bars: [
      { group: 'float', category: 'size', value: g.floatBytes / MIB },
      { group: 'packed', category: 'size', value: g.packedBytes / MIB },
    ],
    width: panelWidth(2, true),
    height: 220,
  });
  const speed = barChart({
    title: 'Inference speed',
    xLabel: '',
    yLabel: 'images per second',
    bars: [
      { group: 'float', category: 'speed', value: g.floatImagesPerSecond },
      { group: 'packed', category: 'speed', value: g.packedImagesPerSecond },
    ],
    width: panelWidth(2, true),
    height: 220,
  });
  return concatCharts([size, speed], {
    title: 'What binarization buys',
    subtitle: `${(g.floatBytes / g.packedBytes).toFixed(1)}x smaller, ${(g.packedImagesPerSecond / g.floatImagesPerSecond).toFixed(1)}x faster ` +
      `(float: ${g.floatBackend} backend; packed: ${g.packedKernels}); test accuracy ${accuracyPercent(g.floatAccuracy)} float, ${accuracyPercent(g.packedAccuracy)} packed (${g.predictionDifferences} of ${g.testImages} predictions differ)`,
    columns: 2,
  });
}
