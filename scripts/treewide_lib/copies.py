"""Scratch copies of the user's tree under OUT, which is never written:
patched (the recipe applied), the baseline with the arch table's fixups,
and the tree before the no-op steps whose object code they must keep.

Every tree is OUT/<label>/src and is built in OUT/<label>/build/<cell>:
the same relative path from each build directory to its tree, so that
with ccache's base_dir (kbuild/make.py) an object whose sources
are the same in two trees (or two runs, or two OUTs) compiles once."""

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from . import apply, recipe
from .errors import ToolError
from .kbuild import fixups as kfixups
from .kbuild.table import Fixup
from .spatch import Spatch
from .tree import Tree, kernel_version


def src(out: Path, label: str) -> Path:
    """Where the tree of that label lives under OUT."""
    return out / label / "src"


def build_dir(tree_src: Path, cell: str) -> Path:
    """The O= directory of a cell building the tree at tree_src
    (OUT/<label>/src), ready for its release (for_release)."""
    return for_release(Path(tree_src).parent / "build" / cell, tree_src)


def for_release(build: Path, tree_src: Path) -> Path:
    """The build directory, emptied first when it holds another release's
    objects: make judges by dates, and a tree replaced by another release
    whose files are older than those objects (a tarball unpacked where the
    last one was) would keep them. A directory is marked with the release
    it builds; one without a mark is taken as it is."""
    mark = build / ".treewide-release"
    release = kernel_version(tree_src) or "unknown"
    if mark.is_file() and mark.read_text() != release:
        remove(build)
    build.mkdir(parents=True, exist_ok=True)
    mark.write_text(release)
    return build


def patched_copy(tree: Tree, out: Path, rec: recipe.Recipe, jobs: int,
                 label: str = "patched") -> Tree:
    """A copy of the tree (hard links for unchanged files) with the recipe
    applied. A rewritten file whose text is the same as in the previous copy
    keeps its timestamp, so the builds of that copy stay incremental."""
    dst = src(out, label)
    new, record = dst.with_name("src.new"), dst.with_name("src.changed")
    dst.parent.mkdir(parents=True, exist_ok=True)
    before = set(record.read_text().splitlines()) if record.is_file() else set()
    copy_tree(tree.root, new)
    report_dir = out / "apply" if label == "patched" else dst.with_name("apply")
    rep, _ = apply.run(Tree(new), rec, Spatch(jobs=jobs), report_dir, log=lambda *a: None)
    for rel in rep["changed_files"]:
        old = dst / rel
        if old.is_file() and (new / rel).is_file() and old.read_bytes() == (new / rel).read_bytes():
            st = old.stat()
            os.utime(new / rel, ns=(st.st_atime_ns, st.st_mtime_ns))
    swap_in(new, dst, sorted(before - set(rep["changed_files"])))
    record.write_text("".join(f"{rel}\n" for rel in rep["changed_files"]))
    return Tree(dst)


def swap_in(new: Path, dst: Path, written: list[str]) -> None:
    """The fresh copy `new` takes dst's place; the files the previous copy
    wrote (and this one has as the tree's) are dated now."""
    for rel in written:
        detach(new / rel)
    remove(dst)
    new.rename(dst)


def detach(path: Path) -> None:
    """A file the previous copy changed and this one does not is the tree's
    own again: a hard link with the tree's old date, older than the objects
    built from the previous copy, so make would keep them. It becomes a
    file of its own, dated now (the tree's file is not touched)."""
    if path.is_symlink() or not path.is_file():      # make reads a link's target's date
        return
    tmp = path.with_name(path.name + ".treewide-tmp")
    shutil.copyfile(path, tmp)
    shutil.copymode(path, tmp)
    os.replace(tmp, path)


def copy_tree(src: Path, dst: Path) -> None:
    """Hard links where they can be (same filesystem, a tree we may write:
    apply replaces files, never writes through a link), else a real copy."""
    remove(dst)
    if os.access(src / "Makefile", os.W_OK) and _run(["cp", "-al", str(src), str(dst)]):
        return
    remove(dst)
    if not (
        _run(["cp", "-a", "--reflink=auto", str(src), str(dst)])
        and _run(["chmod", "-R", "u+w", str(dst)])
    ):
        remove(dst)
        raise ToolError(
            f"cannot copy {src} to {dst}",
            (
                "pass an OUT with room for a copy of the tree "
                "(on the tree's filesystem, the copy shares its files)"
            ),
        )


