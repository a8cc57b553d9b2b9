"""A matrix run's records: the statuses that fail a cell, cell records
merged into matrix.json and matrix.md, and the findings as lines (what the
review page shows of a cell, without importing the build machinery)."""

import json
import re
import shutil
import threading
from collections import Counter
from pathlib import Path

from . import each_commit
from .kbuild import table
from .txn import write_atomic


FAILED = ("regression", "selection-misses", "timeout", "config-lost", "error")


def exit_status(data):
    return 1 if any(r["status"] in FAILED for r in data["cells"]) else 0


def clear_records(out):
    shutil.rmtree(out / "cells", ignore_errors=True)


# What treewide-diag keeps of a sparse that could not run or did not finish.
_SPARSE_NOT_RUN = re.compile(r"^sparse (timed out after|exited with status) ")


def sparse_compared(base, patched):
    """Sparse's warnings compared by identity. An object sparse did not
    finish on (either tree) was not checked: listed apart, never counted
    as a warning that stayed the same."""
    unchecked = {d.file for d in base + patched if _SPARSE_NOT_RUN.match(d.msg)}
    sb, sp = (Counter({d: n for d, n in c.items() if d.file not in unchecked}) for c in (base, patched))
    return {"new": sorted(map(str, sp - sb)), "gone": sorted(map(str, sb - sp)),
            "unchanged": sum((sb & sp).values()), "not_checked": sorted(unchecked)}


def markdown(records, skips):
    out = ["| cell | arch | status | new | gone | sparse new | unresolved new | pre-existing failures | objects | code "
           "| commits | time |", "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in sorted(records, key=lambda r: r["cell"]):
        code = code_summary(r.get("code"))
        out.append(f"| {r['cell']} | {r['arch']} | {r['status']}{': ' + r['reason'] if r.get('reason') else ''} "
                   f"| {len(r.get('new', []))} | {len(r.get('gone', []))} | {_sparse_new(r)} "
                   f"| {len(r['unresolved']) if 'unresolved' in r else '-'} "
                   f"| {len(r.get('preexisting_failures', []))} "
                   f"| {r.get('objects_built', 0)}/{r.get('selected', 0)} | {code} | {commits_summary(r)} "
                   f"| {r.get('duration_s', 0)} s |")
    out += ["", "Skipped arches:", ""] + [f"- {a}: {why}" for a, why in sorted(skips.items())]
    return "\n".join(out + details(records)) + "\n"


def code_summary(code):
    if not code:
        return "-"
    if code.get("not_compared"):
        return "not compared"
    return f"{len(code['differs'])} differ" if code["differs"] else "identical"


def commits_summary(r):
    if "commits" not in r:
        return "-"
    ok = sum(c["status"] == "ok" for c in r["commits"])
    return f"{ok}/{len(r['commits'])} ok"


def details(records):
    """One line per finding: what a failing cell shows, and what was already broken."""
    out = []
    for r in sorted(records, key=lambda r: r["cell"]):
        chk = r.get("selection_check")
        if chk:
            out.append(f"- SELECTION CHECK in {r['cell']}: the full build compiled {chk['compiled']} objects, the "
                       f"change reaches {chk['reached']}, the selection has {chk['selected']}; missed "
                       f"{len(chk['missed'])} {' '.join(chk['missed'])}; selected but not compiled "
                       f"{len(chk['selected_not_compiled'])} {' '.join(chk['selected_not_compiled'])}")
        sparse = r.get("sparse") if isinstance(r.get("sparse"), dict) else {}
        for label, found in [("NEW", r.get("new", [])), ("SPARSE NEW", sparse.get("new", [])),
                             ("CODE DIFFERS", (r.get("code") or {}).get("differs", [])),
                             ("NEW UNRESOLVED REFERENCE", r.get("unresolved", [])),
                             ("failed once, built on a retry", r.get("flaky", [])),
                             ("pre-existing failure", r.get("preexisting_failures", []))]:
            out += [f"- {label} in {r['cell']}: {d}" for d in found]
        if (r.get("code") or {}).get("not_compared"):
            out.append(f"- object code in {r['cell']} {r['code']['not_compared']}")     # "not compared: why"
        if sparse.get("not_checked"):
            out.append(f"- SPARSE DID NOT FINISH in {r['cell']} (not checked): {' '.join(sparse['not_checked'])}")
        out += each_commit.details(r["cell"], r.get("commits", []))
    return out


def _sparse_new(r):
    sp = r.get("sparse")
    if not isinstance(sp, dict):
        return "-"
    return f"{len(sp['new'])}" + (f" ({len(sp['not_checked'])} not checked)" if sp.get("not_checked") else "")


_WRITING = threading.Lock()


def write(out, records, skips):
    with _WRITING:
        _write(out, records, skips)


def _write(out, records, skips):
    cells = out / "cells"
    cells.mkdir(parents=True, exist_ok=True)
    for r in records:
        write_atomic(cells / f"{r['cell']}.json", json.dumps(r, indent=2) + "\n")
    merge(out, [out], skips)


def merge(out, dirs, skips=None):
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
    data = {"schema": "treewide-matrix/1", "cells": [records[k] for k in sorted(records)], "skipped_arches": skips}
    write_atomic(out / "matrix.json", json.dumps(data, indent=2) + "\n")
    (out / "matrix.md").write_text(markdown(list(records.values()), skips))
    return data
