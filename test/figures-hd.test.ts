import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  angleSpreadChart, angleSpreadNumbers, binarizationAngleChart, binarizationAnglesChart, binarizationNumbers,
  agreement, exponentialCovarianceChart, exponentialCovarianceNumbers, numbersTable, randomBinaryVectorChart,
  randomBinaryVectorNumbers, recordNumbers, straightThroughChart, ternarizeQuantizerChart, ternaryAngleDensityChart,
  ternaryDensityNumbers, ternaryMedianChart, ternaryMedianNumbers, zeroFractionChart,
  zeroFractionNumbers, type ReproducedNumber,
  weightShapeChart, weightShapeNumbers,
} from '../lib/figures';
import {
  angleSpreadExperiment, BINARY_ANGLE_SPREAD_CONSTANT, BINARY_LIMIT_ANGLE, binarizationExperiment, binaryCosineMean,
  binaryVectorAngleKernelDensity, exponentialCovarianceExperiment, gaussianPairAngleDensity,
  HD_FIGURE_KDE_WIDTH, optimalTernaryThreshold, randomBinaryVectorExperiment, ternaryExperiment, ternaryLimitAngle,
  ternaryZeroFraction, unrotatedBinarizationAngle, zeroFractionExperiment,
  angleSpreadData, binarizationAngleData, binarizationAnglesData, exponentialCovarianceData, randomBinaryVectorData,
  ternaryAngleDensityData, ternaryMedianData, zeroFractionData,
  weightShapeData, weightShapeExperiment,
} from '../lib/hd';
import { EMPIRICAL_TERNARY_THRESHOLD } from '../lib/paper-constants';
import { RESULTS_FILE_ENV } from '../lib/notebook';
import { gaussianKde, kernelSmoothedDensity, normalPdf } from '../lib/stats';
import { assertClose } from './stats-reference';
import { assertFitNotebook, curve, render, verticalRules } from './support/spec';

/** Numbers are written into specs with 5 significant digits (lib/charts/data.ts). */
const inSpec = (x: number): number => Number(x.toPrecision(5));

// Small experiments: enough samples for stable KDEs, fast enough for a unit test.
const binary = binarizationExperiment({ dims: [3, 27], samples: 400, seed: 1 });
const covariance = exponentialCovarianceExperiment({ dims: [10, 100], samples: 30, seed: 2 });
const ternary = ternaryExperiment({ d: 200, samples: 300, thresholds: [0.01, EMPIRICAL_TERNARY_THRESHOLD, 0.5], seed: 3 });
const zeros = zeroFractionExperiment({ d: 200, samples: 20, thresholds: [0, 0.5, 1], seed: 4 });
const binaryPairs = randomBinaryVectorExperiment({ lengths: [10, 100], samples: 300, seed: 5 });
const spreadOptions = { dims: [10, 100, 1000], samples: 200, seed: 6 };
const spreadBinary = angleSpreadExperiment(spreadOptions);
const spreadTernary = angleSpreadExperiment({ ...spreadOptions, threshold: optimalTernaryThreshold().threshold });
const shapes = weightShapeExperiment({ d: 200, samples: 50, shapes: [1, 2], seed: 8 });

