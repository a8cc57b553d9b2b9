"""The build-test matrix: every arch x config cell, baseline and patched.

Per cell: configure both trees alike and build the selected objects
(select.py) or everything (cellbuild.py, every make through one shared
jobserver.py), compare diagnostics by identity, sparse warnings the same
way, and for no-op series the object code of every object built in both,
per function (objcode.py). The records, and the lines a page or a
terminal shows of them, are matrix_records.py's.
"""

import re
import shlex
import shutil
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from . import buildcheck, copies, each_commit, select
from .cellbuild import (MakeFailed, build_one_tree, build_tree, compiler_of, configure, failed_objects, last_error,
                        link_targets, retry_failures, unresolved)
from .errors import ToolError
from .jobserver import CellTimeout
from .matrix_records import sparse_compared, write
from .objcode import compare_code

MARK = ".treewide-matrix"                 # in every OUT a matrix run wrote


def shard(names, spec):
    """The cells of shard 'i/N' (1-based), round robin over the sorted names,
    in the order given (the order they run in)."""
    m = re.fullmatch(r"(\d+)/(\d+)", spec or "1/1")
    if not m or not 1 <= int(m.group(1)) <= int(m.group(2)):
        raise ToolError(f"bad shard '{spec}'", "pass --shard i/N with 1 <= i <= N")
    i, n = int(m.group(1)), int(m.group(2))
    mine = {c for k, c in enumerate(sorted(names)) if k % n == i - 1}
    return [c for c in names if c in mine]


def for_tree(root, cells, skips):
    """The cells and skipped arches of this tree's arch/: an arch without a
    row in the table is listed as skipped for that reason, never dropped;
    a cell whose arch the tree lacks (riscv before 4.15) is left out, listed."""
    here = {d.name for d in (Path(root) / "arch").iterdir() if d.is_dir()}
    with_cells = {c["arch"] for c in cells.values()}
    out = {a: why for a, why in skips.items() if a in here}
    out |= {a: "no row in the arch table (scripts/data/arches.toml): add one" for a in here - with_cells - set(skips)}
    out |= {a: f"the tree has no arch/{a}" for a in with_cells - here}
    return {n: c for n, c in cells.items() if c["arch"] in here}, out


class _Phases(dict):
    @contextmanager
    def __call__(self, name):
        t0 = time.monotonic()
        yield
        self[name] = round(self.get(name, 0) + time.monotonic() - t0, 1)


def run_cell(name, cell, ctx, log=print):
    """One cell: a JSON-able record. With ctx["cell_timeout"] (s), a cell
    still building then is stopped and recorded as "timeout"."""
    t0 = time.monotonic()
    rec = {"cell": name, "arch": cell["arch"], "defconfig": cell["defconfig"], "why": cell["why"],
           "reproduce": f"{ctx['reproduce']} --cell {shlex.quote(name)}"}
    limit = ctx.get("cell_timeout")
    try:
        return _run_cell(name, cell, dict(ctx, deadline=t0 + limit if limit else None), log, rec, t0)
    except CellTimeout:
        log(name, f"stopped after {limit} s")
        rec.update(status="timeout", reason=f"stopped after {limit} s (--cell-timeout)",
                   duration_s=round(time.monotonic() - t0, 1))
        return rec
    except MakeFailed as e:
        rec.update(status="error", reason=str(e), duration_s=round(time.monotonic() - t0, 1))
        return rec


