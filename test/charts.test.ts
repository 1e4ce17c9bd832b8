import { strict as assert } from 'node:assert';
import * as vega from 'vega';
import { compile } from 'vega-lite';
import {
  barChart, concatCharts, densityChart, functionPlot, heatmap2d, lineChart, logLogChart, piTicks,
  SPEC_SIZE_LIMIT_BYTES, type TopLevelSpec,
} from '../lib/charts';
import { renderSvg } from '../lib/display';

/** The theory angle between a Gaussian vector and its sign, arccos √(2/π) (Anderson & Berg 2018, §3). */
const BINARY_ANGLE = Math.acos(Math.sqrt(2 / Math.PI));

/** A drawn scene item: its mark type, the mark's name (e.g. layer_2_marks) and the vega item. */
interface SceneItem {
  marktype: string;
  role: string;
  name: string | undefined;
  item: Record<string, unknown> & { datum?: Record<string, unknown> };
}

/** A vega scenegraph mark: a list of items, each of which may hold child marks. */
interface SceneMark { marktype?: string; role?: string; name?: string; items?: Record<string, unknown>[] }

/** Runs the chart headless and lists every item of every mark (data marks, axes, legends, titles). */
async function sceneItems(spec: TopLevelSpec): Promise<SceneItem[]> {
  const warnings: string[] = [];
  const logger = vega.logger(vega.Warn, undefined, (_m, _l, input) => warnings.push(Array.from(input, String).join(' ')));
  const view = new vega.View(vega.parse(compile(spec, { logger }).spec), { renderer: 'none', logger });
  await view.runAsync();
  const out: SceneItem[] = [];
  const walk = (mark: SceneMark): void => {
    for (const item of mark.items ?? []) {
      out.push({ marktype: mark.marktype ?? '', role: mark.role ?? '', name: mark.name, item });
      for (const child of (item.items as SceneMark[] | undefined) ?? []) {
        walk(child);
      }
    }
  };
  walk((view.scenegraph() as unknown as { root: SceneMark }).root);
  view.finalize();
  assert.deepEqual(warnings, [], 'vega-lite / vega warnings');
  return out;
}

/** Items of data marks (role "mark") of one type. */
function marks(scene: SceneItem[], marktype: string): SceneItem[] {
  return scene.filter((s) => s.role === 'mark' && s.marktype === marktype);
}

function texts(scene: SceneItem[], role: string): string[] {
  return scene.filter((s) => s.role === role).map((s) => String(s.item.text));
}

/** Line marks come one per series: group items by their mark (same stroke and dash). */
function lineStrokes(scene: SceneItem[]): { stroke: string; dash: string; points: number }[] {
  const byMark = new Map<unknown, SceneItem[]>();
  for (const s of marks(scene, 'line')) {
    byMark.set(s.item.mark, [...(byMark.get(s.item.mark) ?? []), s]);
  }
  return [...byMark.values()].map((items) => ({
    stroke: String(items[0].item.stroke), dash: String(items[0].item.strokeDash), points: items.length,
  }));
}

function closeTo(actual: unknown, expected: number, tolerance: number, what: string): void {
  assert.ok(typeof actual === 'number' && Math.abs(actual - expected) <= tolerance, `${what}: ${String(actual)} vs ${expected}`);
}

/** Relative luminance (sRGB weights) of "#rrggbb" or "rgb(r, g, b)". */
function luminance(color: unknown): number {
  const text = String(color);
  const rgb = text.startsWith('#')
    ? [1, 3, 5].map((i) => parseInt(text.slice(i, i + 2), 16))
    : (text.match(/\d+(\.\d+)?/g) ?? []).map(Number);
  return 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2];
}

const grid = (a: number, b: number, n: number): Float64Array =>
  Float64Array.from({ length: n }, (_, i) => a + ((b - a) * i) / (n - 1));

