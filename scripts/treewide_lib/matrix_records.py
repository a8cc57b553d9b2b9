"""A matrix run's records: cell records written as each cell ends, merged
into matrix.json and matrix.md (their text is records.py's), and sparse's
findings compared."""

import json
import re
import shutil
import threading
from collections import Counter
from pathlib import Path
from typing import Any

from .kbuild import table
from .kbuild.diagnostics import Diag
from .records import MATRIX_FAILED, MATRIX_SCHEMA, CellRecord, matrix_markdown
from .txn import write_atomic


def exit_status(data: dict[str, Any]) -> int:
    return 1 if any(r["status"] in MATRIX_FAILED for r in data["cells"]) else 0


def clear_records(out: Path) -> None:
    shutil.rmtree(out / "cells", ignore_errors=True)


# What treewide-diag keeps of a sparse that could not run or did not finish.
_SPARSE_NOT_RUN = re.compile(r"^sparse (timed out after|exited with status) ")


def sparse_compared(base: Counter[Diag], patched: Counter[Diag]) -> dict[str, Any]:
    """Sparse's warnings compared by identity. An object sparse did not
    finish on (either tree) was not checked: listed apart, never counted
    as a warning that stayed the same."""
    unchecked = {d.file for d in base + patched if _SPARSE_NOT_RUN.match(d.msg)}
    sb, sp = (
        Counter({d: n for d, n in c.items() if d.file not in unchecked}) for c in (base, patched)
    )
    return {
        "new": sorted(map(str, sp - sb)),
        "gone": sorted(map(str, sb - sp)),
        "unchanged": sum((sb & sp).values()),
        "not_checked": sorted(unchecked),
    }


_WRITING = threading.Lock()


def write(out: Path, records: list[CellRecord], skips: dict[str, str]) -> None:
    with _WRITING:
        _write(out, records, skips)


def _write(out: Path, records: list[CellRecord], skips: dict[str, str]) -> None:
    cells = out / "cells"
    cells.mkdir(parents=True, exist_ok=True)
    for r in records:
        write_atomic(cells / f"{r['cell']}.json", json.dumps(r, indent=2) + "\n")
    merge(out, [out], skips)


def merge(out: Path, dirs: list[Path], skips: dict[str, str] | None = None) -> dict[str, Any]:
    """matrix.json and matrix.md from every cell record under dirs (shards);
    the skipped arches are those the shards' matrix.json list."""
    records = {}
    for d in dirs:
        for f in sorted(Path(d).glob("cells/*.json")):
            records[f.stem] = json.loads(f.read_text())
        if skips is None and (Path(d) / "matrix.json").is_file():
            skips = json.loads((Path(d) / "matrix.json").read_text()).get("skipped_arches")
    out.mkdir(parents=True, exist_ok=True)
    (out / "cells").mkdir(exist_ok=True)
    for name, r in records.items():
        write_atomic(out / "cells" / f"{name}.json", json.dumps(r, indent=2) + "\n")
    if skips is None:                      # shards that kept only their cells/
        skips = table.load().no_cell
    data = {
        "schema": MATRIX_SCHEMA,
        "cells": [records[k] for k in sorted(records)],
        "skipped_arches": skips,
    }
    write_atomic(out / "matrix.json", json.dumps(data, indent=2) + "\n")
    (out / "matrix.md").write_text(matrix_markdown(list(records.values()), skips))
    return data
