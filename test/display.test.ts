import { strict as assert } from 'node:assert';
import * as vega from 'vega';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { concatCharts, heatmap2d, lineChart } from '../lib/charts';
import {
  chartTitle, htmlTable, markdownTable, PNG_MIME, PNG_SIGNATURE, renderSvg, saveFigure,
  setDisplayWriter, show, showTable, SVG_MIME, svgSize, svgToPng, type DisplayBundle, VEGA_LITE_MIME,
} from '../lib/display';

const spec = lineChart({
  title: 'Smoke', subtitle: 'r = 0.98', xLabel: 'x', yLabel: 'y',
  series: [{ label: 'line', x: [0, 1, 2], y: [0, 1, 4] }], width: 200, height: 100,
});

/** Collects what the display layer sends to the notebook. */
function recordingWriter(): { sent: { bundle: DisplayBundle; update: boolean }[] } {
  const record = { sent: [] as { bundle: DisplayBundle; update: boolean }[] };
  setDisplayWriter((bundle, update) => record.sent.push({ bundle, update }));
  return record;
}

/** Replaces console.log while `run` executes and returns what it got. */
function captureLog(run: () => void): string[] {
  const lines: string[] = [];
  const original = console.log;
  console.log = (text: unknown): void => {
    lines.push(String(text));
  };
  try {
    run();
  } finally {
    console.log = original;
  }
  return lines;
}

/** Width and height from a PNG's IHDR chunk (bytes 16–23, big-endian). */
function pngSize(png: Buffer): [number, number] {
  return [png.readUInt32BE(16), png.readUInt32BE(20)];
}

