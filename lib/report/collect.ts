/** Reading what executed notebooks produced: the named Vega-Lite figures and their titles. */
import * as fs from 'node:fs';
import { FIGURE_METADATA_KEY, TEXT_MIME, VEGA_LITE_MIME } from '../display/show';

export interface NotebookFigure {
  name: string;
  title: string;
  notebook: string;
  spec: unknown;
  /** Mimetypes of the output, for checks (vegalite, text and a static svg or png are expected). */
  mimetypes: string[];
}

interface Output {
  output_type: string;
  data?: Record<string, unknown>;
  metadata?: Record<string, { figure?: string } | undefined>;
  ename?: string;
  evalue?: string;
}

function textOf(value: unknown): string {
  if (Array.isArray(value)) return value.join('');
  return typeof value === 'string' ? value : '';
}

/** Every output of every code cell of a notebook file. */
export function notebookOutputs(file: string): Output[] {
  const nb = JSON.parse(fs.readFileSync(file, 'utf8')) as { cells: { cell_type: string; outputs?: Output[] }[] };
  return nb.cells.flatMap((c) => (c.cell_type === 'code' ? c.outputs ?? [] : []));
}

/** The named figures (charts shown with show(spec, { name })) of an executed notebook, in order. */
export function collectFigures(file: string, notebook: string): NotebookFigure[] {
  return notebookOutputs(file).flatMap((o) => {
    const name = o.metadata?.[FIGURE_METADATA_KEY]?.figure;
    if (o.output_type !== 'display_data' || !name || !o.data?.[VEGA_LITE_MIME]) return [];
    return [{ name, title: textOf(o.data[TEXT_MIME]), notebook, spec: o.data[VEGA_LITE_MIME], mimetypes: Object.keys(o.data) }];
  });
}