def _run_cell(name, cell, ctx, log, rec, t0):
    extra, why = buildcheck.quirks_for(ctx["quirks"], ctx["version"], cell["arch"])
    fixups = [f["why"] for f in ctx["fixups"] if cell["arch"] in f.get("arches", [cell["arch"]])]
    rec.update(compiler=compiler_of(cell), quirks=why, fixups=fixups)
    trees = {"baseline": ctx["baseline"],
             "before-noop": ctx.get("before_noop"),      # the no-op steps' code is compared with it
             "patched": ctx["patched"]}
    trees = {label: src for label, src in trees.items() if src}
    outs = {label: copies.build_dir(src, name) for label, src in trees.items()}
    phase = rec["phases"] = _Phases()
    for label, src in trees.items():
        log(name, f"configure {label}")
        with phase("configure"):
            ok, text = configure(src, outs[label], cell, extra, ctx["jobserver"], ctx["deadline"])
        (ctx["work"] / f"{name}-{label}-prepare.log").write_text(text)
        if not ok:
            status = "baseline-broken" if label == "baseline" else "regression"
            rec.update(status=status, reason=f"{label} configure/prepare fails: " + last_error(text),
                       duration_s=round(time.monotonic() - t0, 1))
            return rec
        # Options olddefconfig dropped would take their objects out of the cell without a word.
        rec["config"], lost = buildcheck.config_values(outs[label], cell)
        if lost:
            rec.update(status="config-lost", duration_s=round(time.monotonic() - t0, 1),
                       reason=f"{label}: {buildcheck.lost_options(src, lost, cell['arch'])}")
            return rec
    with phase("select"):
        selected, candidates, targets = select.objects(trees["baseline"], outs["baseline"], cell["arch"],
                                                       ctx["changed"], ctx["diff"], ctx["graph"],
                                                       extra=cell["targets"])
    linking = [] if ctx["full"] else link_targets(outs["baseline"], ctx)
    objs, targets = (None, ["all"]) if ctx["full"] else (selected, targets)
    rec.update(selected=len(selected), candidates=candidates,
               link=f"linked: make {' '.join(linking or targets)}" if linking or ctx["full"] else
               "not linked (--link: vmlinux and modpost)")
    if ctx["check_selection"]:                 # the baseline built whole is all the check needs
        trees = {"baseline": trees["baseline"]}
    diags, built, sparse = {}, {}, {}
    for label, src in trees.items():
        log(name, f"build {label}: {len(targets)} target(s)")
        with phase("build"):
            text, built[label], diags[label], sparse[label] = build_tree(
                src, outs[label], cell, extra, objs, targets,
                dict(ctx, sparse=False) if label == "before-noop" else ctx,     # only its code is compared
                lambda what: log(name, f"build {label}: {what}"), link=[] if label == "before-noop" else linking)
        (ctx["work"] / f"{name}-{label}.log").write_text(text)
    if ctx["full"]:
        rec["selection_check"] = select.against_build(trees["baseline"], outs["baseline"], cell["arch"], ctx["changed"],
                                                      ctx["diff"], selected)
    if ctx["check_selection"]:
        missed = rec["selection_check"]["missed"]
        rec.update(status="selection-misses" if missed else "ok", duration_s=round(time.monotonic() - t0, 1))
        return rec
    rec["flaky"] = retry_failures(name, trees, outs, built, (diags, sparse), objs, cell, extra, ctx, log)
    b, p = diags["baseline"], diags["patched"]
    rec.update(new=sorted(map(str, p - b)), gone=sorted(map(str, b - p)), unchanged=sum((b & p).values()),
               objects_built=len(built["patched"]),
               new_failures=sorted(built["baseline"] - built["patched"]),
               preexisting_failures=failed_objects(objs, built["baseline"], b))
    with phase("references"):
        rec["unresolved"] = unresolved(cell, outs, built, trees["patched"], rec["preexisting_failures"])
    ref = (ctx.get("code") or {}).get("against")
    if ref:
        log(name, f"compare object code with {ref}")
        both = sorted(built[ref] & built["patched"])
        with phase("compare"):
            differs = compare_code(f"{cell['cross_compile']}objdump", outs[ref], outs["patched"], both,
                                   ctx["work"] / f"{name}-code.json")
        rec["code"] = {"compared": len(both), "differs": differs, "against": ref}
    elif ctx.get("code"):
        rec["code"] = {"compared": 0, "differs": [], "not_compared": ctx["code"]["why"]}
    if ctx.get("commits"):
        def build_at(src, out):
            return build_one_tree(src, out, cell, extra, objs, targets, ctx, lambda what: log(name, f"commit build: {what}"))
        with phase("commits"):
            rec["commits"] = each_commit.run(name, ctx, trees["baseline"], b, objs, build_at, log)
    if ctx["sparse"]:
        rec["sparse"] = sparse_compared(sparse["baseline"], sparse["patched"])
    else:
        rec["sparse"] = "not run: " + ctx["no_sparse_why"]
    rec["make"] = " && ".join(shlex.join(buildcheck.make_command(trees["patched"], outs["patched"], cell, extra,
                                                                 ctx["jobs"], *goals, sparse=sparse))
                              for goals, sparse in ((targets, ctx["sparse"]), (linking, False)) if goals)
    commits_bad = any(c["status"] != "ok" for c in rec.get("commits", []))
    bad = rec["new"] or rec["new_failures"] or rec["unresolved"] or (rec.get("code") or {}).get("differs") or (
        isinstance(rec["sparse"], dict) and rec["sparse"]["new"]) or commits_bad
    rec["status"] = "regression" if bad else "ok"
    rec["duration_s"] = round(time.monotonic() - t0, 1)
    return rec


class Progress:
    """Counts and elapsed time: a status line rewritten in place on a
    terminal, plain lines elsewhere (CI logs)."""

    def __init__(self, total, stream=sys.stdout):
        self.total, self.done, self.running = total, 0, {}
        self.t0, self.stream, self.tty = time.monotonic(), stream, stream.isatty()
        self.lock = threading.Lock()

    def __call__(self, cell, what):
        with self.lock:
            self.running[cell] = what
            self._show(f"{cell}: {what}")

    def finished(self, cell, line):
        with self.lock:
            self.done += 1
            self.running.pop(cell, None)
            self._show(line, keep=True)

    def _show(self, line, keep=False):
        head = f"[{self.done}/{self.total} {int(time.monotonic() - self.t0) // 60}:" \
               f"{int(time.monotonic() - self.t0) % 60:02d}]"
        if not self.tty:
            print(f"{head} {line}", file=self.stream, flush=True)
            return
        status = "; ".join(f"{c}: {w}" for c, w in sorted(self.running.items()))
        cols = shutil.get_terminal_size().columns
        if keep:
            print(f"\r\033[K{head} {line}", file=self.stream)
        print(f"\r\033[K{head} {status}"[:cols + 4], end="", file=self.stream, flush=True)


def run_all(names, cells, ctx, out, skips, parallel):
    """Every cell, `parallel` at once, each record written as soon as it is done."""
    progress = Progress(len(names))

    def one(name):
        t0 = time.monotonic()
        r = run_cell(name, cells[name], ctx, log=progress)
        write(out, [r], skips)
        progress.finished(name, f"{name}: {r['status']}{': ' + r['reason'] if r.get('reason') else ''} "
                                f"({time.monotonic() - t0:.0f} s)")
        return r

    with ThreadPoolExecutor(max_workers=max(parallel, 1)) as pool:
        try:
            records = list(pool.map(one, names))
        except BaseException:
            ctx["jobserver"].stop_all()
            raise
    if progress.tty:
        print()
    return records
