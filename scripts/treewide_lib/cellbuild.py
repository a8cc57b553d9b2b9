"""One tree of one cell: configure, build (incrementally, through the
shared jobserver, each object's diagnostics kept by treewide-diag), retry
what failed once, read back diagnostics, and the references the objects
leave to the link."""

import json
import re
import shlex
import subprocess
from collections import Counter
from pathlib import Path

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from . import linkrefs
from .errors import ToolError
from .kbuild import config, make
from .kbuild.diagnostics import Diag, Roots, diagnostics, make_failure, of_record, read_text
from .kbuild.jobserver import Jobserver
from .kbuild.make import Vars
from .kbuild.table import Cell

if TYPE_CHECKING:
    from .matrix import Run

Log = Callable[[str], None]
Diags = Counter[Diag]


def configure(src: Path, out: Path, cell: Cell, extra: Vars, js: Jobserver,
              deadline: float | None = None) -> tuple[bool, str]:
    """defconfig, options, olddefconfig and prepare, unless this O= directory
    was already configured by the same commands (then the build's own
    prepare dependency is enough)."""
    make.diag_tools(out, cell.cross_compile)
    steps = config.steps(src, out, cell, extra, None, wrap=True)
    stamp, key = out / ".treewide-configured", json.dumps([steps, compiler_of(cell)])
    if stamp.is_file() and stamp.read_text() == key and (out / ".config").is_file():
        return True, "already configured by the same commands\n"
    stamp.unlink(missing_ok=True)
    # A stale auto.conf is read before Kbuild regenerates it: arc 4.10's
    # Makefile stops on the old config's ISA before reaching the new one.
    (out / "include/config/auto.conf").unlink(missing_ok=True)
    logs = []
    for cmd in steps + [make.wrapped(src, out, cell, extra, None, "prepare")]:
        rc, text = js.run(cmd, deadline=deadline)
        logs.append(text)
        if rc != 0:
            return False, "\n".join(logs)
    stamp.write_text(key)
    return True, "\n".join(logs)


def failed_objects(objs: list[str] | None, built: set[str], diags: Diags) -> list[str]:
    """Objects of the selection the build did not leave, or in a full build
    (no selection) the objects whose make target failed."""
    if objs is not None:
        return sorted(o for o in objs if o not in built)
    return sorted({d.file for d in diags if d.kind == "make" and d.file.endswith(".o")})


def compiler_of(cell: Cell) -> str:
    r = subprocess.run(
        [f"{cell.cross_compile}gcc", "--version"], capture_output=True, text=True, check=False
    )
    return r.stdout.splitlines()[0] if r.returncode == 0 and r.stdout else ""


def build_tree(src: Path, out: Path, cell: Cell, extra: Vars, objs: list[str] | None,
               targets: list[str], run: "Run", sparse: bool, log: Log,
               link: Sequence[str] = ()) -> tuple[str, set[str], Diags, Diags]:
    """Build the make targets (incrementally), then the link targets (a make
    of their own, without sparse: it would check every object of the
    kernel), and read back the diagnostics of every object in objs (None:
    of every object the build compiled). Returns (log, built objects,
    compiler diagnostics, sparse diagnostics). run gives the jobserver and
    the deadline."""
    if not targets and not link:  # a bare make would build everything
        return (
            "nothing to build: the change reaches no object this config builds\n",
            set(),
            Counter(),
            Counter(),
        )
    whole, wanted = objs is None, objs or []
    if sparse:  # built before without sparse: rebuild (ccache) to check it
        for o in wanted or [str(p.relative_to(out))[:-3] for p in out.glob("**/*.o.cc")]:
            if (out / o).exists() and not (out / f"{o}.sparse").exists():
                (out / o).unlink()

    def tick() -> None:
        done = (len(list(out.glob("**/*.o.cc"))) if whole
                else sum((out / o).exists() for o in wanted))
        log(f"{done}/{'?' if whole else len(wanted)} objects built")

    start = out / ".treewide-build-start"
    start.touch()
    text = ""
    for goals, with_sparse in ((targets, sparse), (link, False)):
        if goals:
            cmd = make.wrapped(src, out, cell, extra, None, *goals, sparse=with_sparse)
            rc, more = run.jobserver.run(cmd, tick, deadline=run.deadline)
            _check_make(rc, more, cmd, (src, out))
            text += more
    if whole:
        wanted = sorted(str(p.relative_to(out))[:-3] for p in out.glob("**/*.o.cc"))
    roots = (src, out)
    logged = diagnostics(text, roots)
    cc = Counter({d: n for d, n in logged.items() if d.kind in ("make", "link")})
    cc += link_diagnostics(out, Counter({d: n for d, n in logged.items() if d.file == "(link)"}),
                           start.stat().st_mtime_ns, roots)
    sparse_found: Diags = Counter()
    for o in wanted:
        cc += of_record(out / f"{o}.cc", roots, o)
        sparse_found += of_record(out / f"{o}.sparse", roots, o)
    return text, {o for o in wanted if (out / o).exists()}, cc, sparse_found


RETRY_AT_MOST = 10      # failed objects a tree retries; past that, only those the other tree built


