"""Which objects a configured tree builds, asked of its own kbuild Makefiles.

Each directory's Kbuild (or Makefile) is evaluated by make itself against
the cell's include/config/auto.conf, so ifdef blocks, composite objects
(foo-y, foo-objs) and obj-$(CONFIG_X) all mean what Kbuild means. One make
process reads every directory in turn. An object is built when its
directory lists it (or a composite it is part of) and every directory
above it is descended into, up to the top-level lists of the root Kbuild
and the core-y/drivers-y/libs-y lines of the top and arch Makefiles.
"""

import os
import re
import subprocess
import tempfile
from pathlib import Path
from collections.abc import Iterable, Iterator
from typing import Any

# {dir: {"objs": names its Makefile lists, "parts": {composite: its parts}}}
Lists = dict[str, dict[str, Any]]

# Lists whose objects Kbuild compiles (extra-y/always: head.o and friends).
_LISTS = ("obj-y", "obj-m", "lib-y", "extra-y", "always-y", "always", "subdir-y", "subdir-m")
_TOP = re.compile(r"^\s*(core|drivers|libs|init|net|virt|head)-([\w$()]+)\s*[+:]?=\s*(.*)$")


def read_config(path: Path) -> dict[str, str]:
    conf = {}
    for line in Path(path).read_text().splitlines():
        m = re.match(r"^(CONFIG_\w+)=(.*)$", line)
        if m:
            conf[m.group(1)] = m.group(2)
    return conf


def _kbuild_file(src: Path, d: str) -> Path:
    kb = src / d / "Kbuild"
    return kb if kb.is_file() else src / d / "Makefile"


def _eval_makefile(src: Path, objtree: Path, srcarch: str, dirs: Iterable[str]) -> str:
    """A makefile that prints every dir's lists; read top to bottom, it runs no rule."""
    out = [
        f"srctree := {src}",
        f"objtree := {objtree}",
        f"SRCARCH := {srcarch}",
        f"ARCH := {srcarch}",
        "include $(objtree)/include/config/auto.conf",
        "include $(srctree)/scripts/Kbuild.include",
    ]
    for d in dirs:
        out += [
            "$(foreach v,$(filter %-y %-m %-objs always,$(.VARIABLES)),$(eval undefine $(v)))",
            f"src := {d}",
            f"obj := {d}",
            f"-include {_kbuild_file(src, d)}",
            f"$(info @dir {d})",
            "$(info @obj " + " ".join(f"$({v})" for v in _LISTS) + ")",
            (
                "$(foreach o,$(filter %.o,$(obj-y) $(lib-y)),$(info @part $(o) $($(o:.o=-y))"
                " $($(o:.o=-objs))))"
            ),
            # foo-m parts are linked into a module only: Kbuild ignores them in a built-in foo.o
            (
                "$(foreach o,$(filter %.o,$(obj-m)),$(info @part $(o) $($(o:.o=-y))"
                " $($(o:.o=-objs)) $($(o:.o=-m))))"
            ),
        ]
    out += ["$(info @end)", ".PHONY: treewide-nothing", "treewide-nothing: ; @:", ""]
    return "\n".join(out)


def _parse(text: str) -> Lists:
    lists: dict[str, dict[str, Any]] = {}
    cur = None
    for line in text.splitlines():
        tag, _, rest = line.partition(" ")
        if tag == "@dir":
            cur = lists.setdefault(rest, {"objs": set(), "parts": {}})
        elif tag == "@obj" and cur is not None:
            cur["objs"].update(w.rstrip("/") for w in rest.split())
        elif tag == "@part" and cur is not None:
            name, *parts = rest.split()
            cur["parts"].setdefault(name, set()).update(parts)
    return lists


def evaluate(src: Path, objtree: Path, srcarch: str, dirs: Iterable[str]) -> Lists:
    """{dir: {"objs": names listed, "parts": {composite: parts}}}; a dir whose
    Makefile make cannot read alone is left out (the caller treats it as unknown)."""
    dirs = sorted(d for d in set(dirs) if _kbuild_file(Path(src), d).is_file())
    found = _run(src, objtree, srcarch, dirs) if dirs else {}
    if found is None:                                # one Makefile broke the batch: go one by one
        found = {}
        for d in dirs:
            found.update(_run(src, objtree, srcarch, [d]) or {})
    return found


def _run(src: Path, objtree: Path, srcarch: str, dirs: list[str]) -> Lists | None:
    with tempfile.NamedTemporaryFile("w", suffix=".mk", prefix="treewide-kbuild-") as mk:
        mk.write(_eval_makefile(Path(src), objtree, srcarch, dirs))
        mk.flush()
        r = subprocess.run(
            [
                "make",
                "-s",
                "-r",
                "--no-print-directory",
                f"--include-dir={src}",
                "-f",
                mk.name,
                "treewide-nothing",
            ],
            cwd=objtree,
            capture_output=True,
            text=True,
            errors="replace",
            check=False,
        )
    if r.returncode != 0 or "@end" not in r.stdout:
        return None
    return _parse(r.stdout)


