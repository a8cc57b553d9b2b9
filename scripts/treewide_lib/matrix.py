"""The build-test matrix: every arch x config cell, baseline and patched.

Per cell: configure both trees alike and build the selected objects
(kbuild/select.py) or everything (cellbuild.py, every make through one
shared jobserver), compare diagnostics by identity, sparse warnings the
same way, and for no-op series the object code of every object built in
both, per function (objcode.py). The records, and the lines a page or a
terminal shows of them, are matrix_records.py's.
"""

import dataclasses
import json
import re
import shlex
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from collections import Counter
from collections.abc import Iterator
from typing import Any, Callable

from . import copies, each_commit, recipe
from .cellbuild import (MakeFailed, build_one_tree, build_tree, compiler_of, configure,
                        failed_objects, last_error, link_targets, retry_failures, unresolved)
from .errors import ToolError
from .kbuild import config, make
from .kbuild.diagnostics import Diag
from .kbuild.make import Vars
from .kbuild.jobserver import CellTimeout, Jobserver
from .kbuild.select import IncludeGraph, against_build, objects
from .kbuild.table import Cell, Fixup, Table
from .matrix_records import sparse_compared, write
from .objcode import compare_code
from .progress import Progress
from .records import CellRecord
from .tree import Tree

Log = Callable[[str, str], Any]        # log(cell, what it is doing)
PerTree = dict[str, Counter[Diag]]     # {tree label: its diagnostics}


@dataclass(frozen=True)
class Options:
    """What the command line asked of a matrix run."""
    jobs: int
    full: bool = False                  # make all, not the selected objects
    check_selection: bool = False       # the baseline whole, and what the selection would miss
    link: bool = False                  # vmlinux and modpost too
    sparse: bool = True
    no_sparse_why: str = ""
    compare_code: bool = True           # the no-op steps' object code
    cell_timeout: int | None = None     # s
    parallel: int = 2                   # cells at once
    reproduce: str = ""                 # the command that reruns a cell (its name appended)


@dataclass(frozen=True)
class Run:
    """One matrix run: its options, and the trees and facts every cell reads."""
    options: Options
    out: Path
    table: Table
    version: str
    baseline: Path
    patched: Path
    before_noop: Path | None  # the no-op steps' code is compared with it
    code: dict[str, Any] | None  # {"against": tree label or None, "why": ...}; None: no no-op step
    fixups: list[Fixup]  # the arch table's fixups applied to the copies
    changed: list[str]  # files the series changes
    diff: str
    graph: IncludeGraph
    jobserver: Jobserver
    commits_git: Path | None = None     # --each-commit: the repository and its commits
    commits: list[dict[str, Any]] = field(default_factory=list)
    deadline: float | None = None       # of the cell being built (time.monotonic())

    @property
    def work(self) -> Path:
        return self.out / "build"


def shard(names: list[str], spec: str | None) -> list[str]:
    """The cells of shard 'i/N' (1-based), round robin over the sorted names,
    in the order given (the order they run in)."""
    m = re.fullmatch(r"(\d+)/(\d+)", spec or "1/1")
    if not m or not 1 <= int(m.group(1)) <= int(m.group(2)):
        raise ToolError(f"bad shard '{spec}'", "pass --shard i/N with 1 <= i <= N")
    i, n = int(m.group(1)), int(m.group(2))
    mine = {c for k, c in enumerate(sorted(names)) if k % n == i - 1}
    return [c for c in names if c in mine]


def prepare(base: Tree, out: Path, opts: Options, table: Table, rec: recipe.Recipe) -> Run:
    """The trees of a run under OUT: the patched copy, the tree before the
    no-op steps where their code is compared with it, the baseline copy."""
    patched = copies.patched_copy(base, out, rec, opts.jobs)
    rep = json.loads((out / "apply" / "apply.json").read_text())
    done = {s["name"] for s in rep["steps"] if s["status"] == "applied"}
    applied = [st for st in rec.steps if st.name in done]
    before, code = copies.code_reference(base, out, rec, applied, opts.jobs, opts.compare_code)
    baseline, fixups = copies.baseline_copy(base, [patched, before], out, table.fixups)
    steps = ", ".join(st.name + (" (no-op)" if st.noop else "") for st in applied) or "none"
    print(f"matrix: {base.name} ({base.version}), steps {steps}"
          + (f"; object code {code['why']}" if code else ""))
    diff = (out / "apply" / "apply.diff").read_text(errors="replace")
    return Run(opts, out, table, base.version, baseline, patched.root,
               before.root if before else None,
               code, fixups, rep["changed_files"], diff, IncludeGraph(base.root),
               Jobserver(opts.jobs))


