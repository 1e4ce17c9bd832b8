/** Points on log–log axes with a power-law guide of fixed slope, e.g. σ(d) ∝ d^(−1/2). */
import type { TopLevelSpec } from 'vega-lite';
import { logDomain, logTicks } from './axes';
import { assertSeries } from './data';
import { buildLineChart } from './lineChart';
import type { ChartSize, ChartText, Series, TickSpec } from './types';

export interface PowerLawGuide {
  /** Exponent k of the guide y = C·x^k (e.g. −0.5). */
  slope: number;
  /** Legend text (default "slope k"). */
  label?: string;
}

export interface LogLogChartOptions extends ChartText, ChartSize {
  /** Measured points (positive x and y). */
  series: readonly Series[];
  /** Theory curves, dashed black. */
  theory?: readonly Series[];
  /** Dotted guide of the given slope through the points (least-squares C for that slope). */
  guide?: PowerLawGuide;
  legendTitle?: string;
  /** Default: the range of the points and curves, padded by 5% of its log span. */
  xDomain?: readonly [number, number];
  yDomain?: readonly [number, number];
  /** Default: powers of ten (and 2×, 5× on axes under two decades) across the domain. */
  xTicks?: TickSpec;
  yTicks?: TickSpec;
  /** Connect each series' points with a line (default false). */
  connect?: boolean;
}

const BUILDER = 'logLogChart';

/** Points on log–log axes with an optional fixed-slope power-law guide and theory curves. */
export function logLogChart(options: LogLogChartOptions): TopLevelSpec {
  options.series.forEach((s) => assertSeries(BUILDER, s));
  const references = options.guide === undefined ? [] : [powerLawGuide(options.series, options.guide)];
  const curves = [...options.series, ...(options.theory ?? []), ...references];
  const xDomain = options.xDomain ?? logDomain(curves.flatMap((s) => Array.from(s.x)));
  const yDomain = options.yDomain ?? logDomain(curves.flatMap((s) => Array.from(s.y)));
  return buildLineChart(BUILDER, {
    ...options,
    references,
    xDomain,
    yDomain,
    xTicks: options.xTicks ?? logTicks(xDomain),
    yTicks: options.yTicks ?? logTicks(yDomain),
    xScale: 'log',
    yScale: 'log',
    marks: options.connect === true ? 'line+points' : 'points',
    dataLabel: 'measured',
  });
}

/**
 * The line y = C·x^k across the points' x range, with log C = mean(log y − k·log x): the least-squares
 * intercept of log y on log x when the slope is fixed at k.
 */
function powerLawGuide(series: readonly Series[], guide: PowerLawGuide): Series {
  const logX: number[] = [];
  const logY: number[] = [];
  for (const s of series) {
    for (let i = 0; i < s.x.length; i++) {
      if (!(s.x[i] > 0 && s.y[i] > 0)) {
        throw new Error(`${BUILDER}: series "${s.label}" point ${i} is (${s.x[i]}, ${s.y[i]}); log–log points must be positive`);
      }
      logX.push(Math.log(s.x[i]));
      logY.push(Math.log(s.y[i]));
    }
  }
  if (logX.length === 0) {
    throw new Error(`${BUILDER}: a guide needs at least one point to pass through`);
  }
  const logC = logY.reduce((sum, ly, i) => sum + ly - guide.slope * logX[i], 0) / logX.length;
  const ends = [Math.min(...logX), Math.max(...logX)];
  return {
    label: guide.label ?? `slope ${formatSlope(guide.slope)}`,
    x: ends.map(Math.exp),
    y: ends.map((lx) => Math.exp(logC + guide.slope * lx)),
  };
}

function formatSlope(slope: number): string {
  return slope < 0 ? `\u2212${-slope}` : String(slope);
}
