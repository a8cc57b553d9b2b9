"""A kernel source tree, read through the changes staged so far."""

from __future__ import annotations

import difflib
import hashlib
import os
import re
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from .encoding import ENC
from .errors import ToolError

if TYPE_CHECKING:
    from .recipe import Query


def _glob_regex(pattern):
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + r"\Z")


def glob_match(rel: str, pattern: str) -> bool:
    return bool(_glob_regex(pattern).match(rel))


def _fixed_prefix(pattern):
    parts = pattern.split("/")
    fixed = []
    for p in parts[:-1]:
        if any(c in p for c in "*?["):
            break
        fixed.append(p)
    return "/".join(fixed) or "."


def kernel_version(root: Path | str) -> str | None:
    """The VERSION.PATCHLEVEL.SUBLEVEL of a tree's top Makefile, or None."""
    try:
        head = (Path(root) / "Makefile").read_text(**ENC)[:2000]
    except OSError:
        return None
    fields = dict(
        re.findall(r"(?m)^(VERSION|PATCHLEVEL|SUBLEVEL|EXTRAVERSION)\s*=[ \t]*(\S*)", head)
    )
    if "VERSION" not in fields or "PATCHLEVEL" not in fields:
        return None
    v = f"{fields['VERSION']}.{fields['PATCHLEVEL']}"
    if fields.get("SUBLEVEL"):
        v += f".{fields['SUBLEVEL']}"
    return v + fields.get("EXTRAVERSION", "")


def read_bytes(path: Path | str) -> bytes | None:
    """A file's bytes, or None when there is no file."""
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        return None


def digest(data: bytes | None) -> str | None:
    """What a file held, for telling later whether someone changed it (None: no file)."""
    return None if data is None else hashlib.sha256(data).hexdigest()


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def keep_line_endings(raw: str, new: str) -> str:
    """`new` (text with LF lines, as rules see a file) written back over
    `raw` (the file as it is, CRLF or mixed): lines outside the changes
    keep their bytes and line endings; changed lines take the file's
    usual ending."""
    raw_lines = _LINE.findall(raw)
    old_lines = [line.rstrip("\r\n") + "\n" if line[-1:] in "\r\n" else line for line in raw_lines]
    new_lines = new.splitlines(keepends=True)
    eol = "\r\n" if raw.count("\r\n") * 2 > raw.count("\n") else "\n"
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(
        None, old_lines, new_lines, autojunk=False
    ).get_opcodes():
        if op == "equal":
            out += raw_lines[i1:i2]
        else:
            out += [line[:-1] + eol if line.endswith("\n") else line for line in new_lines[j1:j2]]
    return "".join(out)