def _top_level(src: Path, srcarch: str, conf: dict[str, str],
               root_lists: dict[str, Any]) -> set[str]:
    """Directories the top of the tree descends into."""
    words = set(root_lists.get("objs", ()))
    for mk in (src / "Makefile", src / "arch" / srcarch / "Makefile"):
        text = re.sub(r"\\\n", " ", mk.read_text(errors="replace")) if mk.is_file() else ""
        for line in text.splitlines():
            m = _TOP.match(line)
            if m and _selected(m.group(2), conf):
                words.update(
                    w.replace("$(SRCARCH)", srcarch).replace("$(ARCH)", srcarch).rstrip("/")
                    for w in m.group(3).split()
                    if w.endswith("/")
                )
    return {os.path.normpath(w) for w in words}


def _selected(suffix: str, conf: dict[str, str]) -> bool:
    m = re.fullmatch(r"\$\((CONFIG_\w+)\)", suffix)
    return conf.get(m.group(1)) in ("y", "m") if m else suffix in ("y", "m")


class Kbuild:
    def __init__(self, src: Path, objtree: Path, srcarch: str) -> None:
        self.src, self.objtree, self.srcarch = Path(src), Path(objtree), srcarch
        self.conf = read_config(self.objtree / ".config")
        self.lists: Lists = {}
        self.memo: dict[str, bool] = {}
        self.built: dict[str, set[str] | None] = {}
        self.seen: set[str] = set()
        self.lent: dict[str, str] = {}
        self.top: set[str] | None = None

    def load(self, objects: Iterable[str]) -> None:
        """Evaluate, at once, every directory the objects live in and above,
        below a top-level directory (tools/, samples/... are never read)."""
        if self.top is None:
            self.lists = evaluate(self.src, self.objtree, self.srcarch, ["."])
            self.top = _top_level(self.src, self.srcarch, self.conf, self.lists.get(".", {}))
            lenders = self._dirs_listing_elsewhere()
            self.load([f"{d}/lender.o" for d in lenders])
            self.lent = self._listed_elsewhere(lenders)
        dirs = {a for o in objects for a in _ancestors(os.path.dirname(o))}
        dirs = {d for d in dirs - self.seen if any(a in self.top for a in _ancestors(d))}
        self.seen |= dirs
        if dirs:
            self.lists |= evaluate(self.src, self.objtree, self.srcarch, dirs)

    def _dirs_listing_elsewhere(self) -> list[str]:
        """Directories of this arch whose Makefile lists objects of another
        directory (arm64's xen/ builds ../../arm/xen/*.o)."""
        out = []
        for base, _, files in os.walk(self.src / "arch" / self.srcarch):
            d = os.path.relpath(base, self.src)
            kb = _kbuild_file(self.src, d)
            if kb.name in files and "../" in kb.read_text(errors="replace"):
                out.append(d)
        return sorted(out)

    def _listed_elsewhere(self, lenders: list[str]) -> dict[str, str]:
        """{object elsewhere in the tree: the lender that lists it}."""
        out = {}
        for d in lenders:
            lists = self.lists.get(d, {"objs": (), "parts": {}})
            for name in [*lists["objs"], *(p for ps in lists["parts"].values() for p in ps)]:
                if name.startswith("../") and name.endswith(".o"):
                    out[os.path.normpath(os.path.join(d, name))] = d
        return out

    def enabled(self, obj: str) -> bool:
        """Whether obj (a path like drivers/x/y.o) is built by this config."""
        return self.owner(obj) is not None

    def owner(self, obj: str) -> str | None:
        """The directory whose Makefile builds obj (its own, or the one above
        that lists a composite obj is part of), or None if none does."""
        self.load([obj])
        lender = self.lent.get(obj)
        return next(
            (
                d
                for d in [*_ancestors(os.path.dirname(obj)), *([lender] if lender else [])]
                if self._lists(d, os.path.relpath(obj, d), parts=True) and self.dir_enabled(d)
            ),
            None,
        )

    def make_targets(self, objs: Iterable[str]) -> list[str]:
        """What to ask make for to build objs with the flags Kbuild gives them.
        Before single targets descended from the top (Kbuild of 5.3), `make
        a/b/foo.o` reads a/b's Makefile: a composite's part listed in a/
        would miss a/'s ccflags, so it is built through a/'s directory
        target. Each single target is then a sub-make of its own (minutes of
        no-op on a warm tree), so a directory all of whose objects are
        wanted is built as one target too. An object or directory a
        directory target builds is not asked for again: two sub-makes
        would race on it (compile its objects at once)."""
        if single_targets_descend(self.src):
            return sorted(objs)
        objs = set(objs)
        self.load(_sources_below({_top_dir(o) for o in objs}, self.src))
        owners = {d for o in objs if (d := self.owner(o)) and d != os.path.dirname(o)}
        dirs: list[str] = []
        covered: set[str] = set()
        for d in self._whole_dirs(objs) + sorted(owners, key=lambda d: d.count("/")):
            built = self.builds(d)
            if built is None or not built <= covered:
                dirs.append(d)
                covered |= built or set()
        inner = {d for d in dirs if any(a in dirs for a in _ancestors(os.path.dirname(d)))}
        return sorted({d + "/" for d in dirs if d not in inner} | (objs - covered))

    def _whole_dirs(self, objs: set[str]) -> list[str]:
        """The topmost directories whose `make dir/` builds only objects in
        objs (objects from sources in the tree; generated ones come along)."""
        out = []
        for d in sorted(
            {a for o in objs for a in _ancestors(os.path.dirname(o))}, key=lambda d: d.count("/")
        ):
            if any(a in out for a in _ancestors(d)) or not self.dir_enabled(d):
                continue
            built = self.builds(d)
            if built and {o for o in built if _has_source(self.src, o)} <= objs:
                out.append(d)
        return out

    def builds(self, d: str) -> set[str] | None:
        """The objects `make d/` compiles: what d lists (the parts of its
        composites) and what its listed subdirectories build; None when a
        Makefile on the way could not be read."""
        if d in self.built:
            return self.built[d]
        if d not in self.seen:                # a listed dir with no source of its own below
            self.seen.add(d)
            self.lists |= evaluate(self.src, self.objtree, self.srcarch, [d])
        lists, out = self.lists.get(d), set()
        if lists is None:
            return None
        for name in lists["objs"]:
            if name.endswith(".o"):
                parts = {p for p in lists["parts"].get(name, ()) if p.endswith(".o")} or {name}
                out |= {os.path.normpath(os.path.join(d, p)) for p in parts}
            elif (self.src / d / name).is_dir():
                sub = self.builds(os.path.normpath(os.path.join(d, name)))
                if sub is None:
                    return None
                out |= sub
        self.built[d] = out
        return out

    def dir_enabled(self, d: str) -> bool:
        assert self.top is not None, "load() first"
        if d not in self.memo:
            self.memo[d] = d in self.top or any(
                self._lists(a, os.path.relpath(d, a)) and self.dir_enabled(a)
                for a in _ancestors(os.path.dirname(d))
            )
        return self.memo[d]

    def _lists(self, d: str, name: str, parts: bool = False) -> bool:
        """Whether dir d lists name (or, with parts, a composite made of it).
        A Makefile make could not read counts as listing everything: better
        one object too many than one missed."""
        lists = self.lists.get(d)
        if lists is None:
            return (self.src / d).is_dir() and _kbuild_file(self.src, d).is_file()
        return name in lists["objs"] or (parts and any(
            name in p and comp in lists["objs"] for comp, p in lists["parts"].items()))


