"""Which objects a cell must build: every source that includes, directly or
through headers, a file the series changed (include graph, resolved per
arch) or that uses a symbol the changed lines define or call, kept when
the cell's configured Kbuild builds its object (makefiles.py).

The include graph comes from one `grep -r` over the tree. Includes are
resolved the way the kernel's -I flags do: <x> against include/,
include/uapi/, arch/ARCH/include/ (and uapi, generated), <asm/x.h> falling
back to include/asm-generic/x.h; "x" against the includer's directory.
"""

import os
import re
import subprocess
from collections import defaultdict, namedtuple
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Any

from . import makefiles
from ..errors import ToolError

_INC = re.compile(r'^(?P<file>[^:]+):\s*#\s*include\s*(?P<q>[<"])(?P<name>[^">]+)[">]')
_CALL = re.compile(r"\b([A-Za-z_]\w*)\s*\(")
_NOT_SYMBOLS = {"if", "for", "while", "switch", "return", "sizeof", "defined", "unlikely", "likely",
                "typeof", "BUG", "BUG_ON", "WARN_ON", "__attribute__"}


def grep(args: list[str], root: Path) -> str:
    """grep's output over the tree. Exit 1 is "no line matched"; any other
    failure is an error: a file grep could not read may hold what is sought."""
    r = subprocess.run(
        ["grep", *args], cwd=root, capture_output=True, text=True, errors="replace", check=False
    )
    if r.returncode not in (0, 1):
        raise ToolError(f"grep {' '.join(args[:2])} ... failed in {root} (exit {r.returncode}): "
                        + " | ".join(r.stderr.strip().splitlines()[-2:]),
                        "check that every file of the tree is readable")
    return r.stdout


def known_options(src: Path, names: Iterable[str]) -> set[str]:
    """The options of names some Kconfig file of the tree defines."""
    found = grep(["-rhoE", "--include=Kconfig*", r"^\s*(menu)?config\s+\w+", "."], src)
    return set(names) & {line.split()[-1] for line in found.splitlines()}


class IncludeGraph:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        found = grep(
            [
                "-rHE",
                "--exclude-dir=.git",
                "--include=*.c",
                "--include=*.h",
                "--include=*.S",
                r'^\s*#\s*include\s*[<"]',
                ".",
            ],
            self.root,
        )
        self.by_name = defaultdict(set)  # "<linux/x.h>" or '"x.h"' -> includer files
        for line in found.splitlines():
            m = _INC.match(line)
            if m:
                includer = os.path.normpath(m.group("file"))
                if m.group("q") == "<":
                    self.by_name[f"<{m.group('name')}>"].add(includer)
                else:
                    target = os.path.normpath(
                        os.path.join(os.path.dirname(includer), m.group("name"))
                    )
                    self.by_name[f'"{target}"'].add(includer)

    def names(self, header: str, arch: str) -> set[str]:
        """How a header file is included, for this arch."""
        out = {f'"{header}"'}
        parts = header.split("/")
        for prefix in ("include/uapi/", "include/"):
            if header.startswith(prefix):
                out.add(f"<{header[len(prefix):]}>")
                break
        if parts[0] == "arch" and len(parts) > 3 and parts[1] == arch:
            for prefix in (
                f"arch/{arch}/include/uapi/",
                f"arch/{arch}/include/generated/",
                f"arch/{arch}/include/",
            ):
                if header.startswith(prefix):
                    out.add(f"<{header[len(prefix):]}>")
                    break
        if header.startswith("include/asm-generic/"):
            own = self.root / "arch" / arch / "include" / "asm" / parts[-1]
            if not own.exists():
                out.add(f"<asm/{parts[-1]}>")
        return out

    def includers(self, changed: Iterable[str], arch: str, lent: Collection[str] = ()) -> set[str]:
        """Every source (.c, .S) reaching a changed file through includes, for
        this arch (and the sources of other arches' directories it builds: lent,
        without their suffix)."""
        seen, frontier, sources = set(changed), list(changed), set()
        while frontier:
            f = frontier.pop()
            if f.endswith((".c", ".S")):
                sources.add(f)
                continue
            for name in self.names(f, arch):
                for inc in self.by_name.get(name, ()):
                    if inc not in seen and for_arch(inc, arch, lent):
                        seen.add(inc)
                        frontier.append(inc)
        return sources


def for_arch(path: str, arch: str, lent: Collection[str] = ()) -> bool:
    parts = path.split("/")
    return (
        parts[0] != "arch"
        or len(parts) < 2
        or parts[1] == arch
        or os.path.splitext(path)[0] in lent
    )


def changed_symbols(diff: str) -> list[str]:
    """Functions and macros the changed lines of a unified diff define or call."""
    syms = set()
    for line in diff.splitlines():
        if line.startswith(("+", "-")) and not line.startswith(("+++", "---")):
            syms.update(_CALL.findall(line))
            m = re.match(r"[+-]\s*#\s*define\s+(\w+)", line)
            if m:
                syms.add(m.group(1))
    return sorted(syms - _NOT_SYMBOLS)


def symbol_users(root: Path, symbols: list[str], arch: str) -> set[str]:
    if not symbols:
        return set()
    args = ["grep", "-rlw", "--exclude-dir=.git", "--include=*.c", "--include=*.S"]
    for s in symbols:
        args += ["-e", s]
    return {os.path.normpath(p) for p in grep(args[1:] + ["."], root).split()}


Selection = namedtuple("Selection", "objects reached targets")


def objects(root: Path, objtree: Path, arch: str, changed: list[str], diff: str,
            graph: IncludeGraph | None = None,
            extra: Iterable[str] = ()) -> tuple[list[str], int, list[str]]:
    """The sorted objects the configured objtree builds that the change
    reaches, how many sources the change reaches at all, and the make
    targets that build those objects. extra: a cell's own targets, kept as
    they are; a directory ("dir/") stands for every object under it that the
    config builds (Kbuild cannot link a lone directory)."""
    graph = graph or IncludeGraph(root)
    kb = makefiles.Kbuild(root, objtree, arch)
    kb.load([])
    lent = {re.sub(r"\.o$", "", o) for o in kb.lent}  # other arches' sources this arch builds
    sources = graph.includers(changed, arch, lent) | {
        s for s in symbol_users(root, changed_symbols(diff), arch) if for_arch(s, arch, lent)
    }
    reached = len(sources)
    for t in extra:
        if t.endswith("/"):
            sources |= {str(p.relative_to(root)) for p in (Path(root) / t).rglob("*.[cS]")}
    objs = sorted({re.sub(r"\.[cS]$", ".o", s) for s in sources})
    kb.load(objs)
    keep = {t for t in extra if not t.endswith("/")}
    selected = sorted(keep | {o for o in objs if kb.enabled(o)})
    return Selection(selected, reached, kb.make_targets(selected))


def against_build(root: Path, objtree: Path, arch: str, changed: list[str], diff: str,
                  selected: list[str]) -> dict[str, Any]:
    """How a selection compares with what a full build compiled: the objects
    the change reaches (a changed file among their recorded dependencies, or
    a changed symbol in their source) that the selection missed, and the
    selected objects the build never compiled."""
    compiled = makefiles.recorded(objtree, root)
    users = symbol_users(root, changed_symbols(diff), arch)
    files = set(changed)
    reached = {o for o, (src, deps) in compiled.items() if deps & files or src in users}
    return {"compiled": len(compiled), "reached": len(reached), "selected": len(selected),
            "missed": sorted(reached - set(selected)),
            "selected_not_compiled": sorted(set(selected) - set(compiled))}
