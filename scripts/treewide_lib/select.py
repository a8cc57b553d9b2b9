"""Which objects a cell must build: every source that includes, directly or
through headers, a file the series changed (include graph, resolved per
arch) or that uses a symbol the changed lines define or call, kept when
the cell's .config enables its object (kbuild Makefile lines).

The include graph comes from one `grep -r` over the tree. Includes are
resolved the way the kernel's -I flags do: <x> against include/,
include/uapi/, arch/ARCH/include/ (and uapi, generated), <asm/x.h> falling
back to include/asm-generic/x.h; "x" against the includer's directory.
"""

import os
import re
import subprocess
from collections import defaultdict
from pathlib import Path

_INC = re.compile(r'^(?P<file>[^:]+):\s*#\s*include\s*(?P<q>[<"])(?P<name>[^">]+)[">]')
_CALL = re.compile(r"\b([A-Za-z_]\w*)\s*\(")
_NOT_SYMBOLS = {"if", "for", "while", "switch", "return", "sizeof", "defined", "unlikely", "likely",
                "typeof", "BUG", "BUG_ON", "WARN_ON", "__attribute__"}


class IncludeGraph:
    def __init__(self, root):
        self.root = Path(root)
        r = subprocess.run(["grep", "-rHE", "--exclude-dir=.git", "--include=*.c", "--include=*.h",
                            "--include=*.S", r'^\s*#\s*include\s*[<"]', "."],
                           cwd=self.root, capture_output=True, text=True, errors="replace", check=False)
        self.by_name = defaultdict(set)     # "<linux/x.h>" or '"x.h"' -> includer files
        for line in r.stdout.splitlines():
            m = _INC.match(line)
            if m:
                includer = os.path.normpath(m.group("file"))
                if m.group("q") == "<":
                    self.by_name[f"<{m.group('name')}>"].add(includer)
                else:
                    target = os.path.normpath(os.path.join(os.path.dirname(includer), m.group("name")))
                    self.by_name[f'"{target}"'].add(includer)

    def names(self, header, arch):
        """How a header file is included, for this arch."""
        out = {f'"{header}"'}
        parts = header.split("/")
        for prefix in ("include/uapi/", "include/"):
            if header.startswith(prefix):
                out.add(f"<{header[len(prefix):]}>")
                break
        if parts[0] == "arch" and len(parts) > 3 and parts[1] == arch:
            for prefix in (f"arch/{arch}/include/uapi/", f"arch/{arch}/include/generated/", f"arch/{arch}/include/"):
                if header.startswith(prefix):
                    out.add(f"<{header[len(prefix):]}>")
                    break
        if header.startswith("include/asm-generic/"):
            own = self.root / "arch" / arch / "include" / "asm" / parts[-1]
            if not own.exists():
                out.add(f"<asm/{parts[-1]}>")
        return out

    def includers(self, changed, arch):
        """Every source (.c, .S) reaching a changed file through includes, for this arch."""
        seen, frontier, sources = set(changed), list(changed), set()
        while frontier:
            f = frontier.pop()
            if f.endswith((".c", ".S")):
                sources.add(f)
                continue
            for name in self.names(f, arch):
                for inc in self.by_name.get(name, ()):
                    if inc not in seen and _for_arch(inc, arch):
                        seen.add(inc)
                        frontier.append(inc)
        return sources


def _for_arch(path, arch):
    parts = path.split("/")
    return parts[0] != "arch" or len(parts) < 2 or parts[1] == arch


def changed_symbols(diff):
    """Functions and macros the changed lines of a unified diff define or call."""
    syms = set()
    for line in diff.splitlines():
        if line.startswith(("+", "-")) and not line.startswith(("+++", "---")):
            syms.update(_CALL.findall(line))
            m = re.match(r"[+-]\s*#\s*define\s+(\w+)", line)
            if m:
                syms.add(m.group(1))
    return sorted(syms - _NOT_SYMBOLS)