describe('figures/hd: experiment results to charts with theory', () => {
  it('ternarize illustration: zero inside ±t, ±1 outside, and the clip saturating at ±1', async () => {
    const spec = ternarizeQuantizerChart(0.02);
    const ternarized = curve(spec, 'data', 'ternarize(x, 0.02)');
    assert.equal(ternarized.length, 2 * 401, 'the whole range and the zoom');
    // Grid points that round to ±0.02 in the spec may lie a hair on either side of the threshold.
    for (const { x, y } of ternarized.filter((p) => Math.abs(Math.abs(p.x) - 0.02) > 1e-9)) {
      assert.equal(y, Math.abs(x) < 0.02 ? 0 : Math.sign(x), `τ(${x})`);
    }
    assert.ok(ternarized.some((p) => p.x !== 0 && Math.abs(p.x) < 0.02), 'grid points inside the dead zone');
    const clip = curve(spec, 'data', 'clip(x, −1, 1)', 't = 0.02');
    assert.deepEqual([clip[0].y, clip[clip.length - 1].y], [-1, 1]);
    // The zoom: x within ±5t, where the dead zone spans a fifth of the panel.
    const zoom = curve(spec, 'data', 'ternarize(x, 0.02)', 'zoom: |x| ≤ 0.1');
    assert.deepEqual([zoom[0].x, zoom[zoom.length - 1].x], [-0.1, 0.1]);
    assert.ok(zoom.filter((p) => p.y === 0).length >= 75, 'the dead zone spans 80 grid steps of the zoom');
    assert.ok((await render(spec)).includes('ternarize(x, 0.02)'));
  });

  it('binarization angles: KDE per d, the exact ∠(u, v) law (kernel-smoothed) and the arccos √(2/π) rule', async () => {
    const spec = binarizationAnglesChart(binarizationAnglesData(binary));
    for (const d of [3, 27]) {
      const theory = curve(spec, 'theory', `exact ∠(u, v), d = ${d}`, `d = ${d}`);
      const expected = kernelSmoothedDensity(theory.map((p) => p.x), (g) => gaussianPairAngleDensity(g, d), HD_FIGURE_KDE_WIDTH, [0, Math.PI]);
      assertClose(theory.map((p) => p.y), expected.map(inSpec), { rtol: 1e-12 }, `theory d = ${d}`);
      const kde = curve(spec, 'data', '∠(u, θ(u))', `d = ${d}`);
      const grid = kde.map((p) => p.x);
      assertClose(kde.map((p) => p.y), gaussianKde(binary.byDimension[d === 3 ? 0 : 1].selfAngles, { width: 0.02 }).evaluate(grid).map(inSpec), { rtol: 1e-12 });
    }
    assert.deepEqual(
      verticalRules(spec).map((r) => [r.at, r.panel]),
      [[inSpec(BINARY_LIMIT_ANGLE), 'd = 3'], [inSpec(BINARY_LIMIT_ANGLE), 'd = 27']],
    );
    assert.ok(JSON.stringify(spec).includes(String(inSpec(BINARY_LIMIT_ANGLE))), '0.64702 in the spec');
    const svg = await render(spec);
    assert.ok(svg.includes('arccos √(2/π)') && svg.includes('d = 27'));
  });

  it('binarization, one d: defaults to the largest d and names the choices when d is missing', async () => {
    const spec = binarizationAngleChart(binarizationAngleData(binary));
    assert.ok(curve(spec, 'theory', 'exact ∠(u, v), d = 27').length > 300);
    assert.deepEqual(verticalRules(spec).map((r) => r.at), [inSpec(BINARY_LIMIT_ANGLE)]);
    await render(spec);
    assert.throws(() => binarizationAngleData(binary, 10), {
      message: 'binarizationAngleData: d = 10 is not in the experiment (d = 3, 27); pick one of those',
    });
  });

  it('exponential covariance: arccos √(2/π) and the unrotated first-order angle in every panel', async () => {
    const spec = exponentialCovarianceChart(exponentialCovarianceData(covariance));
    const rules = verticalRules(spec);
    for (const d of [10, 100]) {
      assert.deepEqual(
        rules.filter((r) => r.panel === `d = ${d}`).map((r) => r.at),
        [inSpec(BINARY_LIMIT_ANGLE), inSpec(unrotatedBinarizationAngle(d, 0.1))],
      );
    }
    assert.deepEqual(rules.map((r) => r.label).filter((l) => l !== ''), ['arccos √(2/π)', 'no rotation']);
    assert.ok(curve(spec, 'data', '∠(u, θᵣ(u))', 'd = 100').length > 300);
    await render(spec);
  });

  it('ternary median vs threshold: the closed-form curve and t* marked', async () => {
    const spec = ternaryMedianChart(ternaryMedianData(ternary));
    const theory = curve(spec, 'theory', 'arccos(√2 φ(t)/√Q(t))');
    assert.equal(theory.length, 201);
    for (const { x, y } of theory) assert.equal(y, inSpec(ternaryLimitAngle(x)));
    assert.deepEqual(curve(spec, 'data', 'median, d = 200').map((p) => p.y), ternary.byThreshold.map((e) => inSpec(e.medianAngle)));
    const optimum = optimalTernaryThreshold();
    assert.deepEqual(verticalRules(spec).map((r) => [r.at, r.label]), [[inSpec(optimum.threshold), 't* = 0.612']]);
    await render(spec);
  });

  it('ternary density: exact pair law and normal ternary law (both ⊛ kernel), the limit rule; unknown threshold named', async () => {
    const spec = ternaryAngleDensityChart(ternaryAngleDensityData(ternary));
    const limit = ternaryLimitAngle(EMPIRICAL_TERNARY_THRESHOLD);
    assert.deepEqual(verticalRules(spec).map((r) => r.at), [inSpec(limit)]);
    const normal = curve(spec, 'theory', 'normal ∠(u, τ(u))');
    const top = normal.reduce((a, b) => (b.y > a.y ? b : a));
    assert.ok(Math.abs(top.x - limit) <= 0.005, `normal law peaks at the limit angle: ${top.x} vs ${limit}`);
    const pair = curve(spec, 'theory', 'exact ∠(u, v)');
    const pairTop = pair.reduce((a, b) => (b.y > a.y ? b : a));
    assert.ok(Math.abs(pairTop.x - Math.PI / 2) <= 0.005);
    await render(spec);
    assert.throws(() => ternaryAngleDensityData(ternary, 0.3), {
      message: `ternary result has no threshold 0.3 (it has 0.01, ${EMPIRICAL_TERNARY_THRESHOLD}, 0.5); add it to the experiment thresholds`,
    });
  });

  it('zero fraction: Φ(t) − Φ(−t) curve (0.68269 at t = 1) and the two thresholds marked', async () => {
    const spec = zeroFractionChart(zeroFractionData(zeros));
    const theory = curve(spec, 'theory', 'Φ(t) − Φ(−t)');
    const atOne = theory.find((p) => p.x === 1);
    assert.equal(atOne?.y, 0.68269);
    assert.deepEqual(verticalRules(spec).map((r) => r.at), [inSpec(EMPIRICAL_TERNARY_THRESHOLD), inSpec(optimalTernaryThreshold().threshold)]);
    await render(spec);
  });

  it('straight-through: sign forward, clip backward, on two panels', async () => {
    const spec = straightThroughChart();
    const sign = curve(spec, 'data', 'sign(x)', 'forward: f(x) = sign(x)');
    for (const { x, y } of sign) assert.equal(y, x < 0 ? -1 : 1);
    const clip = curve(spec, 'data', 'clip(x, −1, 1)', 'backward: f(x) = clip(x, −1, 1)');
    for (const { x, y } of clip) assert.equal(y, inSpec(Math.max(-1, Math.min(1, x))));
    await render(spec);
  });

  it('random binary vectors: the exact pmf smoothed by the kernel, per n', async () => {
    const spec = randomBinaryVectorChart(randomBinaryVectorData(binaryPairs));
    for (const n of [10, 100]) {
      const theory = curve(spec, 'theory', `exact, n = ${n}`, `n = ${n}`);
      const expected = binaryVectorAngleKernelDensity(theory.map((p) => p.x), n, HD_FIGURE_KDE_WIDTH);
      assert.deepEqual(theory.map((p) => p.y), Array.from(expected, inSpec));
    }
    await render(spec);
  });

  it('a figure is restyled from its data: title, subtitle, size and series colours', () => {
    const data = binarizationAngleData(binary);
    assert.equal(data.title, 'd = 27: ∠(u, θ(u)) already sits near arccos √(2/π)');
    assert.deepEqual(data.measured.map((c) => c.label), ['∠(u, v)', '∠(u, θ(u))']);
    const spec = binarizationAngleChart(data, { title: 'Mine', subtitle: 'my words', width: 300, height: 150, colors: ['#111111', '#222222'] });
    const text = JSON.stringify(spec);
    assert.equal((spec as { title: { text: string; subtitle: string } }).title.text, 'Mine');
    assert.equal((spec as { title: { text: string; subtitle: string } }).title.subtitle, 'my words');
    assert.ok(text.includes('"width":300') && text.includes('"height":150'), 'panel size');
    assert.ok(text.includes('"range":["#111111","#222222"]'), 'series colours');
  });

  it('angle spread: measured sd on log–log axes with C/√d for sign and ternary; arguments in order', async () => {
    const spec = angleSpreadChart(angleSpreadData(spreadBinary, spreadTernary));
    const binaryTheory = curve(spec, 'theory', '√((π−3)/(π−2))/√d');
    assert.deepEqual(binaryTheory.map((p) => p.y), [10, 100, 1000].map((d) => inSpec(BINARY_ANGLE_SPREAD_CONSTANT / Math.sqrt(d))));
    assert.ok(curve(spec, 'theory', /^C\(0\.612\)/).length === 3);
    await render(spec);
    assert.throws(() => angleSpreadData(spreadTernary, spreadBinary), /pass the binary result \(no threshold\) first/);
  });
});

