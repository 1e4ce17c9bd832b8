/**
 * The committed notebooks are stored exactly as JupyterLab 4 saves them, so that opening one does not
 * mark it modified and saving it changes no byte (no git noise, no "save changes?" prompt).
 *
 * Two things make JupyterLab rewrite a notebook:
 * - the kernel's `language_info` (from tslab's kernel_info reply) differs from the notebook's metadata:
 *   JupyterLab copies it into the model a few seconds after opening, which marks the tab dirty;
 * - the file is not in nbformat's canonical form: Jupyter's server writes every notebook with
 *   `nbformat.write(nb, f, version=nbformat.NO_CONVERT)` (jupyter_server/services/contents/fileio.py),
 *   i.e. sorted keys, indent 1, sources split into lines, and a trailing newline.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { JupyterHandlerImpl } from 'tslab/dist/jupyter';
import { KERNEL_DISPLAY_NAME, KERNEL_NAME, kernelSpec } from '../lib/cli/install-kernel';
import { findNbclientPython } from '../lib/cli/jupyter-env';

/** A Python with nbformat (the project's .venv/ after npm install); set in before(). */
let PYTHON = '';
const NOTEBOOKS = path.resolve(__dirname, '..', 'notebooks');

/** Reads each file as the server does on open and writes it back as the server does on save. */
const NORMALISE = `
import io, json, sys
import nbformat
out = {}
for p in sys.argv[1:]:
    with open(p, encoding="utf-8") as f:
        nb = nbformat.reads(f.read(), as_version=4)
    buf = io.StringIO()
    nbformat.write(nb, buf, version=nbformat.NO_CONVERT)
    out[p] = buf.getvalue()
json.dump(out, sys.stdout)
`;

/** What Jupyter's server would store for each file after opening and saving it unchanged. */
function nbformatNormalise(files: string[]): Record<string, string> {
  const run = spawnSync(PYTHON, ['-c', NORMALISE, ...files], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  assert.equal(run.status, 0, `${PYTHON} with nbformat failed:\n${run.stderr}`);
  return JSON.parse(run.stdout) as Record<string, string>;
}

/** First line where `actual` and `expected` differ, shown with its line number. */
function firstDifference(actual: string, expected: string): string {
  const a = actual.split('\n');
  const e = expected.split('\n');
  for (let i = 0; i < Math.max(a.length, e.length); i++) {
    if (a[i] !== e[i]) {
      return `line ${i + 1}: committed ${JSON.stringify(a[i] ?? '<end of file>')}, nbformat writes ${JSON.stringify(e[i] ?? '<end of file>')}`;
    }
  }
  return 'no line differs';
}

/** The committed notebooks (git's list; the folder's where this is no git checkout), not a user's scratch copies. */
function committedNotebooks(): string[] {
  const git = spawnSync('git', ['ls-files', '-z', '--', '*.ipynb'], { cwd: NOTEBOOKS, encoding: 'utf8' });
  const listed = git.status === 0 ? git.stdout.split('\0').filter((f) => f !== '' && !f.includes('/')) : [];
  return (listed.length > 0 ? listed : fs.readdirSync(NOTEBOOKS).filter((f) => f.endsWith('.ipynb'))).sort();
}

describe('committed notebooks are stored as JupyterLab 4 writes them', () => {
  const files = committedNotebooks();
  // The language_info the bnn-geometry kernel (tslab in TypeScript mode) reports in its kernel_info reply.
  const kernelLanguageInfo = new JupyterHandlerImpl(null as never, false).handleKernel().language_info;

  before(() => {
    PYTHON = findNbclientPython(); // throws, saying how to set Jupyter up, when there is none
  });

  it('finds the notebooks', () => {
    for (const f of ['gen_plots.ipynb', 'hd_figures.ipynb']) assert.ok(files.includes(f), `${f} is not among ${files.join(', ')}`);
  });

  it('each notebook is unchanged by an nbformat read and write (key order, indent, trailing newline)', () => {
    const paths = files.map((f) => path.join(NOTEBOOKS, f));
    const normalised = nbformatNormalise(paths);
    const differing = paths.flatMap((p) => {
      const committed = fs.readFileSync(p, 'utf8');
      return committed === normalised[p] ? [] : [`${path.basename(p)}, ${firstDifference(committed, normalised[p])}`];
    });
    assert.deepEqual(differing, [], `JupyterLab would rewrite these on save:\n  ${differing.join('\n  ')}\nSave them from ` +
      'JupyterLab, or rewrite them with nbformat.write(nbformat.read(path, as_version=4), f, version=nbformat.NO_CONVERT).');
  });

  for (const file of files) {
    describe(file, () => {
      const read = () => JSON.parse(fs.readFileSync(path.join(NOTEBOOKS, file), 'utf8')) as {
        metadata: { kernelspec?: unknown; language_info?: unknown };
        nbformat: number;
        nbformat_minor: number;
        cells: { id?: string }[];
      };

      it('carries the language_info the tslab kernel reports, so opening does not mark it modified', () => {
        assert.deepEqual(read().metadata.language_info, kernelLanguageInfo);
      });

      it('names the registered kernel as JupyterLab records it', () => {
        const spec = kernelSpec() as { display_name: string; language: string };
        assert.equal(spec.display_name, KERNEL_DISPLAY_NAME);
        assert.deepEqual(read().metadata.kernelspec, { display_name: KERNEL_DISPLAY_NAME, language: spec.language, name: KERNEL_NAME });
      });

      it('is nbformat 4.5 with an id on every cell (JupyterLab adds them otherwise)', () => {
        const nb = read();
        assert.deepEqual([nb.nbformat, nb.nbformat_minor], [4, 5]);
        const ids = nb.cells.map((c) => c.id);
        assert.ok(ids.every((id) => typeof id === 'string' && id.length > 0), 'a cell has no id');
        assert.equal(new Set(ids).size, ids.length, 'two cells share an id');
      });
    });
  }
});

describe('the parameters cells read without scrolling', () => {
  /** Characters a code cell shows without scrolling in a 1400 px JupyterLab window with the file browser open. */
  const VISIBLE_CHARACTERS = 120;
  for (const name of ['hd_figures', 'gen_plots']) {
    it(`${name}: each parameter has its comment on a line of its own above it, and no line is wider than the cell`, () => {
      const notebook = JSON.parse(fs.readFileSync(path.join(NOTEBOOKS, `${name}.ipynb`), 'utf8')) as { cells: { cell_type: string; source: string[] }[] };
      const cell = notebook.cells.find((c) => c.cell_type === 'code' && c.source.join('').includes('notebookParameters({'))!;
      const lines = cell.source.join('').split('\n');
      const parameters = lines.filter((l) => /^ {2}[a-zA-Z]+: /.test(l));
      assert.ok(parameters.length >= 9, `${parameters.length} parameters`);
      for (const line of parameters) {
        assert.ok(!line.includes('//'), `a comment trails the parameter: ${line}`);
        assert.match(lines[lines.indexOf(line) - 1], /^ {2}\/\/ /, `no comment above: ${line}`);
      }
      for (const line of lines) assert.ok(line.length <= VISIBLE_CHARACTERS, `${line.length} characters: ${line}`);
    });
  }
});
