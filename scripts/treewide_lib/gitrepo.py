"""A scratch git repository that never writes into the user's tree.

The base commit is the user's tree: the files the series touches, from a
plain source tree (read in place, hashed into our own index), or the
user's own HEAD commit, borrowed through alternates. Series commits are built with
plumbing (hash-object, update-index, commit-tree): no work tree needed.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable
from pathlib import Path

from .errors import ToolError


class Scratch:
    def __init__(self, gitdir: Path | str, ident: tuple[str, str], date: str) -> None:
        self.gitdir = Path(gitdir)
        self.name, self.email = ident
        self.date = date

    def env(self, index: Path | None = None, author: str | None = None) -> dict[str, str]:
        name, email = _split_ident(author) if author else (self.name, self.email)
        env = dict(
            os.environ,
            GIT_DIR=str(self.gitdir),
            GIT_AUTHOR_NAME=name,
            GIT_AUTHOR_EMAIL=email,
            GIT_COMMITTER_NAME=self.name,
            GIT_COMMITTER_EMAIL=self.email,
            GIT_AUTHOR_DATE=self.date,
            GIT_COMMITTER_DATE=self.date,
            LC_ALL="C",
        )
        env.pop("GIT_WORK_TREE", None)
        if index:
            env["GIT_INDEX_FILE"] = str(index)
        return env

    def git(self, *args: str, index: Path | None = None, input: str | None = None,
            cwd: Path | None = None, author: str | None = None) -> str:
        r = subprocess.run(["git", *args], env=self.env(index, author), input=input, cwd=cwd,
                           capture_output=True, text=True, errors="surrogateescape", check=False)
        if r.returncode != 0:
            raise ToolError(f"git {' '.join(args[:2])} failed: {r.stderr.strip()[:300]}",
                            "check the git installation and free disk space")
        return r.stdout

    def init(self) -> None:
        self.gitdir.parent.mkdir(parents=True, exist_ok=True)
        init_bare(self.gitdir)
        self.git("config", "core.autocrlf", "false")
        self.git("config", "gc.auto", "0")

    def import_plain(self, root: Path, message: str, paths: Iterable[str]) -> str:
        """Commit the files of a plain source tree that the series touches,
        as they are. A plain tree has no history: its other files would
        change no patch, and hashing all of them cost most of a series run."""
        index = self.gitdir / "index.base"
        paths = sorted(p for p in paths if (Path(root) / p).is_file())
        if paths:
            blobs = self.git("hash-object", "-w", "--no-filters", "--stdin-paths",
                             input="".join(f"{p}\n" for p in paths), cwd=root).split()
            modes = ["100755" if os.access(Path(root) / p, os.X_OK) else "100644" for p in paths]
            self.git("update-index", "--add", "--index-info", index=index,
                     input="".join(f"{m} {b}\t{p}\n" for m, b, p in zip(modes, blobs, paths)))
        tree = self.git("write-tree", index=index).strip()
        return self.git("commit-tree", tree, "-m", message).strip()

    def borrow_head(self, root: Path) -> str:
        """The user's HEAD commit, its objects shared read-only through alternates."""
        objects = Path(
            self.git(
                "--git-dir",
                str(Path(root) / ".git"),
                "rev-parse",
                "--git-path",
                "objects",
                cwd=root,
            ).strip()
        )
        objects = objects if objects.is_absolute() else Path(root) / objects
        (self.gitdir / "objects/info/alternates").write_text(str(objects.resolve()) + "\n")
        r = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
        )
        if r.returncode != 0:
            raise ToolError(
                f"{root} has no HEAD commit", "commit the tree first or pass a plain source tree"
            )
        return r.stdout.strip()

    def commit(self, parent: str, files: dict[str, str], message: str,
               author: str | None = None) -> str:
        """A commit on top of parent with files ({path: text}) replaced or
        added; author: "Name <email>" when not the committer."""
        index = self.gitdir / "index.series"
        self.git("read-tree", parent, index=index)
        for rel, text in sorted(files.items()):
            blob = self.git("hash-object", "-w", "--no-filters", "--stdin", input=text).strip()
            mode = self._mode(parent, rel)
            self.git("update-index", "--add", "--cacheinfo", f"{mode},{blob},{rel}", index=index)
        tree = self.git("write-tree", index=index).strip()
        return self.git(
            "commit-tree", tree, "-p", parent, "-F", "-", input=message, author=author
        ).strip()

    def _mode(self, commit, rel):
        out = self.git("ls-tree", commit, "--", rel).strip()
        return out.split(" ", 1)[0] if out else "100644"

    def tree_of(self, rev: str) -> str:
        return self.git("rev-parse", f"{rev}^{{tree}}").strip()


def identity(signoff: str | None) -> tuple[str, str]:
    """(name, email) from --signoff "Name <email>", else git config."""
    if signoff:
        if "<" not in signoff or not signoff.rstrip().endswith(">"):
            raise ToolError(f"--signoff '{signoff}' is not 'Name <email>'",
                            "pass --signoff 'Your Name <you@example.org>'")
        return _split_ident(signoff)
    vals = []
    for key in ("user.name", "user.email"):
        r = subprocess.run(["git", "config", key], capture_output=True, text=True, check=False)
        vals.append(r.stdout.strip())
    if not all(vals):
        raise ToolError("no identity for Signed-off-by",
                        "pass --signoff 'Name <email>' or set git config user.name/email")
    return vals[0], vals[1]


def _split_ident(ident):
    name, email = ident.rsplit("<", 1)
    return name.strip(), email.rstrip(">").strip()


def init_bare(path: Path | str) -> None:
    """git init --bare, its failure an error naming git's reason."""
    r = subprocess.run(
        ["git", "init", "-q", "--bare", str(path)], capture_output=True, text=True, check=False
    )
    if r.returncode != 0:
        raise ToolError(f"git init {path} failed (exit {r.returncode}): {r.stderr.strip()[:300]}",
                        "check that git is installed and OUT is writable")