describe('figures/hd: every figure of hd_figures fits the notebook', () => {
  it('renders each, with the panels and curves of the default parameters, within the figure width (540 px)', async function () {
    this.timeout(60_000);
    // The parameter cell's dimensions, lengths and thresholds, with few samples.
    const notebookBinary = binarizationExperiment({ dims: [3, 10, 27], samples: 200, seed: 1 });
    const notebookTernary = ternaryExperiment({ d: 1000, samples: 100, thresholds: [0.01, EMPIRICAL_TERNARY_THRESHOLD, 0.2, 0.3, 0.5], seed: 3 });
    const spread = { dims: [10, 20, 50, 100, 200, 500, 1000, 2000, 5000], samples: 50, seed: 6 };
    const widths = await assertFitNotebook({
      'hd-ternarize-straight-through': ternarizeQuantizerChart(0.02),
      'hd-binarization-angles': binarizationAnglesChart(binarizationAnglesData(notebookBinary)),
      'hd-binarization-angle-max-d': binarizationAngleChart(binarizationAngleData(notebookBinary)),
      'hd-weight-shape': weightShapeChart(weightShapeData(weightShapeExperiment({ d: 1000, samples: 20, seed: 7 }))),
      'hd-exponential-covariance-rotation': exponentialCovarianceChart(exponentialCovarianceData(exponentialCovarianceExperiment({ dims: [10, 100, 500], samples: 10, seed: 2 }))),
      'hd-ternary-angle-vs-threshold': ternaryMedianChart(ternaryMedianData(notebookTernary)),
      'hd-ternary-angle-density': ternaryAngleDensityChart(ternaryAngleDensityData(notebookTernary)),
      'hd-zero-fraction': zeroFractionChart(zeroFractionData(zeroFractionExperiment({ d: 1000, samples: 5, seed: 4 }))),
      'hd-straight-through': straightThroughChart(),
      'hd-random-binary-vectors': randomBinaryVectorChart(randomBinaryVectorData(randomBinaryVectorExperiment({ lengths: [10, 100, 1000], samples: 100, seed: 5 }))),
      'hd-angle-spread-vs-dimension': angleSpreadChart(angleSpreadData(
        angleSpreadExperiment(spread), angleSpreadExperiment({ ...spread, threshold: optimalTernaryThreshold().threshold }),
      )),
    });
    assert.equal(Object.keys(widths).length, 11);
  });
});

