"""Execute one notebook with nbclient, reporting progress as JSON lines on stdout.

Usage: run_notebook.py INPUT.ipynb OUTPUT.ipynb WORKDIR TIMEOUT_S

Events: {"event": "start", "cells": N}, {"event": "cell", "index": i, "cells": N, "first_line": ...},
{"event": "done"}, or {"event": "error", "index": i, "ename": ..., "evalue": ..., "traceback": ...}.
The executed notebook (complete, or up to the failing cell) is written to OUTPUT atomically.
"""
import json
import os
import sys
import tempfile

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError


def emit(**event):
    print(json.dumps(event), flush=True)


def write_atomic(nb, path):
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".ipynb.tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        nbformat.write(nb, f)
    os.replace(tmp, path)


def main():
    source, target, workdir, timeout = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    nb = nbformat.read(source, as_version=4)
    code_cells = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    position = {index: n for n, index in enumerate(code_cells)}

    def on_cell_start(cell, cell_index, **_):
        if cell_index not in position:  # nbclient calls the hook for markdown cells too
            return
        emit(event="cell", index=position[cell_index] + 1, cells=len(code_cells),
             first_line=(cell.source.splitlines() or [""])[0][:80])

    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name=nb.metadata.get("kernelspec", {}).get("name", "bnn-geometry"),
        resources={"metadata": {"path": workdir}},
        on_cell_start=on_cell_start,
    )
    emit(event="start", cells=len(code_cells))
    try:
        client.execute()
    except CellExecutionError as err:
        failed = next((i for i, c in enumerate(nb.cells) for o in c.get("outputs", []) if o.get("output_type") == "error"), None)
        error = next((o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"), {})
        write_atomic(nb, target)
        emit(event="error", index=position.get(failed, -1) + 1, ename=error.get("ename", type(err).__name__),
             evalue=error.get("evalue", str(err)), traceback="\n".join(error.get("traceback", [])))
        sys.exit(1)
    write_atomic(nb, target)
    emit(event="done")


if __name__ == "__main__":
    main()