def single_targets_descend(src: Path) -> bool:
    """Whether the top Makefile builds a single target from the directory
    that lists it (`single-targets`, Kbuild since 5.3)."""
    top = Path(src) / "Makefile"
    return (
        top.is_file()
        and re.search(r"^single-targets\b", top.read_text(errors="replace"), re.M) is not None
    )


def _top_dir(obj: str) -> str:
    parts = obj.split("/")
    return "/".join(parts[:2] if parts[0] == "arch" else parts[:1])


def _sources_below(dirs: Iterable[str], src: Path) -> list[str]:
    """Every object of a .c or .S file under dirs."""
    out = []
    for d in dirs:
        for base, _, files in os.walk(src / d):
            rel = os.path.relpath(base, src)
            out += [os.path.join(rel, f[:-2] + ".o") for f in files if f.endswith((".c", ".S"))]
    return out


def _has_source(src: Path, obj: str) -> bool:
    return any((src / (obj[:-2] + ext)).is_file() for ext in (".c", ".S"))


def _ancestors(d: str) -> Iterator[str]:
    while d:
        yield d
        d = os.path.dirname(d)


def recorded(objtree: Path, srctree: Path) -> dict[str, tuple[str, set[str]]]:
    """{object: (source, dependencies)} of every object a build compiled, as
    Kbuild recorded them in dir/.foo.o.cmd (source-tree relative paths)."""
    objtree, prefix = Path(objtree), str(srctree).rstrip("/") + "/"
    out = {}
    for cmd in objtree.glob("**/.*.o.cmd"):
        text = cmd.read_text(errors="replace")
        src = re.search(r"^source_(\S+) := (\S+)$", text, re.M)
        deps = re.search(r"^deps_\S+ := \\\n((?:.*\\\n)*.*)$", text, re.M)
        if not src or not deps or src.group(1).startswith("/"):     # tools/ records absolute paths
            continue
        files = {w.removeprefix(prefix) for w in deps.group(1).replace("\\", " ").split()
                 if not w.startswith("$(")}
        out[src.group(1)] = (src.group(2).removeprefix(prefix), files)
    return out
