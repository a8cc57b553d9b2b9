"""What a build said, as identities (file, kind, message) that survive a
rebuild of another tree: line numbers, tree paths and the numbers in
messages are left out, so the same warning in the baseline and the patched
build is one identity, and a new one is new."""

import os
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

# The tree and its build directory: a path under either is named relative to it.
Roots = tuple[Path, ...]

# Numbers in messages are offsets and sizes: a struct that grows moves
# "array subscript -47" to -48 in every container_of() on it. Digits inside
# names (u32, x2) are kept.
_NUMBER = re.compile(r"(?<![\w.])-?(?:0x[0-9a-fA-F]+|\d+)\b")
_DIAG = re.compile(
    r"^(?P<file>[^\s:]+):\d+(?::\d+)?: (?P<kind>warning|error|fatal error): (?P<msg>.*)$"
)
_GCC_TEMP = re.compile(r"(?:^|/)cc[A-Za-z0-9]{6}\.s$")
_ASM = re.compile(r"^(?P<file>[^\s:]+):\d+: (?P<kind>Error|Warning): (?P<msg>.*)$")
_LD = re.compile(r"^\S*ld(?:\.bfd)?: (?P<kind>warning|error): (?P<msg>.*)$")
# A link that fails on a symbol: ld's "file.c:(.text+0x1c): undefined
# reference to `foo'" (without debug info only "(.text+0x1c): ...", the
# object named on ld's "in function" line before it), modpost's "ERROR:
# modpost: "foo" [dir/m.ko] undefined!" (a WARNING before 5.x).
_UNDEF = re.compile(r"^(?P<file>[^\s:(]*):?(?:\d+|\(\S+\)): (?P<msg>undefined reference to .*)$")
_IN_FUNCTION = re.compile(r"^\S*ld(?:\.bfd)?: (?P<file>[^\s:]+): in function ")
_MODPOST = re.compile(
    r'^(?P<kind>ERROR|WARNING): (?:modpost: )?(?P<msg>"\S+" \[(?P<file>\S+)\] undefined!)$'
)
# modpost stopping the link of vmlinux or a module (section mismatches made fatal...).
_FATAL = re.compile(r"^FATAL: modpost: (?P<msg>.*)$")
_MAKE = re.compile(r"^make(?:\[\d+\])?: \*\*\* \[(?:\S+:\d+: )?(?P<file>[^\]]+)\] Error")


@dataclass(frozen=True)
class Diag:
    file: str
    kind: str           # warning, error, link, make
    msg: str

    def __str__(self) -> str:
        return f"{self.file}: {self.kind}: {self.msg}"


def diagnostics(log: str, roots: Roots, obj: str | None = None) -> Counter[Diag]:
    """The identities of the compiler, assembler, linker and make errors in
    a build log (of the object obj, when it is one object's record)."""
    found: Counter[Diag] = Counter()
    # The compiler names files as the build gave them: absolute, or (ccache's
    # base_dir) relative to the build directory, roots[1].
    prefixes = [f"{root}/" for root in roots]
    if len(roots) == 2:
        prefixes.append(f"{os.path.relpath(roots[0], roots[1])}/")
    linked = "(link)"                       # the object ld last named
    for line in log.splitlines():
        for prefix in prefixes:
            line = line.replace(prefix, "")
        if m := _IN_FUNCTION.match(line):
            linked = m.group("file")
        m = _DIAG.match(line) or _ASM.match(line)
        if m:
            kind = m.group("kind").lower().replace("fatal error", "error")
            found[Diag(_source(m.group("file"), obj), kind, _normal(m.group("msg")))] += 1
        elif m := _UNDEF.match(line) or _MODPOST.match(line):
            found[Diag(os.path.normpath(m.group("file") or linked), "link", m.group("msg"))] += 1
        elif m := _FATAL.match(line):
            found[Diag("(modpost)", "error", _normal(m.group("msg")))] += 1
        elif m := _LD.match(line):
            found[Diag("(link)", m.group("kind"), _normal(m.group("msg")))] += 1
        elif m := _MAKE.match(line):
            found[Diag(m.group("file"), "make", "target failed")] += 1
    return found


def of_record(path: Path, roots: Roots, obj: str | None = None) -> Counter[Diag]:
    """The diagnostics of one record treewide-diag kept (dir/foo.o.cc,
    .sparse, .ld); none when there is no such record."""
    return diagnostics(read_text(path), roots, obj)


def read_text(path: Path) -> str:
    """A file's text (undecodable bytes kept as they are), or "" if it does not exist."""
    return path.read_text(errors="surrogateescape") if path.is_file() else ""


def _source(name: str, obj: str | None) -> str:
    """The file a diagnostic names; the assembler's, of gcc's temporary .s file
    (a new random name in every build), is the object's."""
    if _GCC_TEMP.search(name):
        return f"{obj} (assembler)" if obj else "(assembler)"
    return os.path.normpath(name)


def _normal(msg: str) -> str:
    """Whitespace folded, numbers as N: offsets move when a struct or a section grows."""
    return _NUMBER.sub("N", re.sub(r"\s+", " ", msg).strip())


def make_failure(rc: int, text: str, roots: Roots) -> str | None:
    """None when make ended as `make -k` does: 0, or 2 with each failed
    target's error in its output (a diagnostic of that object, compared
    between the trees). Else why the build is not one to compare: a make
    killed by a signal, or failing with no error in its output."""
    if rc == 0 or (
        rc > 0 and any(d.kind in ("error", "make", "link") for d in diagnostics(text, roots))
    ):
        return None
    how = f"was killed by signal {-rc}" if rc < 0 else f"exited {rc} with no error in its output"
    return f"{how}: " + " | ".join(text.strip().splitlines()[-3:])