class _Phases(dict):
    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        t0 = time.monotonic()
        yield
        self[name] = round(self.get(name, 0) + time.monotonic() - t0, 1)


def run_cell(cell: Cell, run: Run, log: Callable = print) -> CellRecord:
    """One cell: a JSON-able record. With a cell timeout, a cell still
    building then is stopped and recorded as "timeout"."""
    t0 = time.monotonic()
    rec: CellRecord = {"cell": cell.name, "arch": cell.arch, "defconfig": cell.defconfig,
                       "why": cell.why,
                       "reproduce": f"{run.options.reproduce} --cell {shlex.quote(cell.name)}"}
    limit = run.options.cell_timeout
    try:
        _run_cell(cell, dataclasses.replace(run, deadline=t0 + limit if limit else None), log, rec)
    except CellTimeout:
        log(cell.name, f"stopped after {limit} s")
        rec.update({"status": "timeout", "reason": f"stopped after {limit} s (--cell-timeout)"})
    except MakeFailed as e:
        rec.update({"status": "error", "reason": str(e)})
    rec["duration_s"] = round(time.monotonic() - t0, 1)
    return rec


def _trees(run: Run) -> dict[str, Path]:
    trees = {"baseline": run.baseline, "before-noop": run.before_noop, "patched": run.patched}
    return {label: src for label, src in trees.items() if src}


def _configure(cell: Cell, run: Run, extra: Vars, trees: dict[str, Path], outs: dict[str, Path],
               rec: CellRecord, phase: _Phases, log: Log) -> bool:
    """Configure every tree; False (rec says why) when one cannot be."""
    for label, src in trees.items():
        log(cell.name, f"configure {label}")
        with phase("configure"):
            ok, text = configure(src, outs[label], cell, extra, run.jobserver, run.deadline)
        (run.work / f"{cell.name}-{label}-prepare.log").write_text(text)
        if not ok:
            status = "baseline-broken" if label == "baseline" else "regression"
            rec.update({"status": status,
                        "reason": f"{label} configure/prepare fails: " + last_error(text)})
            return False
        # Options olddefconfig dropped would take their objects out of the cell without a word.
        rec["config"], lost = config.values(outs[label], cell)
        if lost:
            why = config.lost_options(src, lost, cell.arch)
            rec.update({"status": "config-lost", "reason": f"{label}: {why}"})
            return False
    return True


def _run_cell(cell: Cell, run: Run, log: Log, rec: CellRecord) -> None:
    opts = run.options
    extra, why = run.table.quirks_for(run.version, cell.arch)
    rec.update({"compiler": compiler_of(cell), "quirks": why,
                "fixups": [f.why for f in run.fixups if not f.arches or cell.arch in f.arches]})
    trees = _trees(run)
    outs = {label: copies.build_dir(src, cell.name) for label, src in trees.items()}
    phase = _Phases()
    rec["phases"] = phase
    if not _configure(cell, run, extra, trees, outs, rec, phase, log):
        return
    with phase("select"):
        selected, candidates, targets = objects(run.baseline, outs["baseline"], cell.arch,
                                                run.changed, run.diff, run.graph, cell.targets)
    linking = [] if opts.full else link_targets(outs["baseline"], opts.link)
    objs, targets = (None, ["all"]) if opts.full else (selected, targets)
    rec.update({"selected": len(selected), "candidates": candidates,
                "link": f"linked: make {' '.join(linking or targets)}" if linking or opts.full
                else "not linked (--link: vmlinux and modpost)"})
    if opts.check_selection:                 # the baseline built whole is all the check needs
        trees = {"baseline": trees["baseline"]}
    built, diags, sparse = _build(cell, run, extra, trees, outs, objs, targets, linking, phase, log)
    if opts.full:
        rec["selection_check"] = against_build(run.baseline, outs["baseline"], cell.arch,
                                               run.changed, run.diff, selected)
    if opts.check_selection:
        rec["status"] = "selection-misses" if rec["selection_check"]["missed"] else "ok"
        return
    rec["flaky"] = retry_failures(cell, trees, outs, built, (diags, sparse), objs, extra, run, log)
    b, p = diags["baseline"], diags["patched"]
    rec.update({"new": sorted(map(str, p - b)), "gone": sorted(map(str, b - p)),
                "unchanged": sum((b & p).values()), "objects_built": len(built["patched"]),
                "new_failures": sorted(built["baseline"] - built["patched"]),
                "preexisting_failures": failed_objects(objs, built["baseline"], b)})
    with phase("references"):
        rec["unresolved"] = unresolved(cell, outs, built, run.patched, rec["preexisting_failures"])
    _compare_code(cell, run, outs, built, rec, phase, log)
    if run.commits:
        def build_at(src: Path, out: Path) -> tuple[bool, str, set[str], Counter[Diag]]:
            return build_one_tree(src, out, cell, extra, objs, targets, run,
                                  lambda what: log(cell.name, f"commit build: {what}"))
        with phase("commits"):
            rec["commits"] = each_commit.build_commits(cell.name, run, run.baseline, b, objs,
                                                       build_at, log)
    rec["sparse"] = (sparse_compared(sparse["baseline"], sparse["patched"]) if opts.sparse
                     else "not run: " + opts.no_sparse_why)
    rec["make"] = " && ".join(
        shlex.join(make.command(run.patched, outs["patched"], cell, extra, opts.jobs, *goals,
                                sparse=checked))
        for goals, checked in ((targets, opts.sparse), (linking, False)) if goals)
    rec["status"] = "regression" if _regressed(rec) else "ok"