def _run(cmd: list[str]) -> bool:
    return subprocess.run(cmd, capture_output=True, check=False).returncode == 0


def remove(path: Path) -> None:
    """rm -rf, also of a copy of a read-only tree (its directories are made
    writable first: they are the copy's own, unlike hard-linked files)."""
    if not os.path.lexists(path):
        return
    _run(
        ["find", str(path), "-type", "d", "!", "-perm", "-u+w", "-exec", "chmod", "u+w", "{}", "+"]
    )
    r = subprocess.run(["rm", "-rf", str(path)], capture_output=True, text=True, check=False)
    if r.returncode != 0:
        raise ToolError(
            (
                f"cannot remove {path}:"
                f" {(r.stderr.strip().splitlines() or [f'rm exited {r.returncode}'])[-1]}"
            ),
            "remove it by hand, or pass another OUT",
        )


def baseline_copy(base: Tree, patched: list[Tree | None], out: Path,
                  fixups: list[Fixup]) -> tuple[Path, list[Fixup]]:
    """The baseline: a hardlinked copy of the tree (a copy, not the tree
    itself, for the layout above) with the arch table's fixups, and the
    fixups applied to the patched copies as well (each touches its own
    arch's files). Returns (its root, the fixups applied)."""
    dst = src(out, "baseline")
    dst.parent.mkdir(parents=True, exist_ok=True)
    copy_tree(base.root, dst)
    done = kfixups.apply(fixups, dst, base.root)
    for copy in patched:
        if copy:
            kfixups.apply(fixups, copy.root, base.root)
    return dst, done


# What matrix runs before the layout above left in their OUT.
OLD_LAYOUT = (
    "patched-tree",
    "patched-tree.new",
    "patched-tree.changed",
    "baseline-tree",
    "before-noop-tree",
    "before-noop-tree.new",
    "before-noop-tree.changed",
    "before-noop-tree.apply",
)


def drop_old_layout(out: Path) -> None:
    """An OUT of an earlier version's run holds trees and build directories
    this version no longer reads (gigabytes): removed, they were ours."""
    for name in OLD_LAYOUT:
        remove(out / name)
    for d in (out / "build").glob("*-*"):
        if d.is_dir() and d.name.endswith(("-baseline", "-patched", "-before-noop", "-commits")):
            remove(d)


def code_reference(base: Tree, out: Path, rec: recipe.Recipe, applied: list[recipe.Step], jobs: int,
                   compare: bool = True) -> tuple[Tree | None, dict[str, Any] | None]:
    """The tree (None: the baseline) whose object code the no-op steps must
    keep, and the cells' plan for comparing it (None: no no-op step applies).
    compare=False (--no-code) saves the build of that tree in every cell."""
    against, why = _noop_plan(applied) if compare else (None, "not compared (--no-code)")
    before = None
    if against is None or against == "baseline":
        remove(out / "before-noop")
    else:
        before = patched_copy(base, out, recipe.until(rec, against), jobs, "before-noop")
        against = "before-noop"
    return before, ({"against": against, "why": why} if any(st.noop for st in applied) else None)


def _noop_plan(applied: list[recipe.Step]) -> tuple[str | None, str]:
    """What the object code of the applied no-op steps is compared with:
    (None, why) when nothing can be, ("baseline", why) when every applied
    step is a no-op, else (the step before them, why): a tree with the
    steps up to it is built as well."""
    first = next((i for i, st in enumerate(applied) if st.noop), None)
    if first is None:
        return None, ""
    later = [st.name for st in applied[first:] if not st.noop]
    if later:
        return (
            None,
            f"not compared: step {later[0]} changes code after no-op step {applied[first].name}",
        )
    if first == 0:
        return "baseline", "compared with the baseline (every applied step is a no-op)"
    return applied[first - 1].name, f"compared with the tree before {applied[first].name}"
