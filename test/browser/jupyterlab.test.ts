/**
 * Both notebooks as a user meets them: `npm run lab` serves a copy of them (see workspace.ts), and
 * headless Chromium opens each one, checks that opening does not mark it modified, runs all cells
 * from the Run menu, checks every chart rendered as Vega (one per `show` call), that no cell wrote to
 * stderr or failed and that the backend is tfjs-node, that every chart fits its output area at
 * 1400 × 900 and at 1024 × 768 with the file browser open, and that a save from the browser keeps one
 * picture per chart under 0.8 MB; then edits the parameters cell, reruns it and a later cell that
 * depends on it, and finally restarts the kernel and runs all again.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { KERNEL_DISPLAY_NAME, KERNEL_NAME } from '../../lib/cli/install-kernel';
import { parameterEnvName } from '../../lib/notebook/params';
import { startLab, type RunningLab } from '../support/lab';
import { launchChromium } from './chromium';
import { notebookWorkspace } from './workspace';

const FASHION = '/usr/share/datasets/fashion-mnist';

/** Small runs: the kernel inherits these from the server, as from `npm run figures`. */
const PARAMETERS = { sampleScale: '0.05', epochs: '1', limit: '600', batchNormImages: '100' };

interface NotebookCase {
  name: string;
  /** A parameter the test edits in the parameters cell (the environment does not set it). */
  edit: { from: string; to: string };
  /**
   * Code cells rerun after the edit, in order, each named by a piece of its source; the last one's
   * output reads differently before and after (charts are drawn on a canvas, so their text cannot be
   * read: a table or a line is).
   */
  rerun: { cells: string[]; before: RegExp; after: RegExp };
}

const CASES: NotebookCase[] = [
  {
    name: 'hd_figures',
    edit: { from: 'dims: [3, 10, 27],', to: 'dims: [3, 10],' },
    // the binarization figure, then the numbers table (emptied by the parameters cell, refilled by the figure)
    rerun: { cells: ['binarizationExperiment(', 'showTable(numbersTable(reproduced))'], before: /sign u\), d = 27/, after: /^(?![\s\S]*d = 27)[\s\S]*sign u\), d = 10/ },
  },
  {
    name: 'gen_plots',
    edit: { from: 'images: 500,', to: 'images: 40,' },
    rerun: { cells: ['analyzeNetwork('], before: /\b500 images, 3 conv layers/, after: /\b40 images, 3 conv layers/ },
  },
];

/** JupyterLab's debugger panel throws this, uncaught, for a kernel without a debugger (tslab); not the notebook's doing. */
const JUPYTERLAB_DEBUGGER_NOISE = 'No active debugger session';

/** What the open notebook shows: prompts of its code cells, rendered charts, stderr and stdout texts. */
interface NotebookView {
  prompts: string[];
  vegaCharts: number;
  stderr: string[];
  stdout: string;
  dirty: boolean;
}

function view(page: Page): Promise<NotebookView> {
  return page.evaluate(() => {
    const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)')!;
    // textContent, not innerText: JupyterLab skips rendering cells out of view, and innerText of those is empty.
    const texts = (selector: string) => Array.from(panel.querySelectorAll(selector)).map((e) => e.textContent ?? '');
    return {
      prompts: texts('.jp-CodeCell .jp-InputPrompt').map((t) => t.trim()),
      // vega-embed draws a chart as svg.marks or canvas.marks (its actions menu adds an svg icon)
      vegaCharts: panel.querySelectorAll('.jp-RenderedVegaCommon5 .marks').length,
      stderr: texts('[data-mime-type="application/vnd.jupyter.stderr"]'),
      stdout: texts('[data-mime-type="application/vnd.jupyter.stdout"]').join('\n'),
      dirty: document.querySelector('.lm-TabBar-tab.jp-mod-current')?.classList.contains('jp-mod-dirty') ?? false,
    };
  });
}

