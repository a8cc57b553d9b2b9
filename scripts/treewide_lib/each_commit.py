"""The matrix per commit (0-day style): every cell builds its selected
objects at every commit of the series, in order, in one build directory
per cell that walks the commits, so each commit rebuilds only what its
own changes reach. A commit that fails to build an object the last
commit builds is "not bisectable"; its diagnostics are compared with the
baseline's and with the commit before it.

Commits come from a git range: the series' own repository
(`OUT/.work/git` of `treewide series`, when the matrix OUT is that
series' OUT/matrix) or any BASE..TIP a user names. Only the files each
commit changes are read from git, and written into the cell's copy of
the tree (never through a hard link).
"""

import json
import os
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from . import copies
from .errors import ToolError
from .kbuild import fixups as kfixups
from .kbuild.diagnostics import Diag
from .kbuild.table import Fixup
from .records import CommitRecord

if TYPE_CHECKING:
    from .matrix import Run

# {commit, subject, patch, files {path: (mode, blob) or None}}
Commit = dict[str, Any]


def _git(gitdir, *args, binary=False):
    r = subprocess.run(["git", f"--git-dir={gitdir}", *args], capture_output=True, check=False,
                       env=dict(os.environ, LC_ALL="C"))
    if r.returncode != 0:
        raise ToolError(f"git {' '.join(args[:3])} failed in {gitdir}: "
                        f"{r.stderr.decode(errors='replace').strip()[-300:]}",
                        "pass a git directory and a BASE..TIP range it holds")
    return r.stdout if binary else r.stdout.decode(errors="surrogateescape")


def _changes(gitdir, parent, commit):
    """{path: (mode, blob) or None when deleted} of one commit."""
    out = {}
    raw = _git(gitdir, "diff-tree", "-r", "-z", "--no-commit-id", "--no-renames", parent, commit)
    fields = raw.split("\0")
    for meta, path in zip(fields[0::2], fields[1::2]):
        _, new_mode, _, new_sha, status = meta.lstrip(":").split()
        out[path] = None if status == "D" else (new_mode, new_sha)
    return out


def commits(gitdir: Path, base: str, tip: str,
            names: dict[str, str] | None = None) -> list[Commit]:
    """[{commit, subject, patch, files}] of BASE..TIP, oldest first. names:
    {commit: patch file name} where the commits come from a series."""
    listed = _git(gitdir, "log", "--reverse", "--format=%H %s", f"{base}..{tip}").splitlines()
    if not listed:
        raise ToolError(
            f"the range {base}..{tip} holds no commit", "name a range with at least one commit"
        )
    out, parent = [], _git(gitdir, "rev-parse", base).strip()
    for line in listed:
        sha, _, subject = line.partition(" ")
        parents = _git(gitdir, "rev-list", "--parents", "-n1", sha).split()[1:]
        if len(parents) > 1:
            raise ToolError(
                f"commit {sha[:12]} of the range is a merge", "name a linear range of patches"
            )
        if parents != [parent]:  # BASE is not an ancestor of TIP: the walk would start elsewhere
            raise ToolError(
                f"commit {sha[:12]} of {base}..{tip} does not follow {parent[:12]}",
                "name a range whose BASE is an ancestor of TIP (git merge-base --is-ancestor)",
            )
        out.append(
            {
                "commit": sha,
                "subject": subject,
                "patch": (names or {}).get(sha, f"{sha[:12]} {subject}"),
                "files": _changes(gitdir, parent, sha),
            }
        )
        parent = sha
    return out


def from_series(series_out: Path) -> tuple[Path, list[Commit]] | None:
    """(git dir, commits) of the series whose OUT holds this matrix OUT, or None."""
    data_file = series_out / "series.json"
    if not data_file.is_file():
        return None
    data = json.loads(data_file.read_text())
    gitdir = series_out / ".work" / "git"
    if not gitdir.is_dir():
        raise ToolError(
            f"{series_out} holds a series but not its git repository (.work/git)",
            "regenerate the series with `treewide series`, or pass --range BASE..TIP --git DIR",
        )
    names = {p["commit"]: p["patch"] for p in data["patches"]}
    return gitdir, commits(gitdir, data["base"], data["tip"], names)


def check_base(gitdir: Path, base: str, listed: list[Commit], root: Path) -> None:
    """The tree must be the range's base wherever the range changes it."""
    for path in sorted({p for c in listed for p in c["files"]}):
        spec = f"{base}:{path}"
        # ls-tree names the file, or prints nothing when the base lacks it;
        # it fails only on a bad base.
        absent = not _git(gitdir, "ls-tree", base, "--", path).strip()
        mine = Path(root) / path
        if absent:
            if mine.exists():
                raise ToolError(
                    (
                        f"{root} is not the base of the commits: {path} exists there but not at"
                        f" {base[:12]}"
                    ),
                    "pass the tree the series was made from (or the range's base checkout)",
                )
            continue
        # git holds a link's target as its blob
        mine_blob = (os.fsencode(os.readlink(mine)) if mine.is_symlink() else
                     mine.read_bytes() if mine.is_file() else None)
        if mine_blob != _git(gitdir, "cat-file", "blob", spec, binary=True):
            raise ToolError(
                f"{root} is not the base of the commits: {path} differs from {base[:12]}",
                "pass the tree the series was made from (or the range's base checkout)",
            )


