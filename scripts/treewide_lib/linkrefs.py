"""Link-level references of a cell, without linking it.

A rewrite that removes a function still called from another file compiles
everywhere and fails only at the link. Per cell, the symbols the patched
objects leave undefined (`nm`) and no built object defines are compared
with the baseline's; a symbol unresolved only in the patched tree, and
defined nowhere in its sources for this arch, is a new unresolved reference.
"""

import os
import re
import subprocess
from collections import defaultdict
from collections.abc import Collection
from pathlib import Path

from .errors import ToolError
from .kbuild.select import for_arch, grep

# Where a symbol is defined in the sources, when no built object defines
# it: a C definition or a file-scope macro that makes one (DEFINE_MUTEX(x)),
# an export, an assembler label or entry macro, a linker-script assignment.
_DEFINES = [
    # int foo(...) {  (not a declaration)
    r"^(?!extern\b)[A-Za-z_][^;]*\b{s}\s*\([^;]*(?:$|\)\s*\{)",
    r"^{s}\s*\(",  # int\nfoo(...)
    r"^(?!extern\b)[A-Za-z_][^(;]*\b{s}\s*(?:=|\[|;|__)",  # a variable
    r"^[A-Z_][A-Z0-9_]*\(.*\b{s}\b",  # DEFINE_PER_CPU(int, foo);
    r"EXPORT_SYMBOL\w*\(\s*{s}\s*\)",
    r"^\s*{s}\s*:",
    r"\b(?:ENTRY|GLOBAL|SYM_\w+)\(\s*{s}\b",
    r"^\s*(?:PROVIDE\()?\s*{s}\s*=",
]


def symbols(nm: str, obj: Path) -> tuple[set[str], set[str]]:
    """(undefined, defined global) symbols of one object. Weak undefined
    symbols (w, v) resolve to 0 when nothing defines them: not counted."""
    r = subprocess.run(
        [nm, "-P", str(obj)], capture_output=True, text=True, errors="replace", check=False
    )
    if r.returncode != 0:
        raise ToolError(
            f"{nm} -P {obj} failed (exit {r.returncode}): "
            + " | ".join(r.stderr.strip().splitlines()[-2:]),
            "check that the cross binutils are installed and the object is not truncated",
        )
    undefined, defined = set(), set()
    for line in r.stdout.splitlines():
        parts = line.split()
        if len(parts) < 2 or parts[0].endswith(":"):          # "archive member:" headers
            continue
        name, kind = parts[0], parts[1]
        if kind == "U":
            undefined.add(name)
        elif kind.isupper() or kind in "iu":
            defined.add(name)
    return undefined, defined


def unresolved(nm: str, out: Path, objs: list[str]) -> dict[str, list[str]]:
    """{symbol: objects referencing it} the objects leave to the link."""
    users: defaultdict[str, set[str]] = defaultdict(set)
    defined: set[str] = set()
    for o in objs:
        u, d = symbols(nm, Path(out) / o)
        defined |= d
        for s in u:
            users[s].add(o)
    return {s: sorted(v) for s, v in users.items() if s not in defined}


def defined_in_sources(root: Path, syms: set[str], arch: str,
                       built: Collection[str] = ()) -> set[str]:
    """The symbols of syms some source of this arch defines (a file of another
    arch's directory does not help this arch's link). The sources of built
    objects are passed over: their objects said what they define (an
    EXPORT_SYMBOL left behind by a removed definition defines nothing)."""
    if not syms:
        return set()
    lines = grep(
        [
            "-rnwE",
            "--exclude-dir=.git",
            "--include=*.c",
            "--include=*.S",
            "--include=*.lds*",
            "-e",
            "|".join(map(re.escape, sorted(syms))),
            ".",
        ],
        root,
    )
    found: set[str] = set()
    skip = {o[:-len(".o")] for o in built}
    pats = {s: re.compile("|".join(p.replace("{s}", re.escape(s)) for p in _DEFINES)) for s in syms}
    for line in lines.splitlines():
        path, _, text = line.split(":", 2) if line.count(":") >= 2 else (line, "", "")
        path = os.path.normpath(path)
        if not for_arch(path, arch) or os.path.splitext(path)[0] in skip:
            continue
        found |= {s for s in syms - found if s in text and pats[s].search(text)}
    return found


def new_unresolved(nm: str, base_out: Path, base_objs: list[str], patched_out: Path,
                   patched_objs: list[str], patched_src: Path, arch: str) -> list[str]:
    """["symbol: referenced by a.o, b.o"] for every symbol the patched objects
    leave unresolved, the baseline's did not, and the patched sources do not
    define."""
    base = unresolved(nm, base_out, base_objs)
    fresh = {
        s: objs for s, objs in unresolved(nm, patched_out, patched_objs).items() if s not in base
    }
    known = defined_in_sources(patched_src, set(fresh), arch, patched_objs)
    return [
        f"{s}: referenced by {', '.join(objs)}"
        for s, objs in sorted(fresh.items())
        if s not in known
    ]