/**
 * The open notebook's kernel status (`:visible`: JupyterLab may restore the notebook an earlier test
 * opened in a tab behind this one, whose indicator is hidden).
 */
const EXECUTION_INDICATOR = '.jp-Notebook-ExecutionIndicator:visible';

/** Waits until every code cell has run (a number in its prompt, none queued) and the kernel is idle. */
async function waitForRun(page: Page, timeoutMs = 15 * 60 * 1000): Promise<NotebookView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await view(page);
    const status = await page.getAttribute(EXECUTION_INDICATOR, 'data-status');
    if (status === 'idle' && v.prompts.length > 0 && v.prompts.every((p) => /^\[\d+\]:$/.test(p))) return v;
    if (Date.now() > deadline) throw new Error(`cells still running after ${timeoutMs / 1000} s: ${v.prompts.join(' ')}\nstderr: ${v.stderr.join('\n')}`);
    await page.waitForTimeout(500);
  }
}

async function menu(page: Page, top: string, item: string): Promise<void> {
  await page.getByRole('menuitem', { name: top, exact: true }).click();
  await page.getByRole('menuitem', { name: item, exact: true }).click();
}

/**
 * The source of a code cell as saved: Ctrl+S, then the file. (The editor's DOM holds only the lines
 * CodeMirror has drawn, which a long cell scrolled out of view lacks.)
 */
async function savedCellSource(page: Page, file: string, cell: number): Promise<string> {
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+S');
  await page.waitForFunction(() => !document.querySelector('.lm-TabBar-tab.jp-mod-current')?.classList.contains('jp-mod-dirty'));
  const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as { cells: { cell_type: string; source: string | string[] }[] };
  return [saved.cells.filter((c) => c.cell_type === 'code')[cell].source].flat().join('');
}

const CODE_CELLS = '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell';

/** The prompt of a code cell: "[ ]:", "[*]:" while queued or running, "[7]:" once run. */
function prompt(page: Page, cell: number): Promise<string> {
  return page.locator(CODE_CELLS).nth(cell).locator('.jp-InputPrompt').textContent().then((t) => (t ?? '').trim());
}

/** Waits until a code cell has run to completion with an execution count other than `previous`. */
async function waitForCell(page: Page, cell: number, previous: string): Promise<void> {
  const deadline = Date.now() + 15 * 60 * 1000;
  for (let now = await prompt(page, cell); now === previous || !/^\[\d+\]:$/.test(now); now = await prompt(page, cell)) {
    if (Date.now() > deadline) throw new Error(`code cell ${cell} did not finish: its prompt is ${now}`);
    await page.waitForTimeout(250);
  }
}

/** Runs one code cell as a user does (click into its editor, Ctrl+Enter) and waits for it. */
async function runCell(page: Page, cell: number): Promise<void> {
  const before = await prompt(page, cell);
  await page.locator(CODE_CELLS).nth(cell).locator('.cm-content').click();
  await page.keyboard.press('Control+Enter');
  await waitForCell(page, cell, before);
}

function outputText(page: Page, cell: number): Promise<string> {
  return page.locator(CODE_CELLS).nth(cell).locator('.jp-OutputArea').textContent().then((t) => t ?? '');
}

