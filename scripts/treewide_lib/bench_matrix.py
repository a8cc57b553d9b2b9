"""make bench-matrix: how long the build-test matrix takes on this machine.

Three runs of `treewide matrix` against one private ccache (OUT/ccache, so
the user's cache neither helps nor suffers):
  cold        empty ccache, new build directories
  warm        the same OUT again: incremental builds, nothing changed
  warm-cache  ccache warm, new build directories (a fresh CI shard)
then one cell's baseline built whole (--check-selection; or read from an
earlier --full or --check-selection run with --full-from) to count the
objects the change reaches that the selection missed.
With --series, every run also builds each commit of that series
(--each-commit), and the figures give the walk's cost beside the plain
build's.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
from pathlib import Path

from . import bench_run, each_commit, outdir
from .errors import ToolError


def _matrix(ksrc, out, log, ccache, jobs, cells, flags=()):
    flags = [a for c in cells or [] for a in ("--cell", c)] + list(flags)
    return bench_run.timed("matrix", ksrc, out, log, ccache, jobs, flags, "cells")


def _mmss(s):
    return f"{int(s) // 60}m{int(s) % 60:02d}s"


def series_range(series_out: Path | str) -> list[str]:
    """The matrix flags that build each commit of the series in series_out:
    the bench's matrix OUTs are not inside it, so it is named as a range."""
    series_out = Path(series_out).resolve()
    found = each_commit.from_series(series_out)
    if found is None:
        raise ToolError(f"{series_out} holds no series (no series.json)",
                        "pass as SERIES the OUT of `treewide series` made from the same tree")
    data = json.loads((series_out / "series.json").read_text())
    return ["--range", f"{data['base']}..{data['tip']}", "--git", str(found[0])]


def _commit_times(cells):
    """Per cell: its commits' verdicts and build times, in order."""
    return "; ".join(
        f"{c['cell']} {sum(x['status'] == 'ok' for x in c['commits'])}/{len(c['commits'])} ok "
        + " ".join(_mmss(x.get("duration_s", 0)) for x in c["commits"])
        for c in cells
        if "commits" in c
    )


def _phase_totals(cells):
    totals: dict[str, float] = {}
    for c in cells:
        for k, v in (c.get("phases") or {}).items():
            totals[k] = totals.get(k, 0) + v
    return " ".join(f"{k} {_mmss(v)}" for k, v in totals.items())


def _full_from(out):
    """The cells of an earlier --full/--check-selection matrix run, read before an hour is spent."""
    try:
        cells = json.loads((Path(out) / "matrix.json").read_text())["cells"]
    except (OSError, ValueError, KeyError) as e:
        raise ToolError(f"cannot read {out}/matrix.json: {e}", "pass as FULL_FROM the OUT of a "
                        "`treewide matrix --check-selection` run") from None
    if not any(c.get("selection_check") for c in cells):
        raise ToolError(f"{out} has no full build (no cell with a selection check)",
                        "pass as FULL_FROM the OUT of a `treewide matrix --check-selection` run")
    return cells


def run(args: argparse.Namespace) -> int:
    work = Path(args.out).resolve()
    work = outdir.check(work, [args.ksrc], "bench-matrix")
    ccache = work / "ccache"
    full_from = _full_from(args.full_from) if args.full_from else None
    flags = ["--link"] * args.link + ["--no-sparse"] * args.no_sparse
    if args.series:                         # read before the work directory is emptied
        flags += series_range(args.series)
    shutil.rmtree(work, ignore_errors=True)
    ccache.mkdir(parents=True)
    outdir.claim(work, "bench-matrix")
    print(
        (
            f"bench-matrix: {args.ksrc}, {len(args.cell) if args.cell else 'all'} cell(s)"
            f" {' '.join(flags)}, -j{args.jobs}, {os.cpu_count()} CPU(s); work in {work}"
        ),
        flush=True,
    )
    results = {}
    for label, out, what in (
        ("cold", "run", "empty ccache, new build directories"),
        ("warm", "run", "same OUT again: incremental, nothing changed"),
        ("warm-cache", "run2", "ccache warm, new build directories"),
    ):
        wall, cells = _matrix(
            args.ksrc, work / out, work / f"{label}.log", ccache, args.jobs, args.cell, flags
        )
        bad = [c["cell"] for c in cells if c["status"] not in ("ok", "baseline-broken")]
        results[label] = {"wall_s": round(wall, 1), "cells": len(cells), "not_ok": bad,
                          "phases": {c["cell"]: c.get("phases") for c in cells},
                          "commit_s": {c["cell"]: [x.get("duration_s") for x in c["commits"]]
                                       for c in cells if "commits" in c}}
        print(f"  {label:<11} {_mmss(wall):>7}  {what}; {len(cells)} cells, "
              f"{sum(c.get('selected', 0) for c in cells)} targets; {_phase_totals(cells)}"
              f"{'; NOT OK: ' + ' '.join(bad) if bad else ''}", flush=True)
        if args.series:
            print(f"              each commit: {_commit_times(cells)}", flush=True)
        if label == "cold":
            slow = sorted(cells, key=lambda c: -c.get("duration_s", 0))[:4]
            print(
                "              slowest: "
                + ", ".join(
                    f"{c['cell']} {_mmss(c.get('duration_s', 0))} ({c.get('selected', 0)} targets)"
                    for c in slow
                )
            )
    if args.full_from:  # an earlier `matrix --full` run: read, do not rebuild
        wall, cells = None, full_from
    elif args.full_cell != "none":
        wall, cells = _matrix(args.ksrc, work / "full", work / "full.log", ccache, args.jobs,
                              [args.full_cell], ["--check-selection", "--no-sparse"])
    else:
        cells = []
    for c in cells:
        chk = c.get("selection_check")
        if not chk:
            continue
        results["full"] = {"cell": c["cell"], "wall_s": wall and round(wall, 1), **chk}
        missed = chk["missed"]
        print(
            f"  full build of {c['cell']} ({_mmss(wall) if wall else 'from ' + args.full_from}): "
            f"compiled {chk['compiled']} objects; the change reaches {chk['reached']}; selected "
            f"{chk['selected']}; missed {len(missed)}{': ' + ' '.join(missed) if missed else ''}; "
            f"selected but not compiled {len(chk['selected_not_compiled'])}"
        )
    (work / "bench-matrix.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"  details: {work}/bench-matrix.json, run logs beside it")
    return 0