describe('kernel smoothing and the unrotated binarization angle', () => {
  it('kernelSmoothedDensity of N(μ, σ²) is N(μ, σ² + h²)', () => {
    const grid = Float64Array.from([0.8, 1, 1.1, 1.3]);
    const smoothed = kernelSmoothedDensity(grid, (g) => g.map((s) => normalPdf(s, 1, 0.05)), 0.02, [0, 2]);
    assertClose(smoothed, grid.map((x) => normalPdf(x, 1, Math.hypot(0.05, 0.02))), { rtol: 1e-9 });
    assert.throws(() => kernelSmoothedDensity(grid, (g) => g, 0.02, [1, 1]), /support \[1, 1\] must have a < b/);
  });

  it('unrotatedBinarizationAngle: arccos √(2/π) without decay (k = 0), toward π/2 as d grows', () => {
    assertClose(unrotatedBinarizationAngle(50, 0), BINARY_LIMIT_ANGLE, { atol: 1e-15 });
    // Σσᵢ/√(dΣσᵢ²) for σᵢ = e^{k(i − d/2)}: a geometric series, written out for d = 3, k = 1.
    const s = [Math.exp(-1.5), Math.exp(-0.5), Math.exp(0.5)];
    const cos = (Math.sqrt(2 / Math.PI) * (s[0] + s[1] + s[2])) / Math.sqrt(3 * (s[0] ** 2 + s[1] ** 2 + s[2] ** 2));
    assertClose(unrotatedBinarizationAngle(3, 1), Math.acos(cos), { rtol: 1e-14 });
    assert.ok(unrotatedBinarizationAngle(100, 0.1) < unrotatedBinarizationAngle(500, 0.1));
    assert.ok(unrotatedBinarizationAngle(5000, 0.1) > 1.5);
  });
});

