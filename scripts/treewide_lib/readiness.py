"""When a series is ready to send: every build cell of the tree's arch
table built every commit without a new diagnostic, every boot machine of
the arches the series touches booted ok, and the Xen dom0 machines did
where the series carries the Xen step. What a series needs is decided
when it is made (series.json "needs"); what ran is read from OUT/matrix
and OUT/boot whenever the page or the mail is brought up to date."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .kbuild import table


XEN_STEP = "xen-preserve-dma-ops"


def needs(tree_root: Path, commits: list[dict[str, Any]]) -> dict[str, list[str]]:
    """{"cells": [...], "machines": [...], "xen": [...]}: the arch table's
    cells for this tree; the boot machines of the arches whose files the
    series changes (of every arch with a machine when it changes generic
    code, which every arch builds); the Xen dom0 machines if the Xen step
    is in the series."""
    arches = table.load().for_tree(tree_root)
    cells, machines = arches.cells, arches.machines
    files = [f for c in commits for f in c["files"]]
    changed_arches = {f.split("/")[1] for f in files if f.startswith("arch/") and f.count("/") > 1}
    generic = any(not f.startswith("arch/") for f in files)
    touched = sorted(n for n, m in machines.items() if generic or m.arch in changed_arches)
    xen = sorted(n for n, m in machines.items() if m.hypervisor) \
        if any(c["step"] == XEN_STEP for c in commits) else []
    return {"cells": sorted(cells), "machines": [n for n in touched if n not in xen], "xen": xen}


def missing(need: dict[str, list[str]], cells: list[dict[str, Any]] | None,
            boots: list[dict[str, Any]] | None, patches: list[dict[str, Any]]) -> list[str]:
    """What keeps a series from being ready, each in a few words ([]: ready)."""
    out = [] if cells is not None else ["the build matrix has not run: make matrix"]
    ran = {c["cell"]: c for c in cells or []}
    not_run = [c for c in need["cells"] if c not in ran]
    if not_run and cells is not None:
        out.append(
            f"{len(not_run)} of {len(need['cells'])} build cells not run ({_some(not_run)}): make"
            " matrix"
        )
    per_commit = [
        c for c in need["cells"] if c in ran and len(ran[c].get("commits", [])) < len(patches)
    ]
    if per_commit:
        out.append(f"{len(per_commit)} cell(s) not built at every commit ({_some(per_commit)}): "
                   "make matrix EACH_COMMIT=1")
    broken = [c for c in need["cells"] if c in ran and ran[c]["status"] == "baseline-broken"]
    if broken:
        out.append(
            f"{len(broken)} cell(s) whose baseline does not build, so nothing was checked there "
            f"({_some(broken)})"
        )
    booted = {b["machine"]: b["status"] for b in boots or []}
    for kind, names in (("boot machine", need["machines"]), ("Xen dom0 probe", need["xen"])):
        left = [n for n in names if booted.get(n) not in ("ok", "fixed")]
        if left:
            said = ", ".join(f"{n} {booted.get(n, 'not run')}" for n in left)
            out.append(f"{len(left)} {kind}(s) not passed ({said}): make boot")
    return out


def _some(names, n=4):
    return ", ".join(names[:n]) + (f" and {len(names) - n} more" if len(names) > n else "")