describe('charts', () => {
  describe('densityChart', () => {
    const x = grid(0, Math.PI, 101);
    const spec = densityChart({
      title: 'Angles', xLabel: 'angle', legendTitle: 'layer',
      series: [
        { label: 'L1', x, y: x.map((v) => Math.exp(-((v - 0.6) ** 2))) },
        { label: 'L2', x, y: x.map((v) => Math.exp(-((v - 0.7) ** 2))) },
      ],
      theory: [{ label: 'd = ∞', x, y: x.map((v) => Math.exp(-((v - BINARY_ANGLE) ** 2))) }],
      verticalRules: [{ at: BINARY_ANGLE, label: 'arccos √(2/π)' }],
      xDomain: [0, Math.PI],
      xTicks: piTicks([0, 1 / 2, 1]),
    });

    it('draws two solid series, a dashed black theory curve and the labelled theory rule', async () => {
      const scene = await sceneItems(spec);
      const strokes = lineStrokes(scene);
      assert.deepEqual(strokes.map((s) => s.dash), ['1,0', '1,0', '6,4']);
      assert.equal(strokes[2].stroke, 'black');
      assert.notEqual(strokes[0].stroke, strokes[1].stroke);
      assert.deepEqual(strokes.map((s) => s.points), [101, 101, 101]);
      const [rule] = marks(scene, 'rule');
      // 360 px wide over [0, π]: the rule sits at 360·arccos(√(2/π))/π ≈ 74.69 px.
      closeTo(rule.item.x, (360 * BINARY_ANGLE) / Math.PI, 1e-3, 'rule x');
      assert.deepEqual(rule.item.strokeDash, [6, 4]);
      // The label, over its white halo.
      assert.deepEqual(marks(scene, 'text').map((t) => [t.item.text, t.item.fill]), [['arccos √(2/π)', 'white'], ['arccos √(2/π)', 'black']]);
      assert.deepEqual(texts(scene, 'axis-label').slice(0, 3), ['0', 'π/2', 'π']);
    });

    it('renders to an SVG with the rule, the dashes and the title', async () => {
      const svg = await renderSvg(spec, { onWarning: (m) => assert.fail(m) });
      assert.match(svg, /^<svg /);
      assert.match(svg, /class="mark-rule role-mark/);
      assert.match(svg, /stroke-dasharray="6,4"/);
      assert.ok(svg.includes('arccos √(2/π)') && svg.includes('>Angles<'));
    });

    it('starts the y axis at zero', async () => {
      const scene = await sceneItems(spec);
      assert.equal(texts(scene, 'axis-label').filter((t) => Number(t) === 0).length, 2, 'x tick 0 and y tick 0');
    });

    it('repeats unassigned theory curves and rules in every facet panel', async () => {
      const series = [3, 10, 27].flatMap((d) => [
        { label: '∠(u, v)', panel: `d = ${d}`, x, y: x.map((v) => Math.exp(-d * (v - Math.PI / 2) ** 2)) },
        { label: '∠(u, sign u)', panel: `d = ${d}`, x, y: x.map((v) => Math.exp(-d * (v - BINARY_ANGLE) ** 2)) },
      ]);
      const scene = await sceneItems(densityChart({
        title: 'hd', xLabel: 'angle', series, theory: [{ label: 'limit', x, y: x.map(() => 0.5) }],
        verticalRules: [{ at: BINARY_ANGLE }, { at: 1, panel: 'd = 10', dashed: false }],
      }));
      assert.equal(scene.filter((s) => s.name === 'cell').length, 3);
      assert.deepEqual(texts(scene, 'title-text').sort(), ['d = 10', 'd = 27', 'd = 3', 'hd']);
      assert.equal(lineStrokes(scene).length, 3 * 3, 'two series and the theory curve in each of 3 panels');
      const rules = marks(scene, 'rule');
      assert.deepEqual(rules.map((r) => String(r.item.strokeDash)).sort(), ['1,0', '6,4', '6,4', '6,4']);
    });

    it('rejects series that name a panel only sometimes', () => {
      assert.throws(
        () => densityChart({ title: 't', xLabel: 'x', series: [{ label: 'a', x, y: x, panel: 'p' }, { label: 'b', x, y: x }] }),
        { message: 'densityChart: 1 of 2 series name a panel; give a panel to every series or to none' },
      );
    });

    it('stays under the size limit for the paper-size figure and refuses raw samples', () => {
      const fine = grid(0, Math.PI, 315); // the original's 0.01 grid step
      const paper = densityChart({
        title: 'hd', xLabel: 'angle',
        series: [3, 10, 27].flatMap((d) => ['a', 'b'].map((label) => ({ label, panel: `d = ${d}`, x: fine, y: fine.map(Math.sin) }))),
        theory: [{ label: 't', x: fine, y: fine.map(Math.cos) }],
      });
      const bytes = Buffer.byteLength(JSON.stringify(paper));
      assert.ok(bytes < SPEC_SIZE_LIMIT_BYTES, `${bytes} bytes`);
      const samples = grid(0, 1, 20_000);
      assert.throws(
        () => densityChart({ title: 't', xLabel: 'x', series: [{ label: 'raw', x: samples, y: samples }] }),
        /^Error: densityChart: the spec is \d+ kB, over the 200 kB limit; aggregate before charting/,
      );
    });
  });

  describe('lineChart', () => {
    it('drops non-positive values on a log axis and draws horizontal rules', async () => {
      const scene = await sceneItems(lineChart({
        title: 'weights', xLabel: 'w', yLabel: 'density', yScale: 'log', marks: 'line+points',
        series: [{ label: 'L1', x: [-1, 0, 1], y: [0, 1, 10] }],
        horizontalRules: [{ at: 1, label: 'one', dashed: false }],
        height: 200, yDomain: [0.1, 10],
      }));
      assert.equal(lineStrokes(scene)[0].points, 2);
      assert.equal(marks(scene, 'symbol').length, 2);
      const [rule] = marks(scene, 'rule');
      // log axis over [0.1, 10], 200 px high: y = 1 is halfway.
      closeTo(rule.item.y, 100, 1e-9, 'rule y');
      assert.deepEqual(rule.item.strokeDash, [1, 0]);
    });

    it('puts π ticks on the y axis', async () => {
      const scene = await sceneItems(lineChart({
        title: 'peak', xLabel: 'threshold', yLabel: 'angle', marks: 'points',
        series: [{ label: 'd = 1000', x: [0.1, 0.2], y: [0.6, 0.58] }],
        yDomain: [0, Math.PI / 4], yTicks: piTicks([0, 1 / 8, 1 / 4]),
      }));
      assert.deepEqual(texts(scene, 'axis-label').filter((t) => t.includes('π') || t === '0').slice(-3), ['0', 'π/8', 'π/4']);
    });

    it('names mismatched and non-finite inputs', () => {
      assert.throws(
        () => lineChart({ title: 't', xLabel: 'x', yLabel: 'y', series: [{ label: 'a', x: [1, 2], y: [1] }] }),
        { message: 'lineChart: series "a" has 2 x values but 1 y values; they must match' },
      );
      assert.throws(
        () => lineChart({ title: 't', xLabel: 'x', yLabel: 'y', series: [{ label: 'a', x: [1, 2], y: [1, NaN] }] }),
        { message: 'lineChart: series "a" y[1] is NaN; pass finite numbers only' },
      );
      assert.throws(
        () => lineChart({ title: 't', xLabel: 'x', yLabel: 'y', xScale: 'log', series: [{ label: 'a', x: [1], y: [1] }], verticalRules: [{ at: 0 }] }),
        { message: 'lineChart: rule at 0 cannot be drawn on a log axis; use a positive position' },
      );
    });
  });

  describe('piTicks', () => {
    it('labels fractions of π', () => {
      const ticks = piTicks([0, 1 / 16, 1 / 4, 3 / 4, 1, -1 / 2, 2]);
      assert.deepEqual(ticks.labels, ['0', 'π/16', 'π/4', '3π/4', 'π', '−π/2', '2π']);
      assert.deepEqual(ticks.values, [0, Math.PI / 16, Math.PI / 4, (3 * Math.PI) / 4, Math.PI, -Math.PI / 2, 2 * Math.PI]);
    });

    it('rejects values that are not simple fractions', () => {
      assert.throws(() => piTicks([0.3183]), { message: 'piTicks: 0.3183 is not a fraction with denominator ≤ 64; pass e.g. 1/16 or 3/4' });
    });
  });

  describe('heatmap2d', () => {
    // 4 x-bins over [−2, 2], 2 y-bins over [−1, 1]; counts[i·2 + j].
    const histogram = { xEdges: [-2, -1, 0, 1, 2], yEdges: [-1, 0, 1], counts: [0, 3, 1, 0, 0, 5, 7, 0] };
    const spec = heatmap2d({
      title: 'Layer 1', xLabel: 'A·Wᵇ', yLabel: 'A·Wᶜ', histogram, width: 200, height: 200,
      fit: { slope: 0.5, intercept: 0, r: 0.8765 },
    });

    it('draws one cell per non-empty bin at its edges, darker for larger counts', async () => {
      const scene = await sceneItems(spec);
      const cells = marks(scene, 'rect').filter((s) => s.item.datum?.n !== undefined);
      assert.deepEqual(cells.map((c) => c.item.datum?.n).sort(), [1, 3, 5, 7]);
      const seven = cells.find((c) => c.item.datum?.n === 7)!.item;
      // x-bin 3 = [1, 2] → 150..200 px; y-bin 0 = [−1, 0] → 100..200 px (y grows downwards).
      assert.deepEqual([seven.x, seven.width, seven.y, seven.height], [150, 50, 100, 100]);
      const light = (n: number): number => luminance(cells.find((c) => c.item.datum?.n === n)!.item.fill);
      assert.ok(light(7) < light(5) && light(5) < light(3) && light(3) < light(1));
    });

    it('shades the two quadrants where x·y < 0 and draws the fit line corner to corner', async () => {
      const scene = await sceneItems(spec);
      const quadrants = marks(scene, 'rect').filter((s) => s.item.datum?.n === undefined);
      assert.deepEqual(quadrants.map((q) => [q.item.x, q.item.y, q.item.width, q.item.height]), [[100, 100, 100, 100], [0, 0, 100, 100]]);
      const fit = marks(scene, 'line').map((l) => [l.item.x, l.item.y]);
      assert.deepEqual(fit, [[0, 200], [200, 0]], 'y = x/2 from (−2, −1) to (2, 1)');
    });

    it('puts r and the slope in the subtitle, on a line of their own after the caller\'s', () => {
      assert.deepEqual(spec.title, { text: 'Layer 1', subtitle: 'r = 0.88, slope = 0.50' });
      const titled = heatmap2d({ title: 't', subtitle: '12% opposite signs', xLabel: 'x', yLabel: 'y', histogram, fit: { slope: 1, intercept: 0 } });
      assert.deepEqual(titled.title, { text: 't', subtitle: ['12% opposite signs', 'slope = 1.00'] });
    });

    it('names both edges of both axes in the tooltip', async () => {
      const seven = marks(await sceneItems(spec), 'rect').find((s) => s.item.datum?.n === 7)!.item;
      assert.deepEqual(seven.tooltip, { 'A·Wᵇ from': '1', 'A·Wᵇ to': '2', 'A·Wᶜ from': '−1', 'A·Wᶜ to': '0', count: '7' });
    });

    it('draws zero lines instead of quadrants for the ternary variant', async () => {
      const scene = await sceneItems(heatmap2d({ title: 't', xLabel: 'x', yLabel: 'y', histogram, signQuadrants: false, zeroLines: true }));
      assert.equal(marks(scene, 'rect').length, 4);
      assert.equal(marks(scene, 'rule').length, 2);
    });

    it('rejects inconsistent histograms', () => {
      assert.throws(
        () => heatmap2d({ title: 't', xLabel: 'x', yLabel: 'y', histogram: { ...histogram, counts: [1, 2, 3] } }),
        { message: 'heatmap2d: counts has 3 entries but the edges define 4×2 = 8 bins' },
      );
      assert.throws(
        () => heatmap2d({ title: 't', xLabel: 'x', yLabel: 'y', histogram: { ...histogram, yEdges: [0, 0, 1] } }),
        { message: 'heatmap2d: yEdges must increase strictly, but yEdges[1] = 0 ≤ 0' },
      );
    });

    it('keeps a 50×50 histogram small', () => {
      const edges = grid(-1, 1, 51);
      const full = heatmap2d({ title: 't', xLabel: 'x', yLabel: 'y', histogram: { xEdges: edges, yEdges: edges, counts: new Float64Array(2500).fill(12345) } });
      const bytes = Buffer.byteLength(JSON.stringify(full));
      assert.ok(bytes < 100_000, `${bytes} bytes`);
    });
  });

  describe('logLogChart', () => {
    it('fits the slope −1/2 guide through points on y = 2/√x', async () => {
      const x = [4, 16, 64, 256];
      const scene = await sceneItems(logLogChart({
        title: 'σ(d)', xLabel: 'd', yLabel: 'σ', series: [{ label: 'binary', x, y: x.map((v) => 2 / Math.sqrt(v)) }],
        guide: { slope: -0.5 },
        theory: [{ label: 'theory', x: [4, 256], y: [2.2 / 2, 2.2 / 16] }],
      }));
      const points = marks(scene, 'symbol');
      const guide = marks(scene, 'line').filter((l) => l.item.stroke === '#666666');
      assert.equal(points.length, 4);
      assert.equal(guide.length, 2);
      for (const [g, p] of [[guide[0], points[0]], [guide[1], points[3]]]) {
        closeTo(g.item.x, p.item.x as number, 1e-6, 'guide x');
        closeTo(g.item.y, p.item.y as number, 1e-3, 'guide y');
      }
      const legend = texts(scene, 'legend-label');
      assert.ok(legend.includes('slope −0.5') && legend.includes('theory'), legend.join(', '));
    });

    it('ticks powers of ten and 2× and 5× between them on short axes, labels never run together', async () => {
      // The gen_plots spread figure: d = 9, 288, 576 with spreads of 6° to 0.8°.
      const scene = await sceneItems(logLogChart({
        title: 'spread', xLabel: 'd', yLabel: 'sd', series: [{ label: 'layers', x: [9, 288, 576], y: [6, 2.2, 0.8] }], guide: { slope: -0.5 },
      }));
      const labels = scene.filter((s) => s.role === 'axis-label');
      assert.deepEqual(labels.map((l) => l.item.text), ['10', '20', '50', '100', '200', '500', '1', '2', '5']);
      // Labels of at most three characters at 11 px, at least 40 px apart on the 360 px x axis.
      const xs = labels.slice(0, 6).map((l) => l.item.x as number);
      xs.slice(1).forEach((x, i) => assert.ok(x - xs[i] >= 40, `labels at ${xs[i]} and ${x} px`));
    });

    it('rejects non-positive points', () => {
      assert.throws(
        () => logLogChart({ title: 't', xLabel: 'd', yLabel: 'σ', series: [{ label: 'a', x: [1, 0], y: [1, 1] }], guide: { slope: -0.5 } }),
        { message: 'logLogChart: series "a" point 1 is (0, 1); log–log points must be positive' },
      );
    });
  });

  describe('functionPlot', () => {
    it('samples each function on the grid and draws square panels with equal scales', async () => {
      const scene = await sceneItems(functionPlot({
        title: 'STE', domain: [-2, 2], samples: 5, size: 100,
        panels: [
          { title: 'forward', curves: [{ label: 'sign', fn: (v) => (v >= 0 ? 1 : -1) }] },
          { title: 'backward', curves: [{ label: 'clip', fn: (v) => Math.max(-1, Math.min(1, v)) }] },
        ],
      }));
      const lines = marks(scene, 'line');
      // y pixel = (2 − f(x))/4 · 100 for the grid −2, −1, 0, 1, 2.
      assert.deepEqual(lines.map((l) => l.item.y), [75, 75, 25, 25, 25, 75, 75, 50, 25, 25]);
      assert.deepEqual(lines.slice(0, 5).map((l) => l.item.x), [0, 25, 50, 75, 100]);
      const cells = scene.filter((s) => s.name === 'cell');
      assert.deepEqual(cells.map((c) => [c.item.width, c.item.height]), [[100, 100], [100, 100]]);
    });

    it('rejects a grid with fewer than two points', () => {
      assert.throws(() => functionPlot({ title: 't', samples: 1, panels: [] }), { message: 'functionPlot: samples must be an integer ≥ 2, got 1' });
    });
  });

  describe('barChart', () => {
    const bars = ['L1', 'L2', 'L3'].flatMap((group) => [
      { group, category: '−1', value: 0.45 }, { group, category: '0', value: 0.1 }, { group, category: '+1', value: 0.45 },
    ]);

    it('draws grouped bars with heights proportional to the values', async () => {
      const scene = await sceneItems(barChart({ title: 'p', xLabel: 'layer', yLabel: 'proportion', bars, percent: true, height: 200 }));
      const rects = marks(scene, 'rect');
      assert.equal(rects.length, 9);
      const heights = rects.map((r) => r.item.height as number);
      closeTo(heights[0] / heights[1], 4.5, 1e-9, '0.45 / 0.1');
      assert.ok(texts(scene, 'axis-label').includes('40%'));
    });

    it('stacks proportions that sum to one up to the top of the axis', async () => {
      const scene = await sceneItems(barChart({ title: 'p', xLabel: 'layer', yLabel: 'proportion', bars, layout: 'stacked', height: 200 }));
      const l1 = marks(scene, 'rect').filter((r) => r.item.datum?.group === 'L1');
      closeTo(Math.min(...l1.map((r) => r.item.y as number)), 0, 1e-9, 'top');
      closeTo(Math.max(...l1.map((r) => (r.item.y as number) + (r.item.height as number))), 200, 1e-9, 'bottom');
      // Stack order follows the legend: −1 at the bottom.
      assert.equal(l1.find((r) => (r.item.y as number) + (r.item.height as number) === 200)?.item.datum?.category, '−1');
    });
  });

  describe('concatCharts', () => {
    it('lays out charts in a grid with one theme and every title', async () => {
      const histogram = { xEdges: [-1, 0, 1], yEdges: [-1, 0, 1], counts: [1, 2, 3, 4] };
      const parts = [1, 2].map((l) => heatmap2d({ title: `Layer ${l}`, xLabel: 'x', yLabel: 'y', histogram }));
      const spec = concatCharts(parts, { title: 'All layers', columns: 3 });
      const concat = (spec as { concat?: Record<string, unknown>[] }).concat ?? [];
      assert.equal(concat.length, 2);
      assert.ok(concat.every((p) => p.$schema === undefined && p.config === undefined));
      assert.ok(spec.$schema !== undefined && spec.config !== undefined);
      const scene = await sceneItems(spec);
      assert.deepEqual(texts(scene, 'title-text').sort(), ['All layers', 'Layer 1', 'Layer 2']);
    });
  });

  describe('chart text: labels, legends and tooltips a reader can use', () => {
    const x = grid(0, 1, 201);
    const bump = (at: number) => x.map((v) => 10 * Math.exp(-(((v - at) / 0.05) ** 2)));

    it('labels of neighbouring rules stack one line apart instead of printing over each other, each over a white halo', async () => {
      const scene = await sceneItems(densityChart({
        title: 't', xLabel: 'w', series: [{ label: 'conv1', x, y: bump(0.5) }],
        verticalRules: [{ at: 0.52, label: 't = 0.02' }, { at: 0.48, label: '−t = −0.02' }],
      }));
      const labels = marks(scene, 'text').filter((t) => t.item.fill === 'black');
      assert.deepEqual(labels.map((t) => [t.item.text, t.item.y]).sort(), [['t = 0.02', 18], ['−t = −0.02', 4]]);
      assert.equal(marks(scene, 'text').filter((t) => t.item.fill === 'white').length, 2);
    });

    it('a density with labelled rules leaves headroom above its highest curve, where the labels sit', () => {
      const spec = densityChart({ title: 't', xLabel: 'w', series: [{ label: 'a', x, y: bump(0.5) }], verticalRules: [{ at: 0.5, label: 'θ*' }] });
      const y = (spec as unknown as { layer: { encoding: { y: { scale: { domain: number[] } } } }[] }).layer[0].encoding.y;
      assert.deepEqual(y.scale.domain, [0, 20], '1.25 × 10, rounded up to a round tick');
    });

    it('the legend lists only styles drawn in it: dashed theory, not a solid black entry that matches no line', async () => {
      const scene = await sceneItems(densityChart({
        title: 't', xLabel: 'w', dataLabel: 'Monte Carlo (KDE)',
        series: [{ label: 'd = 3', x, y: bump(0.4) }, { label: 'd = 10', x, y: bump(0.6) }],
        theory: [{ label: 'exact', x, y: bump(0.5) }],
      }));
      assert.deepEqual(texts(scene, 'legend-label'), ['d = 3', 'd = 10', 'theory']);
    });

    it('density curves carry a tooltip per point: series, panel, x and y', () => {
      const spec = densityChart({
        title: 't', xLabel: 'angle', yLabel: 'density', series: [{ label: 'filters', panel: 'conv1', x, y: bump(0.5) }],
      }) as unknown as { spec: { layer: { mark: { point: unknown }; encoding: { tooltip: { field: string; title: string }[] } }[] } };
      const data = spec.spec.layer[0];
      assert.equal(data.mark.point, 'transparent');
      assert.deepEqual(data.encoding.tooltip.map((t) => [t.field, t.title]), [['series', 'series'], ['panel', 'panel'], ['x', 'angle'], ['y', 'density']]);
    });

    it('a bar chart with one category draws each bar centred on its axis label', async () => {
      const scene = await sceneItems(barChart({
        title: 't', xLabel: '', yLabel: 'MiB', width: 200,
        bars: [{ group: 'float', category: 'size', value: 6.5 }, { group: 'packed', category: 'size', value: 0.2 }],
      }));
      const bars = marks(scene, 'rect').map((b) => (b.item.x as number) + (b.item.width as number) / 2);
      const ticks = scene.filter((s) => s.role === 'axis-label' && ['float', 'packed'].includes(String(s.item.text))).map((s) => s.item.x as number);
      bars.forEach((centre, i) => closeTo(centre, ticks[i], 0.5, `bar ${i} centre`));
    });

    it('heatmap x labels never touch: a tick per 50 px at most, overlapping labels dropped', () => {
      const spec = heatmap2d({
        title: 'conv3', xLabel: 'A·Wᵇ', yLabel: 'A·Wᶜ', width: 200, height: 200,
        histogram: { xEdges: grid(-250, 250, 11), yEdges: grid(-50, 50, 11), counts: new Float64Array(100).fill(1) },
      }) as unknown as { layer: { encoding: { x: { axis: { tickCount: number; labelOverlap: string } } } }[] };
      const axis = spec.layer.find((l) => l.encoding?.x?.axis !== undefined)!.encoding.x.axis;
      assert.deepEqual([axis.tickCount, axis.labelOverlap], [4, 'greedy']);
    });
  });
});