describe('figures/hd-numbers', () => {
  it('binarization numbers: exact mean cosine and 1/d, the largest d against arccos √(2/π)', () => {
    const numbers = binarizationNumbers(binary);
    assert.deepEqual(numbers.map((n) => n.key), [
      'hd.binary.d27.medianAngle', 'hd.binary.d3.meanCosine', 'hd.randomPair.d3.cosineVariance',
      'hd.binary.d27.meanCosine', 'hd.randomPair.d27.cosineVariance',
    ]);
    // mpmath at 30 digits: degrees(acos(sqrt(2/pi))) = 37.071435021042831482477442045.
    assertClose(numbers[0].theory!, 37.07143502104283, { rtol: 1e-14 });
    assert.equal(numbers[1].theory, binaryCosineMean(3));
    assert.equal(numbers[4].theory, 1 / 27);
    // 400 samples: the mean cosine is within a few standard errors (sd of cos < 0.15).
    assertClose(numbers[3].measured, binaryCosineMean(27), { atol: 4 * (0.15 / 20) });
  });

  it('the other figures give one keyed number per quantity, theory from the closed forms', () => {
    const keys = (ns: ReproducedNumber[]): string[] => ns.map((n) => n.key);
    assert.deepEqual(keys(exponentialCovarianceNumbers(covariance)), [
      'hd.expCov.d10.medianUnrotated', 'hd.expCov.d10.medianRotated', 'hd.expCov.d100.medianUnrotated', 'hd.expCov.d100.medianRotated',
    ]);
    const medians = ternaryMedianNumbers(ternary);
    assert.deepEqual(keys(medians), ['hd.ternary.t0_0100.medianAngle', 'hd.ternary.t0_111.medianAngle', 'hd.ternary.t0_500.medianAngle']);
    assertClose(medians[2].theory!, (ternaryLimitAngle(0.5) * 180) / Math.PI, { rtol: 1e-14 });
    assert.deepEqual(keys(ternaryDensityNumbers(ternary)), ['hd.ternary.t0_111.kdePeak', 'hd.ternary.t0_111.angleSd']);
    const zero = zeroFractionNumbers(zeros, ternary);
    assert.deepEqual(keys(zero), ['hd.zeroFraction.t0_111', 'hd.zeroFraction.maxGap']);
    assert.equal(zero[0].theory, ternaryZeroFraction(EMPIRICAL_TERNARY_THRESHOLD));
    assert.deepEqual(randomBinaryVectorNumbers(binaryPairs).map((n) => n.theory), [0.1, 0.01]);
    const spread = angleSpreadNumbers(spreadBinary, spreadTernary);
    assert.deepEqual(keys(spread), ['hd.spread.binary.slope', 'hd.spread.binary.constant', 'hd.spread.ternary.slope', 'hd.spread.ternary.constant']);
    assert.equal(spread[1].theory, BINARY_ANGLE_SPREAD_CONSTANT);
    assertClose(spread[1].measured, BINARY_ANGLE_SPREAD_CONSTANT, { rtol: 0.1 });
  });

  it('recordNumbers writes each number with its se and verdict, and a figure rerun with other parameters replaces all of its rows and keys', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hd-numbers-'));
    const file = join(dir, 'results.json');
    const saved = process.env[RESULTS_FILE_ENV];
    process.env[RESULTS_FILE_ENV] = file;
    try {
      const table: ReproducedNumber[] = [];
      const angleAt = (d: number, measured: number): ReproducedNumber => ({
        key: `hd.test.d${d}.angle`, figure: 'hd-test', quantity: `an angle, d = ${d}`, measured, se: 0.5, theory: 37, unit: '°', paper: '≈ 37°',
      });
      const other: ReproducedNumber = { key: 'hd.other', figure: 'hd-other', quantity: 'other', measured: 1, se: 0.01 };
      assert.equal(recordNumbers(table, [angleAt(27, 36), angleAt(10, 35)]), undefined);
      recordNumbers(table, [other]);
      const written = (): Record<string, unknown> => JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      assert.deepEqual(written()['hd.test.d27.angle'], {
        quantity: 'an angle, d = 27', measured: 36, se: 0.5, theory: 37, agrees: 'yes (2.0 SE)', unit: '°', paper: '≈ 37°', figure: 'hd-test',
      });
      recordNumbers(table, [angleAt(50, 33)]); // the cell rerun with dims = [50]
      assert.deepEqual(table.map((n) => n.key), ['hd.test.d50.angle', 'hd.other'], 'the figure\'s rows replaced where they stood');
      assert.deepEqual(Object.keys(written()).sort(), ['hd.other', 'hd.test.d50.angle']);
      assert.deepEqual(numbersTable(table)[0], {
        quantity: 'an angle, d = 50', measured: 33, '± SE': 0.5, theory: 37, agrees: 'no (8.0 SE): the measurement and the closed form disagree beyond sampling error',
        unit: '°', paper: '≈ 37°',
      });
    } finally {
      if (saved === undefined) delete process.env[RESULTS_FILE_ENV];
      else process.env[RESULTS_FILE_ENV] = saved;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('agreement: within 3 SE, off with the reason the number gives, no closed form, or no error to judge by', () => {
    const n = (more: Partial<ReproducedNumber>): ReproducedNumber => ({ key: 'k', figure: 'f', quantity: 'q', measured: 36, se: 0.4, ...more });
    assert.equal(agreement(n({ theory: 37.19 })), 'yes (3.0 SE)');
    assert.equal(agreement(n({ theory: 37.24 })), 'no (3.1 SE): the measurement and the closed form disagree beyond sampling error');
    assert.equal(agreement(n({ theory: 40.4, approximation: 'a finite-d value against the d → ∞ limit' })), 'no (11 SE): a finite-d value against the d → ∞ limit');
    assert.equal(agreement(n({})), 'no closed form');
    assert.equal(agreement(n({ theory: 37, se: NaN })), 'cannot say: no standard error (too few filters or images to estimate one)');
    assert.equal(agreement(n({ theory: 36, se: 0 })), 'yes (equal)');
  });

  it('every hd number carries a positive finite se and names a figure the notebook shows', () => {
    const notebook = readFileSync(join(__dirname, '..', 'notebooks', 'hd_figures.ipynb'), 'utf8');
    const all = [
      ...binarizationNumbers(binary), ...weightShapeNumbers(shapes), ...exponentialCovarianceNumbers(covariance), ...ternaryMedianNumbers(ternary),
      ...ternaryDensityNumbers(ternary), ...zeroFractionNumbers(zeros, ternary), ...randomBinaryVectorNumbers(binaryPairs), ...angleSpreadNumbers(spreadBinary, spreadTernary),
    ];
    for (const number of all) {
      assert.ok(Number.isFinite(number.se) && number.se > 0, `${number.key}: se = ${number.se}`);
      assert.ok(notebook.includes(`name: '${number.figure}'`), `${number.key}: figure ${number.figure} is not shown by hd_figures.ipynb`);
    }
  });
});
