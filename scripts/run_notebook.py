"""Execute one notebook with nbclient, reporting progress as JSON lines on stdout.

Usage: run_notebook.py INPUT.ipynb OUTPUT.ipynb WORKDIR TIMEOUT_S

Events: {"event": "start", "cells": N}, {"event": "cell", "index": i, "cells": N, "first_line": ...},
{"event": "done"}, or {"event": "error", "index": i, "ename": ..., "evalue": ..., "traceback": ...}.
The executed notebook (complete, or up to the failing cell) is written to OUTPUT atomically.
tslab reports an exception without ename or evalue and prints it on the cell's stderr instead, so the
error event takes them from there when the cell has no error output.
"""
import json
import os
import re
import sys
import tempfile

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError


ERROR_HEADER = re.compile(r"^([A-Za-z_$][\w$.]*(?:Error|Exception)): (.*)$")


def emit(**event):
    print(json.dumps(event), flush=True)


def write_atomic(nb, path):
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".ipynb.tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        nbformat.write(nb, f)
    os.replace(tmp, path)


def cell_error(cell):
    """ename, evalue and traceback of a failed cell: its error output, else the error printed on its stderr."""
    error = next((o for o in cell.get("outputs", []) if o.get("output_type") == "error"), None)
    if error is not None and (error.get("ename") or error.get("evalue")):
        return error.get("ename", ""), error.get("evalue", ""), "\n".join(error.get("traceback", []))
    stderr = "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("name") == "stderr").strip()
    lines = stderr.splitlines()
    # Node prints "<Name>Error: message" (the message may span lines), then "    at ..." frames.
    start = next((i for i, line in enumerate(lines) if ERROR_HEADER.match(line)), None)
    if start is None:
        return "Error", stderr or "the cell failed without a message", ""
    frames = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("    at ")), len(lines))
    name, first = ERROR_HEADER.match(lines[start]).groups()
    return name, "\n".join([first] + lines[start + 1:frames]), "\n".join(lines[frames:])


def main():
    source, target, workdir, timeout = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    nb = nbformat.read(source, as_version=4)
    code_cells = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    position = {index: n for n, index in enumerate(code_cells)}

    running = {"cell": None}

    def on_cell_start(cell, cell_index, **_):
        if cell_index not in position:  # nbclient calls the hook for markdown cells too
            return
        running["cell"] = cell_index
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
    except CellExecutionError:
        failed = running["cell"]
        ename, evalue, traceback = cell_error(nb.cells[failed])
        write_atomic(nb, target)
        emit(event="error", index=position[failed] + 1, ename=ename, evalue=evalue, traceback=traceback)
        sys.exit(1)
    write_atomic(nb, target)
    emit(event="done")


if __name__ == "__main__":
    main()