describe('display', () => {
  afterEach(() => setDisplayWriter(undefined));

  describe('show', () => {
    it('sends one bundle with the Vega-Lite spec, a palette PNG of it (no SVG, which JupyterLab would save beside a PNG of its own) and the title', async () => {
      const record = recordingWriter();
      await show(spec);
      assert.equal(record.sent.length, 1);
      const { bundle, update } = record.sent[0];
      assert.equal(update, false);
      assert.deepEqual(Object.keys(bundle.data).sort(), [VEGA_LITE_MIME, PNG_MIME, 'text/plain'].sort());
      assert.equal(VEGA_LITE_MIME, 'application/vnd.vegalite.v5+json');
      assert.deepEqual(bundle.data[VEGA_LITE_MIME], spec);
      const png = Buffer.from(String(bundle.data[PNG_MIME]), 'base64');
      assert.deepEqual(png.subarray(0, 8), PNG_SIGNATURE);
      assert.equal(png[25], 3, 'IHDR colour type 3: a palette image');
      const size = svgSize(await renderSvg(spec));
      assert.deepEqual(bundle.metadata[PNG_MIME], size, 'shown at the SVG\'s size');
      assert.deepEqual(pngSize(png), [Math.round(1.25 * size.width), Math.round(1.25 * size.height)]);
      assert.equal(bundle.data['text/plain'], 'Smoke — r = 0.98');
      assert.deepEqual(bundle.transient, {});
    });

    it('sends a dense heatmap figure as a PNG of at most 200 kB where its SVG would take 2 MB', async () => {
      // Three 50×50 histograms with every bin filled, as gen_plots' dot-product figures: a <rect> per bin in SVG.
      const edges = Array.from({ length: 51 }, (_, i) => -1 + i / 25);
      const counts = Array.from({ length: 2500 }, (_, k) => 1 + Math.round(1e5 * Math.exp(-(((k % 50) - Math.floor(k / 50)) ** 2) / 50)));
      const panels = [1, 2, 3].map((n) => heatmap2d({
        title: `conv${n}`, xLabel: 'A·Wᵇ', yLabel: 'A·Wᶜ', histogram: { xEdges: edges, yEdges: edges, counts }, width: 200, height: 200,
      }));
      const dense = concatCharts(panels, { title: 'Weight binarization' });
      const svg = await renderSvg(dense);
      assert.ok(Buffer.byteLength(svg) > 1_000_000, `the SVG is ${svg.length} bytes`);
      const record = recordingWriter();
      await show(dense);
      const { data, metadata } = record.sent[0].bundle;
      assert.deepEqual(Object.keys(data).sort(), [PNG_MIME, VEGA_LITE_MIME, 'text/plain'].sort());
      assert.equal(data[SVG_MIME], undefined);
      const png = Buffer.from(String(data[PNG_MIME]), 'base64');
      assert.deepEqual(png.subarray(0, 8), PNG_SIGNATURE);
      assert.ok(String(data[PNG_MIME]).length <= 200_000, `PNG fallback is ${String(data[PNG_MIME]).length} base64 characters`);
      // Drawn at 1.25 times the SVG's size, shown at the SVG's size.
      const size = svgSize(svg);
      assert.deepEqual(metadata[PNG_MIME], size);
      assert.deepEqual(pngSize(png), [Math.round(1.25 * size.width), Math.round(1.25 * size.height)]);
    });

    it('prints the title outside a notebook', async () => {
      setDisplayWriter(null);
      const original = console.log;
      const lines: string[] = [];
      console.log = (text: unknown) => lines.push(String(text));
      try {
        await show(spec);
      } finally {
        console.log = original;
      }
      assert.deepEqual(lines, ['[chart] Smoke — r = 0.98 (not in a notebook: renderSvg(spec) or saveFigure(spec, path) draw it)']);
    });

    it('is outside a notebook under mocha (tslab kernel not loaded)', () => {
      const lines = captureLog(() => showTable([{ a: 1 }]));
      assert.deepEqual(lines, ['| a |\n| ---: |\n| 1 |']);
    });
  });

  describe('headless text layout', () => {
    it('measures text with DejaVu Sans advance widths, not vega\'s 0.8 em per character', async () => {
      await renderSvg(spec); // installs the measure
      const { textMetrics } = vega as unknown as { textMetrics: { width: (item: object, text: string) => number } };
      const width = (text: string, more: object = {}) => textMetrics.width({ fontSize: 10, ...more }, text);
      assert.equal(width('iiii'), 4 * width('i'));
      assert.ok(width('MMMM') > 2.5 * width('iiii'), 'a proportional font: M is wider than i');
      // DejaVu Sans: 2048 units per em, "M" advances 1767, so 4 of them at 10 px are 34.5 px (the estimate: 32).
      assert.ok(Math.abs(width('MMMM') - (4 * 10 * 1767) / 2048) < 1e-9);
      assert.ok(width('MMMM', { fontWeight: 'bold' }) > width('MMMM'), 'bold is measured with the bold face');
    });
  });

  describe('chartTitle', () => {
    it('reads plain and subtitled titles', () => {
      const data = { values: [] };
      assert.equal(chartTitle({ title: 'A', data, mark: 'point' }), 'A');
      assert.equal(chartTitle({ title: { text: 'A', subtitle: 'b' }, data, mark: 'point' }), 'A — b');
      assert.equal(chartTitle({ title: { text: 'A', subtitle: ['b;', 'c'] }, data, mark: 'point' }), 'A — b; c');
      assert.equal(chartTitle({ data, mark: 'point' }), 'chart');
    });
  });

  describe('saveFigure', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'bnn-figure-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('writes an SVG and a PNG at twice the SVG size, leaving no temporary files', async () => {
      const saved = await saveFigure(spec, join(dir, 'sub', 'smoke'));
      assert.deepEqual(saved, { svgPath: join(dir, 'sub', 'smoke.svg'), pngPath: join(dir, 'sub', 'smoke.png') });
      const svg = readFileSync(saved.svgPath, 'utf8');
      assert.match(svg, /^<svg /);
      const [, w, h] = /width="(\d+)" height="(\d+)"/.exec(svg) ?? [];
      const png = readFileSync(saved.pngPath);
      assert.deepEqual(png.subarray(0, 8), PNG_SIGNATURE);
      assert.deepEqual(pngSize(png), [2 * Number(w), 2 * Number(h)]);
      assert.deepEqual(readdirSync(join(dir, 'sub')).sort(), ['smoke.png', 'smoke.svg']);
    });

    it('draws the text with the chart font (a PNG without fonts differs)', async () => {
      const svg = await renderSvg(spec);
      const withFonts = svgToPng(svg);
      const withoutFonts = svgToPng(svg, { fontFiles: [] });
      assert.equal(withFonts.length === withoutFonts.length && withFonts.equals(withoutFonts), false);
    });

    it('wants the path without an extension', async () => {
      await assert.rejects(saveFigure(spec, join(dir, 'smoke.png')), {
        message: `saveFigure: pass the path without extension (got "${join(dir, 'smoke.png')}"); both .svg and .png are written`,
      });
      assert.equal(existsSync(join(dir, 'smoke.png.svg')), false);
    });
  });

  describe('tables', () => {
    const rows = [
      { layer: 1, 'r <b>': 0.981234, note: 'a|b' },
      { layer: 2, 'r <b>': 0.9, note: '<script>&"\'' },
      { layer: 3, note: null },
    ];

    it('writes Markdown with escaped pipes and right-aligned number columns', () => {
      assert.equal(markdownTable(rows), [
        '| layer | r <b> | note |',
        '| ---: | ---: | --- |',
        '| 1 | 0.9812 | a\\|b |',
        '| 2 | 0.9 | <script>&"\' |',
        '| 3 |  |  |',
      ].join('\n'));
    });

    it('escapes HTML in headers and cells; aligns numbers right and text left', () => {
      const html = htmlTable(rows, { columns: ['r <b>', 'note'], digits: 2 });
      assert.ok(html.includes('<th style="text-align:right">r &lt;b&gt;</th><th style="text-align:left">note</th>'), html);
      assert.ok(html.includes('<td style="text-align:left">&lt;script&gt;&amp;&quot;&#39;</td>'), html);
      assert.ok(html.includes('<td style="text-align:right">0.98</td>'), html);
      assert.equal(html.includes('<script>'), false);
    });

    it('sends text/html and text/plain to the notebook', () => {
      const record = recordingWriter();
      showTable(rows);
      assert.equal(record.sent.length, 1);
      assert.deepEqual(record.sent[0].bundle.data, { 'text/html': htmlTable(rows), 'text/plain': markdownTable(rows) });
    });

    it('needs at least one column', () => {
      assert.throws(() => markdownTable([]), { message: 'markdownTable: no columns; pass rows with at least one key, or options.columns' });
    });
  });
});