def symbol_users(root, symbols, arch):
    if not symbols:
        return set()
    args = ["grep", "-rlw", "--exclude-dir=.git", "--include=*.c", "--include=*.S"]
    for s in symbols:
        args += ["-e", s]
    r = subprocess.run(args + ["."], cwd=root, capture_output=True, text=True, errors="replace", check=False)
    return {os.path.normpath(p) for p in r.stdout.split()} if r.stdout else set()


# -- kbuild: is an object enabled by a .config? ---------------------------------------------

def read_config(path):
    conf = {}
    for line in Path(path).read_text().splitlines():
        m = re.match(r"^(CONFIG_\w+)=(.*)$", line)
        if m:
            conf[m.group(1)] = m.group(2)
    return conf


def _assignments(directory):
    """(lhs, words) of every `lhs += words` style line of a kbuild Makefile."""
    out = []
    for name in ("Kbuild", "Makefile"):
        f = directory / name
        if not f.is_file():
            continue
        text = re.sub(r"\\\n", " ", f.read_text(errors="replace"))
        for line in text.splitlines():
            m = re.match(r"^\s*([\w$().-]+)\s*[+:]?=\s*(.*)$", line)
            if m:
                out.append((m.group(1), m.group(2).split()))
    return out


def _lhs_on(lhs, conf):
    """Whether an lhs like obj-y, obj-$(CONFIG_X), foo-$(CONFIG_X) is switched on."""
    m = re.search(r"\$\((CONFIG_\w+)\)", lhs)
    if m:
        return conf.get(m.group(1)) in ("y", "m")
    return lhs.endswith(("-y", "-m", "-objs")) or lhs in ("obj-y", "lib-y", "core-y", "drivers-y", "libs-y")


class Kbuild:
    def __init__(self, root, conf, arch):
        self.root, self.conf, self.arch = Path(root), conf, arch
        self.memo = {}

    def enabled(self, obj):
        """Whether obj (a path like drivers/x/y.o) is built by this config; unknown -> True."""
        if obj in self.memo:
            return self.memo[obj]
        self.memo[obj] = False                       # guards against cycles
        d, name = os.path.split(obj)
        hits = [(lhs, words) for lhs, words in _assignments(self.root / d) if name in words]
        if not hits:
            result = False
        else:
            result = False
            for lhs, _ in hits:
                if not _lhs_on(lhs, self.conf):
                    continue
                base = re.match(r"^([\w.-]+?)-(?:y|m|objs|\$\(CONFIG_\w+\))$", lhs)
                if lhs.startswith(("obj-", "lib-")) or not base:
                    result = self.dir_enabled(d)
                else:                                 # part of a composite object
                    result = self.enabled(os.path.join(d, base.group(1) + ".o"))
                if result:
                    break
        self.memo[obj] = result
        return result

    def dir_enabled(self, d):
        if d in self.memo:
            return self.memo[d]
        parts = d.split("/")
        if len(parts) <= 1 or (parts[0] == "arch" and len(parts) <= 2):
            return parts[0] != "arch" or parts[1] == self.arch
        parent, name = os.path.split(d)
        found, on = False, False
        for where in (self.root / parent, self.root / "arch" / self.arch, self.root):
            for lhs, words in _assignments(where):
                if f"{name}/" in words or f"{d}/" in words:
                    found = True
                    on = on or _lhs_on(lhs, self.conf)
        self.memo[d] = on if found else True
        return self.memo[d]


def objects(root, conf, arch, changed, diff, graph=None):
    """Sorted objects to build for one cell, and what selected them."""
    graph = graph or IncludeGraph(root)
    sources = graph.includers(changed, arch) | {s for s in symbol_users(root, changed_symbols(diff), arch)
                                               if _for_arch(s, arch)}
    kb = Kbuild(root, conf, arch)
    objs = sorted({re.sub(r"\.[cS]$", ".o", s) for s in sources} )
    return [o for o in objs if kb.enabled(o)], len(objs)