class Walk:
    """One cell's copy of the tree that moves from commit to commit. Files a
    commit wrote are recorded, so the next run starts from the base again
    (as files of their own, dated now: make must rebuild what they reach)."""

    def __init__(self, gitdir: Path, base_src: Path, dest: Path, fixups: list[Fixup]) -> None:
        self.gitdir, self.base, self.src, self.fixups = gitdir, Path(base_src), Path(dest), fixups
        self.record = self.src.with_name(self.src.name + ".written")

    def reset(self) -> None:
        """A new copy of the base, which is copied again from the user's tree
        each run: a copy kept from an earlier run would still hold the files
        that tree has replaced since (another release checked out)."""
        written = self.record.read_text().splitlines() if self.record.is_file() else []
        new = self.src.with_name(self.src.name + ".new")
        new.parent.mkdir(parents=True, exist_ok=True)
        copies.copy_tree(self.base, new)
        kfixups.apply(self.fixups, new, self.base)
        copies.swap_in(new, self.src, written)
        self.record.write_text("")

    def apply(self, commit: Commit) -> None:
        with self.record.open(
            "a"
        ) as rec:  # first: a run stopped half-way still knows what to reset
            rec.write("".join(f"{rel}\n" for rel in commit["files"]))
        for rel, blob in commit["files"].items():
            self._put(
                rel,
                (
                    None
                    if blob is None
                    else _git(self.gitdir, "cat-file", "blob", blob[1], binary=True)
                ),
                blob and blob[0],
            )
        # A fixup keeps the base's date; in a file this commit wrote it must not.
        for fixup in kfixups.apply(self.fixups, self.src, self.base):
            copies.detach(self.src / fixup.file)

    def _put(self, rel, data, mode=None):
        """Write one file of a commit (git's mode: 100644, 100755, or 120000,
        a symlink whose blob is its target)."""
        path = self.src / rel
        if data is None:
            path.unlink(missing_ok=True)
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".treewide-tmp")
        tmp.unlink(missing_ok=True)
        if mode == "120000":
            tmp.symlink_to(os.fsdecode(data))
        else:
            tmp.write_bytes(data)
            os.chmod(tmp, 0o755 if mode == "100755" else 0o644)
        os.replace(tmp, path)


def verdicts(results: list[dict[str, Any]]) -> list[CommitRecord]:
    """Each commit's status, once the last commit's build is known: an object
    the last commit builds and this one does not makes it not bisectable."""
    final = results[-1]["built_set"] if results else set()
    for r in results:
        r["not_built"] = sorted(r.pop("failed_set") & final)
        r["status"] = ("not-bisectable" if r["not_built"] or not r["configured"] else
                       "new-diagnostics" if r["new"] else "ok")
    for r in results:
        r.pop("built_set")
    return cast(list[CommitRecord], results)


def build_commits(name: str, run: "Run", base_src: Path, base_diags: Counter[Diag],
                  objs: list[str] | None,
                  build: Callable[[Path, Path], tuple[bool, str, set[str], Counter[Diag]]],
                  log: Callable[[str, str], Any]) -> list[CommitRecord]:
    """The cell's commit records. build(src, out) -> (configured, log text,
    built objects, diagnostics) builds the cell's targets at one commit;
    objs are the cell's selected objects."""
    assert run.commits_git is not None, "--each-commit without commits"
    walk = Walk(run.commits_git, base_src, copies.src(run.out / "commits", name), run.fixups)
    walk.reset()
    out = copies.build_dir(walk.src, name)
    results, prev = [], base_diags
    for i, c in enumerate(run.commits, 1):
        walk.apply(c)
        log(name, f"commit {i}/{len(run.commits)}: build")
        t0 = time.monotonic()
        configured, text, built, diags = build(walk.src, out)
        took = round(time.monotonic() - t0, 1)
        (run.work / f"{name}-commit-{i}.log").write_text(text)
        results.append(
            {
                "commit": c["commit"],
                "patch": c["patch"],
                "subject": c["subject"],
                "configured": configured,
                "built": len(built),
                "built_set": built,
                "duration_s": took,
                "failed_set": set(objs or ()) - built,
                "new": sorted(map(str, diags - base_diags)),
                "new_vs_previous": sorted(map(str, diags - prev)),
            }
        )
        prev = diags
    return verdicts(results)