def retry_failures(cell: Cell, trees: dict[str, Path], outs: dict[str, Path],
                   built: dict[str, set[str]], found: tuple[dict[str, Diags], dict[str, Diags]],
                   objs: list[str] | None, extra: Vars, run: "Run",
                   log: Callable[[str, str], Any]) -> list[str]:
    """An object a tree failed to build is built once more, alone and one
    job at a time: a compiler killed, a full disk, or Kbuild compiling one
    object twice at once (it does for 6.1's arch/x86/pci/common.o when that
    is a make target of its own, and at -j2 the two compilations race on
    its dependency file) is neither a regression nor a pre-existing
    failure. A failure that does not come back is noted ("tree: its first
    diagnostic"), and the retry's diagnostics (compiler's and sparse's)
    replace the first build's, with the make failures of the directories
    above it; one that does come back stays what it is."""
    diags, sparse = found
    notes = []
    for label, other in (("baseline", "patched"), ("patched", "baseline")):
        failed = sorted(failed_objects(objs, built[label], diags[label]))
        if len(failed) > RETRY_AT_MOST:
            failed = [o for o in failed if o in built[other]]
        for o in failed:
            log(cell.name, f"build {label}: {o} again, alone")
            cmd = make.wrapped(
                trees[label], outs[label], cell, extra, 1, o, sparse=run.options.sparse
            )
            _, text = run.jobserver.run(cmd, deadline=run.deadline, serial=True)
            if not (outs[label] / o).exists():
                continue
            first = sorted(
                (d.kind == "make", str(d)) for d in diags[label] if d.file == o
            )  # the compiler's first
            roots = (trees[label], outs[label])
            above = {".", "__sub-make"} | {str(d) for d in Path(o).parents}
            again = Counter({d: n for d, n in diagnostics(text, roots).items()
                             if d.kind == "make" and d.file == o})
            again += of_record(outs[label] / f"{o}.cc", roots, o)
            diags[label] = (
                Counter(
                    {
                        d: n
                        for d, n in diags[label].items()
                        if d.file != o and not (d.kind == "make" and d.file in above)
                    }
                )
                + again
            )
            sparse[label] = Counter(
                {d: n for d, n in sparse[label].items() if d.file != o}
            ) + of_record(outs[label] / f"{o}.sparse", roots, o)
            built[label].add(o)
            notes.append(
                f"{label}: " + (first[0][1] if first else f"{o}: not built, no diagnostic")
            )
    return notes


class MakeFailed(Exception):
    pass


def _check_make(rc: int, text: str, cmd: list[str], roots: Roots) -> None:
    why = make_failure(rc, text, roots)
    if why:
        raise MakeFailed(f"{shlex.join(cmd[:2])} ... {' '.join(cmd[-3:])} {why}")


def link_diagnostics(out: Path, logged: Diags, since_ns: int, roots: Roots) -> Diags:
    """The linker's diagnostics in O=out: those of every link record ld kept
    (dir/foo.o.ld; see kbuild/make.diag_tools), whether or not this build
    relinked it, plus the log's (link) lines no record has (links through
    the compiler driver). Records written since since_ns are in the log too."""
    kept: Counter[Diag] = Counter()
    fresh: Counter[Diag] = Counter()
    for rec in out.glob("**/*.o.ld"):
        found = of_record(rec, roots)
        kept += found
        if rec.stat().st_mtime_ns >= since_ns:
            fresh += found
    return logged - fresh + kept


def link_targets(out: Path, link: bool) -> list[str]:
    """With --link: vmlinux, and the modules with modpost where the config has them."""
    if not link:
        return []
    modules = re.search(r"(?m)^CONFIG_MODULES=y$", read_text(out / ".config"))
    return ["vmlinux"] + (["modules"] if modules else [])


def unresolved(cell: Cell, outs: dict[str, Path], built: dict[str, set[str]], patched_src: Path,
               base_failed: list[str]) -> list[str]:
    """New unresolved references of the patched objects (linkrefs.py),
    but for those the baseline failed to build: it says nothing of what they
    referenced before. An object nm cannot read is a finding, not a pass."""
    patched = sorted(set(built["patched"]) - set(base_failed))
    try:
        return linkrefs.new_unresolved(
            f"{cell.cross_compile}nm",
            outs["baseline"],
            sorted(built["baseline"]),
            outs["patched"],
            patched,
            patched_src,
            cell.arch,
        )
    except ToolError as e:
        return [f"(not checked: {e.cause})"]


def build_one_tree(src: Path, out: Path, cell: Cell, extra: Vars, objs: list[str] | None,
                   targets: list[str], run: "Run", log: Log) -> tuple[bool, str, set[str], Diags]:
    """Configure and build a cell's targets from one more tree (a commit of
    the series): (configured, log, built objects, diagnostics). No sparse,
    no link: a commit is checked for what it compiles."""
    ok, text = configure(src, out, cell, extra, run.jobserver, run.deadline)
    if not ok:
        return False, text, set(), Counter()
    more, built, diags, _ = build_tree(src, out, cell, extra, objs, targets, run, False, log)
    return True, text + more, built, diags


def last_error(text: str) -> str:
    lines = text.strip().splitlines()
    errs = [line for line in lines if ": error:" in line] or [
        line for line in lines if "Error " in line
    ]
    return (errs[:1] or lines[-1:] or ["?"])[0][:200]