class Tree:
    """A kernel tree plus the file contents staged for it (not yet written)."""

    def __init__(self, root: Path | str) -> None:
        root = Path(root)
        if not root.is_dir():
            raise ToolError(
                f"{root} is not a directory", "pass the top of a Linux source tree with KSRC=DIR"
            )
        self.root = root.resolve()
        version = kernel_version(self.root)
        if (
            not version
            or not (self.root / "arch").is_dir()
            or not (self.root / "include/linux").is_dir()
        ):
            raise ToolError(
                (
                    f"{self.root} is not a kernel tree (no top Makefile with VERSION and "
                    "PATCHLEVEL, or no arch/ and include/linux/)"
                ),
                "pass the top of a Linux source tree with KSRC=DIR",
            )
        self.version: str = version
        self.staged: dict[str, str] = {}
        self.via: dict[str, str] = {}   # file -> the symlinked path it was reached through
        self._greps: dict[tuple[str, str], list[str]] = {}
        self._disk: dict[str, tuple[bytes | None, str | None]] = {}    # as first read
        self._primed: tuple[set[str], list[str]] | None = None
        self._check_symlinks()

    def _check_symlinks(self):
        """Refuse a symlink that leads outside the tree: rewriting through it
        would write outside the tree, and skipping it would leave a site."""
        r = subprocess.run(
            ["find", ".", "-path", "./.git", "-prune", "-o", "-type", "l", "-print0"],
            cwd=self.root,
            capture_output=True,
            check=False,
        )
        if r.returncode != 0:
            raise ToolError(
                (
                    f"cannot list the symlinks of {self.root}:"
                    f" {r.stderr.decode(errors='replace').strip()}"
                ),
                "check that the tree is readable",
            )
        for name in filter(None, r.stdout.split(b"\0")):
            link = self.root / os.fsdecode(name)
            target = Path(os.path.realpath(link))
            if target.exists() and target != self.root and self.root not in target.parents:
                raise ToolError(
                    f"{link} is a symlink to {target}, outside the tree",
                    "replace the link by a copy of its target (or remove it); nothing was written",
                )

    def _real(self, rel):
        """The path of the file itself, for a path reached through symlinks."""
        real = os.path.relpath(os.path.realpath(self.root / rel), self.root)
        if real != rel:
            self.via.setdefault(real, rel)
        return real

    @property
    def name(self) -> str:
        return self.root.name

    def is_git(self) -> bool:
        return (self.root / ".git").exists()

    def git_dirty(self) -> list[str]:
        """Paths with uncommitted changes, or [] if clean or not a git tree."""
        if not self.is_git():
            return []
        r = subprocess.run(
            ["git", "-C", str(self.root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=False,
        )
        if r.returncode != 0:
            raise ToolError(f"git status failed in {self.root}: {r.stderr.strip()}",
                            "repair the repository or pass a plain source tree")
        return [line[3:] for line in r.stdout.splitlines()]

    def read(self, rel: str) -> str:
        """The file as staged, else as on disk (LF line endings either way)."""
        if rel in self.staged:
            return self.staged[rel]
        text = self.original(rel)
        if text is None:
            raise FileNotFoundError(2, "No such file or directory", str(self.root / rel))
        return text

    def original(self, rel: str) -> str | None:
        """The file's content in the tree, or None if it does not exist. Read
        once per run: sites, prefilters and steps share it."""
        if rel not in self._disk:
            raw = read_bytes(self.root / rel)
            self._disk[rel] = (raw, None if raw is None else raw.decode(**ENC))
        return self._disk[rel][1]

    def read_digest(self, rel: str) -> str | None:
        """The digest of the file as this run read it (None: it did not exist)."""
        self.original(rel)
        return digest(self._disk[rel][0])

    def changed_since_read(self, rels: Iterable[str]) -> list[str]:
        """Of the files given, those whose bytes on disk are no longer what this run read."""
        return [rel for rel in rels if digest(read_bytes(self.root / rel)) != self.read_digest(rel)]

    def rendered(self, rel: str) -> str:
        """The staged file as it is to be written: the tree's own line endings kept
        (those of the bytes this run read, not of whatever the file holds now)."""
        text = self.read(rel)
        self.original(rel)
        raw = (self._disk[rel][0] or b"").decode(**ENC)
        return keep_line_endings(raw, text) if "\r" in raw else text

    def stage(self, rel: str, text: str) -> None:
        if text == self.original(rel):
            self.staged.pop(rel, None)
        else:
            self.staged[rel] = text

    def files(self, query: Query) -> list[str]:
        """Relative paths of the files a query selects, in the staged view."""
        found = set()
        for pattern in query.paths:
            if query.grep:
                found.update(self._grep(pattern, query.grep))
            else:
                found.update(
                    str(p.relative_to(self.root)) for p in self.root.glob(pattern) if p.is_file()
                )
        found = {
            self._real(rel) for rel in found
        }  # a file reached through a symlink is the file itself
        for rel, text in self.staged.items():
            if self._matches(rel, query.paths):
                found.discard(rel)
                if not query.grep or query.grep in text:
                    found.add(rel)
        kept = (rel for rel in found if not self._matches(rel, query.exclude))
        return sorted(rel for rel in kept if not query.match or query.match.search(self.read(rel)))

    def _matches(self, rel, patterns):
        """Whether a file, under its own path or the symlinked one it was
        reached by, matches a glob."""
        return any(glob_match(path, p) for path in {rel, self.via.get(rel, rel)} for p in patterns)

    def prime(self, queries: Iterable[Query]) -> None:
        """Scan the tree once for every token the run's queries look for, in
        the kinds of file they name: later queries filter this list (and the
        files, read once) instead of walking the tree again."""
        queries = [q for q in queries if q.grep]
        tokens = sorted({q.grep for q in queries})
        if not tokens:
            return
        # A token that holds another is found by it ("dma_ops" finds
        # get_dma_ops): grep the shortest only.
        least = [t for t in tokens if not any(u != t and u in t for u in tokens)]
        args = [a for t in least for a in ("-e", t)]
        args += sorted({f"--include={p.rsplit('/', 1)[-1]}" for q in queries for p in q.paths})
        self._primed = (set(tokens), self._grep_run(args, "."))

    def _grep(self, pattern, token):
        """Files matching the pattern that hold `token`, on disk. Asked once
        per run: the tree on disk does not change while a run reads it."""
        key = (pattern, token)
        if key not in self._greps:
            if self._primed and token in self._primed[0]:
                self._greps[key] = [
                    n
                    for n in self._primed[1]
                    if glob_match(n, pattern) and token in (self.original(self._real(n)) or "")
                ]
            else:
                self._greps[key] = self._grep_disk(pattern, token)
        return self._greps[key]

    def _grep_disk(self, pattern, token):
        prefix = _fixed_prefix(pattern)
        if not (self.root / prefix).is_dir():
            return []
        names = self._grep_run(["--include=" + pattern.rsplit("/", 1)[-1], "-e", token], prefix)
        return [n for n in names if glob_match(n, pattern)]

    def _grep_run(self, args, where):
        """Paths below `where` (relative to the top) of the files grep -R finds
        with `args`. The whole tree is split between one grep per core."""
        parts = [[where]]
        if where == ".":
            top = sorted(e.name for e in os.scandir(self.root) if e.name != ".git")
            n = max(1, min(os.cpu_count() or 1, len(top)))
            parts = [top[i::n] for i in range(n)]
        procs = [
            subprocess.Popen(
                ["grep", "-RlZF", "--exclude-dir=.git", *args, "--", *part],
                cwd=self.root,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            for part in parts
        ]
        names = []
        for p in procs:
            out, err = p.communicate()
            # 1 is "nothing found"; 2 is an error, and a file grep could not read may hold a site.
            errors = [
                line
                for line in err.decode(errors="replace").splitlines()
                if "recursive directory loop" not in line and not self._dangling(line)
            ]
            if p.returncode < 0 or p.returncode > 1 and errors:  # < 0: killed, its list cut short
                raise ToolError(
                    (
                        f"cannot search {self.root / where}: "
                        f"{errors[0] if errors else f'grep was killed by signal {-p.returncode}'}"
                    ),
                    "make every file of the tree readable (or work on a readable copy)",
                )
            names += [os.path.normpath(n.decode(**ENC)) for n in out.split(b"\0") if n]
        return names

    def _dangling(self, error):
        """Whether grep's error is about a symlink to nothing: no file, so no site
        (selftests link to arch sources that a trimmed or vendor tree lacks)."""
        m = re.match(r"grep: (.*): No such file or directory$", error)
        return (
            m is not None
            and os.path.islink(self.root / m.group(1))
            and not (self.root / m.group(1)).exists()
        )
