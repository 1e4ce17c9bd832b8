/** Position channels (scale, domain, ticks, title) and tick labels in multiples of π. */
import type { ScaleType, TickSpec } from './types';

export interface AxisOptions {
  title: string;
  scale?: ScaleType;
  /** Fixed [min, max]; marks outside are clipped. Default: fitted to the data. */
  domain?: readonly [number, number];
  ticks?: TickSpec;
  /** Include zero in a fitted linear domain (default false). */
  zero?: boolean;
  /** Draw no axis (for densities whose scale carries no meaning). */
  hidden?: boolean;
}

/** Largest denominator piTicks tries when writing a fraction of π. */
const MAX_PI_DENOMINATOR = 64;

/** Quantitative x or y encoding of `field` on the given axis. */
export function positionChannel(field: string, axis: AxisOptions): Record<string, unknown> {
  const scaleType = axis.scale ?? 'linear';
  const scale: Record<string, unknown> = { type: scaleType };
  if (scaleType === 'linear') {
    scale.zero = axis.zero === true;
  }
  if (axis.domain !== undefined) {
    assertDomain(axis.title, axis.domain, scaleType);
    scale.domain = [...axis.domain];
    scale.nice = false;
  }
  return {
    field,
    type: 'quantitative',
    title: axis.title,
    scale,
    axis: axis.hidden === true ? null : tickAxis(axis.title, axis.ticks),
  };
}

function assertDomain(title: string, domain: readonly [number, number], scale: ScaleType): void {
  const [min, max] = domain;
  if (!(Number.isFinite(min) && Number.isFinite(max) && min < max)) {
    throw new Error(`axis "${title}": domain [${min}, ${max}] must be two finite numbers with min < max`);
  }
  if (scale === 'log' && min <= 0) {
    throw new Error(`axis "${title}": a log axis needs a positive domain, got [${min}, ${max}]`);
  }
}

function tickAxis(title: string, ticks: TickSpec | undefined): Record<string, unknown> {
  if (ticks === undefined) {
    return {};
  }
  const axis: Record<string, unknown> = { values: [...ticks.values] };
  if (ticks.labels !== undefined) {
    if (ticks.labels.length !== ticks.values.length) {
      throw new Error(`axis "${title}": ${ticks.values.length} tick values but ${ticks.labels.length} labels; they must match`);
    }
    // Vega expression: the label at the position of the tick value in the value list.
    axis.labelExpr = `${JSON.stringify(ticks.labels)}[indexof(${JSON.stringify(ticks.values)}, datum.value)]`;
  }
  return axis;
}

/** Ticks at fractions·π labelled "0", "π/16", "π/4", "3π/4", "π", … (e.g. piTicks([1/16, 1/4])). */
export function piTicks(fractions: readonly number[]): TickSpec {
  return { values: fractions.map((f) => f * Math.PI), labels: fractions.map(piLabel) };
}

function piLabel(fraction: number): string {
  for (let q = 1; q <= MAX_PI_DENOMINATOR; q++) {
    const p = Math.round(fraction * q);
    if (Math.abs(fraction * q - p) < 1e-9) {
      if (p === 0) {
        return '0';
      }
      const sign = p < 0 ? '\u2212' : '';
      const numerator = Math.abs(p) === 1 ? 'π' : `${Math.abs(p)}π`;
      return q === 1 ? `${sign}${numerator}` : `${sign}${numerator}/${q}`;
    }
  }
  throw new Error(`piTicks: ${fraction} is not a fraction with denominator ≤ ${MAX_PI_DENOMINATOR}; pass e.g. 1/16 or 3/4`);
}

/** Share of a log axis left empty beyond the data on each side, so no point sits on the frame. */
const LOG_DOMAIN_PADDING = 0.05;
/** Least padding of a log axis, in decades: points at the ends of a short axis still clear its frame by their radius. */
const LOG_DOMAIN_MIN_PADDING = 0.08;

/**
 * The range of the positive `values` (a log axis drops the others), widened on a log scale by
 * LOG_DOMAIN_PADDING of its span, at least LOG_DOMAIN_MIN_PADDING decades (half a decade when all are equal).
 */
export function logDomain(values: readonly number[]): [number, number] {
  const logs = values.filter((v) => v > 0).map(Math.log10);
  const lo = Math.min(...logs);
  const hi = Math.max(...logs);
  const pad = hi > lo ? Math.max(LOG_DOMAIN_PADDING * (hi - lo), LOG_DOMAIN_MIN_PADDING) : 0.5;
  return [10 ** (lo - pad), 10 ** (hi + pad)];
}

/**
 * Ticks of a log axis over `domain`: the powers of ten, and 2× and 5× of them when the axis spans
 * under two decades, labelled "0.02", "1,000". Vega's own log ticks label 1 to 9 in a decade,
 * whose labels run together ("200300") when the decade is short.
 */
export function logTicks(domain: readonly [number, number]): TickSpec {
  const [min, max] = domain;
  const mantissas = Math.log10(max / min) < 2 ? [1, 2, 5] : [1];
  const values: number[] = [];
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) {
    // toPrecision drops floating-point noise: 2 · 10⁻³ is 0.002.
    values.push(...mantissas.map((m) => Number((m * 10 ** e).toPrecision(12))).filter((v) => v >= min && v <= max));
  }
  return { values, labels: values.map((v) => v.toLocaleString('en-US', { maximumFractionDigits: 20 })) };
}
