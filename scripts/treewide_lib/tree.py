"""A kernel source tree, read through the changes staged so far."""

import os
import re
import subprocess
from pathlib import Path

from .errors import ToolError

ENC = dict(encoding="utf-8", errors="surrogateescape")


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


def glob_match(rel, pattern):
    return bool(_glob_regex(pattern).match(rel))


def _fixed_prefix(pattern):
    parts = pattern.split("/")
    fixed = []
    for p in parts[:-1]:
        if any(c in p for c in "*?["):
            break
        fixed.append(p)
    return "/".join(fixed) or "."


def kernel_version(root):
    """The VERSION.PATCHLEVEL.SUBLEVEL of a tree's top Makefile, or None."""
    try:
        head = (Path(root) / "Makefile").read_text(**ENC)[:2000]
    except OSError:
        return None
    fields = dict(re.findall(r"(?m)^(VERSION|PATCHLEVEL|SUBLEVEL|EXTRAVERSION)\s*=[ \t]*(\S*)", head))
    if "VERSION" not in fields or "PATCHLEVEL" not in fields:
        return None
    v = f"{fields['VERSION']}.{fields['PATCHLEVEL']}"
    if fields.get("SUBLEVEL"):
        v += f".{fields['SUBLEVEL']}"
    return v + fields.get("EXTRAVERSION", "")


class Tree:
    """A kernel tree plus the file contents staged for it (not yet written)."""

    def __init__(self, root):
        root = Path(root)
        if not root.is_dir():
            raise ToolError(f"{root} is not a directory", "pass the top of a Linux source tree with KSRC=DIR")
        self.root = root.resolve()
        self.version = kernel_version(self.root)
        if not self.version or not (self.root / "arch").is_dir() or not (self.root / "include/linux").is_dir():
            raise ToolError(f"{self.root} is not a kernel tree (no top Makefile with VERSION and "
                            "PATCHLEVEL, or no arch/ and include/linux/)",
                            "pass the top of a Linux source tree with KSRC=DIR")
        self.staged = {}

    @property
    def name(self):
        return self.root.name

    def is_git(self):
        return (self.root / ".git").exists()

    def git_dirty(self):
        """Paths with uncommitted changes, or [] if clean or not a git tree."""
        if not self.is_git():
            return []
        r = subprocess.run(["git", "-C", str(self.root), "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True, check=False)
        if r.returncode != 0:
            raise ToolError(f"git status failed in {self.root}: {r.stderr.strip()}",
                            "repair the repository or pass a plain source tree")
        return [line[3:] for line in r.stdout.splitlines()]

    def read(self, rel):
        if rel in self.staged:
            return self.staged[rel]
        return (self.root / rel).read_text(**ENC)

    def original(self, rel):
        """The file's content in the tree, or None if it does not exist."""
        path = self.root / rel
        return path.read_text(**ENC) if path.exists() else None

    def stage(self, rel, text):
        if text == self.original(rel):
            self.staged.pop(rel, None)
        else:
            self.staged[rel] = text

    def files(self, query):
        """Relative paths of the files a query selects, in the staged view."""
        found = set()
        for pattern in query.paths:
            if query.grep:
                found.update(self._grep(pattern, query.grep))
            else:
                found.update(str(p.relative_to(self.root)) for p in self.root.glob(pattern) if p.is_file())
        for rel, text in self.staged.items():
            if any(glob_match(rel, p) for p in query.paths):
                found.discard(rel)
                if not query.grep or query.grep in text:
                    found.add(rel)
        found = (rel for rel in found if not any(glob_match(rel, p) for p in query.exclude))
        return sorted(rel for rel in found if not query.match or query.match.search(self.read(rel)))

    def _grep(self, pattern, token):
        prefix = _fixed_prefix(pattern)
        if not (self.root / prefix).is_dir():
            return []
        base = pattern.rsplit("/", 1)[-1]
        r = subprocess.run(["grep", "-rlZF", "--exclude-dir=.git", f"--include={base}", "-e", token, prefix],
                           cwd=self.root, capture_output=True, check=False)
        if r.returncode > 1 and not r.stdout:
            raise ToolError(f"cannot search {self.root / prefix}: {r.stderr.decode(errors='replace').strip()}",
                            "check that the tree is readable")
        names = (os.path.normpath(n.decode(**ENC)) for n in r.stdout.split(b"\0") if n)
        return [n for n in names if glob_match(n, pattern)]