/** Every chart rendered as Vega, no stderr, and the backend line names tfjs-node. */
function checkRun(v: NotebookView, expectedCharts: number, when: string): void {
  assert.deepEqual(v.stderr, [], `${when}: cells wrote to stderr (or failed)`);
  assert.equal(v.vegaCharts, expectedCharts, `${when}: ${v.vegaCharts} Vega charts rendered, the notebook shows ${expectedCharts}`);
  assert.match(v.stdout, /backend: tensorflow \(tfjs-node/, `${when}: the backend line does not name tfjs-node`);
}

/** No chart is wider than its output area: none scrolls horizontally or is cut. */
async function checkChartsFit(page: Page, when: string): Promise<void> {
  await page.waitForTimeout(500); // JupyterLab lays the panel out again after a resize
  const tooWide = await page.evaluate(() => Array.from(document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output'))
    .filter((o) => o.querySelector('.jp-RenderedVegaCommon5') !== null)
    .map((o) => ({ area: o.clientWidth, chart: o.scrollWidth }))
    .filter((o) => o.chart > o.area));
  assert.deepEqual(tooWide, [], `${when}: charts wider than their output area`);
}

/** Largest executed notebook JupyterLab may save: specs and one static picture per chart. */
const SAVED_NOTEBOOK_LIMIT_BYTES = 800_000;

/** Saves from the browser (Ctrl+S) and checks the file: one picture per chart (JupyterLab adds none), under the size limit. */
async function checkSavedNotebook(page: Page, file: string, charts: number): Promise<void> {
  await page.locator(CODE_CELLS).first().locator('.cm-content').click();
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+S');
  await page.waitForFunction(() => !document.querySelector('.lm-TabBar-tab.jp-mod-current')?.classList.contains('jp-mod-dirty'));
  await page.waitForTimeout(1000);
  const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as { cells: { outputs?: { data?: Record<string, unknown> }[] }[] };
  const chartOutputs = saved.cells.flatMap((cell) => cell.outputs ?? []).filter((o) => o.data?.['application/vnd.vegalite.v5+json'] !== undefined);
  assert.equal(chartOutputs.length, charts, 'saved chart outputs');
  for (const o of chartOutputs) {
    assert.deepEqual(Object.keys(o.data!).filter((m) => m.startsWith('image/')), ['image/png'], 'one static picture per chart');
  }
  const bytes = fs.statSync(file).size;
  assert.ok(bytes < SAVED_NOTEBOOK_LIMIT_BYTES, `the saved notebook is ${bytes} bytes, over ${SAVED_NOTEBOOK_LIMIT_BYTES}`);
}

describe('JupyterLab end to end: npm run lab in headless Chromium', function () {
  this.timeout(40 * 60 * 1000);
  let workspace: string;
  let lab: RunningLab;
  let browser: Browser;

  before(async function () {
    assert.ok(fs.existsSync(FASHION), `${FASHION} is missing: apt-get install -y dataset-fashion-mnist (.ci/run does)`);
    workspace = notebookWorkspace();
    // JupyterLab's own settings, kept in the workspace: no news prompt over the notebook.
    const settings = path.join(workspace, 'settings');
    fs.mkdirSync(path.join(settings, '@jupyterlab', 'apputils-extension'), { recursive: true });
    fs.writeFileSync(
      path.join(settings, '@jupyterlab', 'apputils-extension', 'notification.jupyterlab-settings'),
      JSON.stringify({ fetchNews: 'false', checkForUpdates: false }),
    );
    const env = { ...process.env, [parameterEnvName('checkpoint')]: path.join(workspace, 'checkpoint') };
    for (const [key, value] of Object.entries(PARAMETERS)) env[parameterEnvName(key)] = value;
    lab = await startLab(
      [`--ServerApp.root_dir=${path.join(workspace, 'notebooks')}`, `--LabApp.user_settings_dir=${settings}`, `--LabApp.workspaces_dir=${path.join(workspace, 'workspaces')}`],
      env,
    );
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await lab?.stop();
    if (workspace) fs.rmSync(workspace, { recursive: true, force: true });
  });

  it('serves the notebooks with the project kernel in its kernel list', async () => {
    const specs = await lab.api<{ kernelspecs: Record<string, { spec: { display_name: string } }> }>('/api/kernelspecs');
    assert.equal(specs.kernelspecs[KERNEL_NAME]?.spec.display_name, KERNEL_DISPLAY_NAME, `kernels: ${Object.keys(specs.kernelspecs).join(', ')}`);
    const contents = await lab.api<{ content: { name: string }[] }>('/api/contents/');
    assert.deepEqual(contents.content.map((c) => c.name).sort(), ['gen_plots.ipynb', 'hd_figures.ipynb']);
  });

  for (const c of CASES) {
    it(`${c.name}: opens unmodified, runs all, reruns after a parameter edit, restarts and runs all again`, async () => {
      const source = fs.readFileSync(path.join(workspace, 'notebooks', `${c.name}.ipynb`), 'utf8');
      const charts = (source.match(/await show\(/g) ?? []).length;
      assert.ok(charts >= 10, `${c.name} has ${charts} show calls`);
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      page.setDefaultTimeout(60_000); // a control that never appears fails the test instead of hanging it
      const pageErrors: string[] = [];
      page.on('pageerror', (e) => { if (e.message !== JUPYTERLAB_DEBUGGER_NOISE) pageErrors.push(e.message); });
      try {
        await page.goto(`${lab.base}/lab/tree/${c.name}.ipynb?token=${lab.token}`);
        await page.waitForSelector(CODE_CELLS);
        await page.waitForSelector('.jp-Notebook-ExecutionIndicator[data-status="idle"]:visible', { timeout: 120_000 });
        await page.waitForTimeout(5000); // JupyterLab copies the kernel's language_info into the model after a few seconds
        assert.equal((await view(page)).dirty, false, 'opening the notebook marked it modified');

        await menu(page, 'Run', 'Run All Cells');
        checkRun(await waitForRun(page), charts, 'Run All');
        await checkChartsFit(page, 'at 1400 × 900');
        await page.setViewportSize({ width: 1024, height: 768 });
        assert.ok(await page.locator('.jp-FileBrowser').isVisible(), 'the file browser is open beside the notebook');
        await checkChartsFit(page, 'at 1024 × 768 with the file browser open');
        await page.setViewportSize({ width: 1400, height: 900 });
        await checkSavedNotebook(page, path.join(workspace, 'notebooks', `${c.name}.ipynb`), charts);
        const codeSources = (JSON.parse(source) as { cells: { cell_type: string; source: string | string[] }[] }).cells
          .filter((cell) => cell.cell_type === 'code').map((cell) => [cell.source].flat().join(''));
        const rerunCells = c.rerun.cells.map((piece) => {
          const at = codeSources.findIndex((s) => s.includes(piece));
          assert.ok(at >= 0, `${c.name} has no code cell with '${piece}'`);
          return at;
        });
        const checked = rerunCells.at(-1)!;
        assert.match(await outputText(page, checked), c.rerun.before);

        const file = path.join(workspace, 'notebooks', `${c.name}.ipynb`);
        const parameters = codeSources[1];
        assert.ok(parameters.includes(c.edit.from), `the parameters cell lacks '${c.edit.from}'`);
        await page.locator(CODE_CELLS).nth(1).locator('.cm-content').click();
        await page.keyboard.press('Control+A');
        await page.keyboard.insertText(parameters.replace(c.edit.from, c.edit.to));
        assert.equal(await savedCellSource(page, file, 1), parameters.replace(c.edit.from, c.edit.to), 'the edit did not land as typed');
        await runCell(page, 1);
        for (const cell of rerunCells) await runCell(page, cell);
        const edited = await waitForRun(page);
        assert.deepEqual(edited.stderr, [], 'rerunning after the edit wrote to stderr');
        assert.match(await outputText(page, checked), c.rerun.after);

        await menu(page, 'Kernel', 'Restart Kernel and Run All Cells…');
        await page.locator('.jp-Dialog .jp-mod-accept').click();
        await waitForCell(page, 1, await prompt(page, 1)); // the parameters cell runs second after the restart
        assert.equal(await prompt(page, 1), '[2]:', 'the kernel did not restart');
        const restarted = await waitForRun(page);
        checkRun(restarted, charts, 'Restart and Run All');
        assert.match(await outputText(page, checked), c.rerun.after, 'after the restart the edited parameter still holds');
        assert.deepEqual(pageErrors, []);
      } finally {
        await page.screenshot({ path: path.join(os.tmpdir(), `bnn-lab-${c.name}.png`) }).catch(() => undefined);
        await page.close();
      }
    });
  }
});