def _build(cell: Cell, run: Run, extra: Vars, trees: dict[str, Path], outs: dict[str, Path],
           objs: list[str] | None, targets: list[str], linking: list[str], phase: _Phases,
           log: Log) -> tuple[dict[str, set[str]], PerTree, PerTree]:
    """Build every tree: ({tree: built objects}, {tree: diagnostics}, {tree: sparse's})."""
    diags, built, sparse = {}, {}, {}
    for label, src in trees.items():
        log(cell.name, f"build {label}: {len(targets)} target(s)")
        only_code = label == "before-noop"           # only its object code is compared
        with phase("build"):
            text, built[label], diags[label], sparse[label] = build_tree(
                src, outs[label], cell, extra, objs, targets, run,
                run.options.sparse and not only_code,
                lambda what: log(cell.name, f"build {label}: {what}"),
                link=[] if only_code else linking)
        (run.work / f"{cell.name}-{label}.log").write_text(text)
    return built, diags, sparse


def _regressed(rec: CellRecord) -> bool:
    sparse = rec["sparse"]
    return bool(rec["new"] or rec["new_failures"] or rec["unresolved"]
                or (rec.get("code") or {}).get("differs")
                or (isinstance(sparse, dict) and sparse["new"])
                or any(c["status"] != "ok" for c in rec.get("commits", [])))


def _compare_code(cell: Cell, run: Run, outs: dict[str, Path], built: dict[str, set[str]],
                  rec: CellRecord, phase: _Phases, log: Log) -> None:
    """The no-op steps' object code, per function, against the tree they must match."""
    ref = (run.code or {}).get("against")
    if ref:
        log(cell.name, f"compare object code with {ref}")
        both = sorted(built[ref] & built["patched"])
        with phase("compare"):
            differs = compare_code(f"{cell.cross_compile}objdump", outs[ref], outs["patched"], both,
                                   run.work / f"{cell.name}-code.json")
        rec["code"] = {"compared": len(both), "differs": differs, "against": ref}
    elif run.code:
        rec["code"] = {"compared": 0, "differs": [], "not_compared": run.code["why"]}


def run_all(names: list[str], run: Run) -> list[CellRecord]:
    """Every cell, options.parallel at once, each record written as soon as it is done."""
    progress = Progress(len(names))

    def one(name: str) -> CellRecord:
        t0 = time.monotonic()
        r = run_cell(run.table.cells[name], run, log=progress)
        write(run.out, [r], run.table.no_cell)
        reason = f": {r['reason']}" if r.get("reason") else ""
        progress.finished(name, f"{name}: {r['status']}{reason} ({time.monotonic() - t0:.0f} s)")
        return r

    run.work.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(max_workers=max(run.options.parallel, 1)) as pool:
        try:
            records = list(pool.map(one, names))
        except BaseException:
            run.jobserver.stop_all()
            raise
    progress.close()
    return records
