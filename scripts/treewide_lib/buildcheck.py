"""Build the objects a series touches, unpatched and patched, and compare
their diagnostics by identity (file, kind, message; line numbers move)."""

import hashlib
import os
import re
import shlex
import shutil
import subprocess
import time
import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from . import linkrefs, select
from .errors import ToolError
from .paths import ARCHES, DIAG_WRAPPER

# Tools Kbuild runs as $(CROSS_COMPILE)<tool>. In a wrapped build they come
# from O=/.treewide-tools/, where ld is treewide-diag and the rest are links.
# CC and CHECK are that directory's treewide-cc and treewide-sparse: Kbuild
# keeps each object's command line, and a toolkit path in it (another
# checkout, a worktree) would make every object compile again.
TOOLS_DIR = ".treewide-tools"
BINUTILS = ("addr2line", "ar", "as", "c++filt", "cpp", "elfedit", "g++", "gcc", "gcc-ar", "gcc-nm",
            "gcc-ranlib", "ld", "ld.bfd", "nm", "objcopy", "objdump", "ranlib", "readelf", "size",
            "strings", "strip")
REPRODUCIBLE = {"KBUILD_BUILD_TIMESTAMP": "Thu Jan  1 00:00:00 UTC 1970", "KBUILD_BUILD_USER": "treewide",
                "KBUILD_BUILD_HOST": "treewide", "KBUILD_BUILD_VERSION": "1"}

# Numbers in messages are offsets and sizes: a struct that grows moves
# "array subscript -47" to -48 in every container_of() on it. Digits inside
# names (u32, x2) are kept.
_NUMBER = re.compile(r"(?<![\w.])-?(?:0x[0-9a-fA-F]+|\d+)\b")
_DIAG = re.compile(r"^(?P<file>[^\s:]+):\d+(?::\d+)?: (?P<kind>warning|error|fatal error): (?P<msg>.*)$")
_GCC_TEMP = re.compile(r"(?:^|/)cc[A-Za-z0-9]{6}\.s$")
_ASM = re.compile(r"^(?P<file>[^\s:]+):\d+: (?P<kind>Error|Warning): (?P<msg>.*)$")
_LD = re.compile(r"^\S*ld(?:\.bfd)?: (?P<kind>warning|error): (?P<msg>.*)$")
# A link that fails on a symbol: ld's "file.c:(.text+0x1c): undefined
# reference to `foo'" (without debug info only "(.text+0x1c): ...", the
# object named on ld's "in function" line before it), modpost's "ERROR:
# modpost: "foo" [dir/m.ko] undefined!" (a WARNING before 5.x).
_UNDEF = re.compile(r"^(?P<file>[^\s:(]*):?(?:\d+|\(\S+\)): (?P<msg>undefined reference to .*)$")
_IN_FUNCTION = re.compile(r"^\S*ld(?:\.bfd)?: (?P<file>[^\s:]+): in function ")
_MODPOST = re.compile(r'^(?P<kind>ERROR|WARNING): (?:modpost: )?(?P<msg>"\S+" \[(?P<file>\S+)\] undefined!)$')
_MAKE = re.compile(r"^make(?:\[\d+\])?: \*\*\* \[(?:\S+:\d+: )?(?P<file>[^\]]+)\] Error")


@dataclass(frozen=True)
class Diag:
    file: str
    kind: str
    msg: str

    def __str__(self):
        return f"{self.file}: {self.kind}: {self.msg}"


def _version_tuple(v):
    return tuple(int(x) for x in re.findall(r"\d+", v)[:2])


def load_arches(path=ARCHES):
    """(cells by name, skipped arches {arch: why}, quirks) from the arch table."""
    data = _read_table(path)
    cells, skips = {}, {}
    for arch, row in data["arch"].items():
        if "skip" in row:
            skips[arch] = row["skip"]
            continue
        for c in row["cell"]:
            cells[c["name"]] = {"arch": arch, "make_arch": c.get("make_arch", c["name"] if arch == "x86" else arch),
                                "cross_compile": c.get("cross_compile", row["cross_compile"]),
                                "package": c.get("package", row["package"]), "defconfig": c["defconfig"],
                                "enable": c.get("enable", []), "disable": c.get("disable", []),
                                "targets": c.get("targets", []), "why": c.get("why", "")}
    return cells, skips, data.get("quirk", [])


def load_fixups(path=ARCHES):
    return _read_table(path).get("fixup", [])


def _read_table(path, seen=()):
    """The arch table at path; one with `base = "FILE"` (relative to itself) adds
    its cells, quirks and fixups to that table's, so a vendor table names only
    the cells of its own defconfigs."""
    path = Path(path).resolve()
    try:
        data = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise ToolError(f"cannot read the arch table {path}: {e}",
                        f"pass a TOML file shaped like {ARCHES} (--arch <name> selects cells by arch)") from None
    if "base" not in data:
        return data
    base = path.parent / data.pop("base")
    if base.resolve() in seen + (path,):
        raise ToolError(f"the arch table {path} names itself as its base, through {base}",
                        "give `base` a table that has no base of this one")
    return _merged(_read_table(base, seen + (path,)), data)


def _merged(base, extra):
    """base with extra's arch rows (cells and boot machines appended, other keys
    overridden), quirks and fixups added."""
    out = dict(base, arch={a: dict(r) for a, r in base.get("arch", {}).items()})
    for arch, row in extra.get("arch", {}).items():
        have = out["arch"].setdefault(arch, {})
        lists = {k: have.get(k, []) + row[k] for k in ("cell", "boot") if k in row}
        have.update(row, **lists)
    for key in ("quirk", "fixup"):
        out[key] = base.get(key, []) + extra.get(key, [])
    return out


def apply_fixups(fixups, root, like):
    """Apply the fixups whose text is found in the copy `root`, replacing
    files (hard links stay untouched) with the timestamps of the tree they
    came from (`like`), so incremental builds see no change between runs.
    Returns the fixups applied."""
    done = []
    for f in applicable(fixups, root):
        path = Path(root) / f["file"]
        text = read_text(path)
        tmp = path.with_name(path.name + ".treewide-fixup")
        tmp.write_text(text.replace(f["find"], f["replace"]), errors="surrogateescape")
        st = (Path(like) / f["file"]).stat()
        os.utime(tmp, ns=(st.st_atime_ns, st.st_mtime_ns))
        os.replace(tmp, path)
        done.append(f)
    return done


def applicable(fixups, root):
    """The fixups whose text is found in the tree at root."""
    return [f for f in fixups if f["find"] in read_text(Path(root) / f["file"])]


def read_text(path):
    """A file's text (undecodable bytes kept as they are), or "" if it does not exist."""
    return path.read_text(errors="surrogateescape") if path.is_file() else ""


def load_cells(path=ARCHES):
    cells, _, quirks = load_arches(path)
    return cells, quirks


def quirks_for(quirks, version, arch):
    """The make variables of every quirk that applies (flags of the same
    variable joined), and why."""
    make: dict[str, str] = {}
    why = []
    for q in quirks:
        if _version_tuple(version) < _version_tuple(q["before"]) and arch in q.get("arches", [arch]):
            for k, v in q["make"].items():
                make[k] = f"{make[k]} {v}" if k in make else v
            why.append(q["why"])
    return make, why


def diagnostics(log, roots, obj=None):
    """The identities of the compiler, assembler and make errors in a build log
    (of the object obj, when it is one object's)."""
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
        elif m := _LD.match(line):
            found[Diag("(link)", m.group("kind"), _normal(m.group("msg")))] += 1
        elif m := _MAKE.match(line):
            found[Diag(m.group("file"), "make", "target failed")] += 1
    return found


def _source(name, obj):
    """The file a diagnostic names; the assembler's, of gcc's temporary .s file
    (a new random name in every build), is the object's."""
    if _GCC_TEMP.search(name):
        return f"{obj} (assembler)" if obj else "(assembler)"
    return os.path.normpath(name)


def _normal(msg):
    """Whitespace folded, numbers as N: offsets move when a struct or a section grows."""
    return _NUMBER.sub("N", re.sub(r"\s+", " ", msg).strip())


def make_command(src, out, cell, extra, jobs, *targets, sparse=False, wrap=False):
    """The make command of a cell: reproducible build settings, ccache;
    jobs=None leaves -j to a jobserver. With wrap, CC and CHECK go through
    treewide-diag, so every object keeps its own diagnostics (dir/foo.o.cc,
    dir/foo.o.sparse) across incremental builds; without, it is the plain
    command a user reproduces a cell with."""
    ccache = "ccache " if shutil.which("ccache") else ""
    tools = f"{out}/{TOOLS_DIR}"
    wrapper = f"{tools}/treewide-cc " if wrap else ""
    cross = f"{tools}/{cell['cross_compile']}" if wrap else cell["cross_compile"]
    cmd = ["make", "-C", str(src), f"O={out}", f"ARCH={cell['make_arch']}", "-k",
           f"CC={wrapper}{ccache}{cell['cross_compile']}gcc", f"HOSTCC={ccache}gcc"]
    cmd += [f"-j{jobs}"] if jobs else []
    cmd += [f"CROSS_COMPILE={cross}"] if cross else []
    # ccache hashes paths under base_dir relative to the build directory: two
    # trees laid out alike (copies.py) share every object they compile alike.
    base_dir = os.path.commonpath([src, out])
    cmd += [f"CCACHE_BASEDIR={base_dir}"] if ccache and base_dir != "/" else []
    # __FILE__ relative to the tree, as Kbuild itself does from 5.0: before,
    # an object's strings hold the tree's path, and two trees at two paths
    # compile to different code wherever a string's length moves an offset.
    # The debug info's build directory as ".": ccache would hash it (-g).
    kcflags = " ".join(filter(None, [f"-fmacro-prefix-map={src}/=", f"-fdebug-prefix-map={out}=.",
                                     extra.get("KCFLAGS", "")]))
    cmd += [f"{k}={v}" for k, v in {**extra, "KCFLAGS": kcflags}.items()]
    cmd += [f"{k}={v}" for k, v in REPRODUCIBLE.items()]
    cmd += ["C=1"] if sparse else []
    cmd += [f"CHECK={tools}/treewide-sparse sparse"] if sparse and wrap else []
    return cmd + list(targets)


def diag_tools(out, prefix):
    """Ready O=out for a wrapped build. Its tools directory's <prefix>ld keeps
    each link's diagnostics beside the output (dir/built-in.o.ld), so a
    rerun that does not relink still reports them, as CC's do; the other
    tools are links to the real ones. Kbuild's own LD += flags still apply.
    treewide-cc and treewide-sparse call this checkout's treewide-diag.
    Records another wrapper version kept are renewed."""
    tools = Path(out) / TOOLS_DIR
    tools.mkdir(parents=True, exist_ok=True)
    _script(tools / "treewide-cc", "cc")
    _script(tools / "treewide-sparse", "sparse")
    for tool in BINUTILS:
        real, dest = shutil.which(prefix + tool), tools / (prefix + tool)
        if not real:
            continue
        if tool.startswith("ld"):
            _script(dest, "ld", real)
        elif not dest.is_symlink() or os.readlink(dest) != real:
            dest.unlink(missing_ok=True)
            dest.symlink_to(real)
    _renew_records(Path(out))


def _script(dest, *args):
    """dest runs treewide-diag with args and its own arguments (rewritten only when it changes)."""
    text = f'#!/bin/sh\nexec {" ".join(shlex.quote(str(a)) for a in (DIAG_WRAPPER, *args))} "$@"\n'
    if dest.is_file() and not dest.is_symlink() and dest.read_text() == text:
        return
    tmp = dest.with_name(dest.name + ".tmp")
    tmp.write_text(text)
    tmp.chmod(0o755)
    tmp.replace(dest)


# A command line compiled through treewide-diag: this version's or an earlier one's.
_WRAPPED_CC = re.compile(r"(?:/treewide-diag cc|/treewide-cc) ")


def _renew_records(out):
    """Records kept by another version of treewide-diag may be wrong or
    missing (one kept genksyms' preprocessor output in place of the
    compiler's, and nothing for 4.10's .tmp_foo.o): every object compiled
    through it is rebuilt (from ccache) to record it again."""
    mark = out / ".treewide-diag-digest"
    digest = hashlib.sha256(DIAG_WRAPPER.read_bytes()).hexdigest()
    if mark.is_file() and mark.read_text() == digest:
        return
    for cmd in out.glob("**/.*.o.cmd"):                     # Kbuild's record of dir/foo.o's command
        with open(cmd, errors="replace") as f:
            if _WRAPPED_CC.search(f.readline()):
                (cmd.parent / cmd.name[1:-len(".cmd")]).unlink(missing_ok=True)
    mark.write_text(digest)


def config_steps(src, out, cell, extra, jobs, wrap=False):
    """The commands that configure a cell: defconfig, its options, olddefconfig."""
    def make(*args):
        return make_command(*args, wrap=wrap)
    steps = [make(src, out, cell, extra, jobs, cell["defconfig"])]
    options = [a for o in cell["enable"] for a in ("--enable", o)] + \
        [a for o in cell["disable"] for a in ("--disable", o)]
    if options:
        steps.append([str(src / "scripts/config"), "--file", str(out / ".config")] + options)
    return steps + [make(src, out, cell, extra, jobs, "olddefconfig")]


def config_values(out, cell):
    """{option: its value in the final .config, or None} for every option the
    cell asks for (olddefconfig drops one whose dependencies are unmet, without
    a word), and the options that did not come out as asked."""
    text = (out / ".config").read_text(errors="replace") if (out / ".config").is_file() else ""
    values = dict(re.findall(r"(?m)^CONFIG_(\w+)=(.*)$", text))
    got = {o: values.get(o) for o in [*cell["enable"], *cell["disable"]]}
    lost = [o for o in cell["enable"] if got[o] not in ("y", "m")] + [o for o in cell["disable"] if got[o]]
    return got, lost


def unmet(src, option, arch):
    """Why Kconfig would drop an option on this arch: defined nowhere, only
    in other arches' Kconfig, or its `depends on` lines."""
    found = select.grep(["-rn", "--include=Kconfig*", "-A", "12", f"^\\s*\\(menu\\)\\?config {option}$", "."], src)
    entries: dict[str, str] = {}                   # Kconfig file -> its entry for the option
    for group in re.split(r"(?m)^--$", found):
        m = re.search(r"^\./(\S+?):\d+:", group, re.M)
        if m:
            entries.setdefault(m.group(1), group)
    if not entries:
        return "no Kconfig of this tree defines it"
    ours = {f: e for f, e in entries.items() if not f.startswith("arch/") or f.startswith(f"arch/{arch}/")}
    if not ours:
        return f"defined only in {', '.join(sorted(entries))}, which {arch} does not read"
    deps = [d for e in ours.values() for d in re.findall(r"^\S+-\d+-\s*depends on (.*)$", e, re.M)]
    deps = [f"({d})" if "||" in d and len(deps) > 1 else d for d in dict.fromkeys(deps)]    # lines are ANDed
    return ("depends on " + " && ".join(deps) if deps else
            f"see its entry in {', '.join(sorted(ours))}")


def lost_options(src, lost, arch):
    """The options a cell asked for that the final .config lacks, each with why."""
    return "requested option(s) not in the final .config: " + "; ".join(
        f"CONFIG_{o} ({unmet(src, o, arch)})" for o in lost)


BUILT_MARK = ".treewide-build-check"


def make_failure(rc, text, roots):
    """None when make ended as `make -k` does: 0, or 2 with each failed
    target's error in its output (a diagnostic of that object, compared
    between the trees). Else why the build is not one to compare: a make
    killed by a signal, or failing with no error in its output."""
    if rc == 0 or (rc > 0 and any(d.kind in ("error", "make", "link") for d in diagnostics(text, roots))):
        return None
    how = f"was killed by signal {-rc}" if rc < 0 else f"exited {rc} with no error in its output"
    return f"{how}: " + " | ".join(text.strip().splitlines()[-3:])


def build(src, out, cell, extra, jobs):
    """Configure and build a cell's targets from an empty O= directory (an
    object a rerun did not rebuild would print no diagnostic, and compare as
    clean); returns (combined log, produced objects, command). ccache keeps
    the rebuild short."""
    if out.is_dir() and any(out.iterdir()) and not (out / BUILT_MARK).is_file():
        raise ToolError(f"{out} exists and build-check did not make it", "pass another OUT")
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    (out / BUILT_MARK).touch()
    steps = config_steps(src, out, cell, extra, jobs) + [make_command(src, out, cell, extra, jobs, *cell["targets"])]
    text = []
    for i, cmd in enumerate(steps):
        r = subprocess.run(cmd, capture_output=True, text=True, errors="replace", check=False)
        text.append(r.stdout + r.stderr)
        # The targets' make may fail (then the objects it did not build say
        # so); configuring may not.
        if r.returncode != 0 and i < len(steps) - 1:
            raise ToolError(f"configuring {out} failed (exit {r.returncode}): {' '.join(cmd)}: "
                            + " | ".join((r.stdout + r.stderr).strip().splitlines()[-3:]),
                            "run that command by hand to see why; nothing was compared")
    _, lost = config_values(out, cell)
    if lost:
        raise ToolError(f"{out}: {lost_options(src, lost, cell['arch'])}",
                        "fix the cell's 'enable'/'disable' in the arch table for this tree")
    why = make_failure(r.returncode, text[-1], (src, out))
    if why:
        raise ToolError(f"{' '.join(steps[-1])} {why}", "run that command by hand to see why; nothing was compared")
    objs = sorted(str(p.relative_to(out)) for t in cell["targets"] for p in _objects(out, t))
    return "\n".join(text), objs, " ".join(steps[-1])


def _objects(out, target):
    path = out / target
    if target.endswith("/"):
        return sorted(path.glob("**/*.o")) if path.is_dir() else []
    return [path] if path.exists() else []


def check_cell(name, cell, base, patched, version, quirks, workdir, jobs, log=print):
    if not shutil.which(f"{cell['cross_compile']}gcc"):
        raise ToolError(f"{cell['cross_compile']}gcc not found", f"install {cell['package']} (make deps)")
    extra, why = quirks_for(quirks, version, cell["arch"])
    result = {"cell": name, "quirks": why, "trees": {}}
    for label, src in (("baseline", base), ("patched", patched)):
        t0 = time.monotonic()
        log(f"  {name}: building {label} ({len(cell['targets'])} target(s))")
        text, objs, cmd = build(src, workdir / f"{name}-{label}", cell, extra, jobs)
        (workdir / f"{name}-{label}.log").write_text(text)
        result["trees"][label] = {"objects": objs, "command": cmd, "wall_s": round(time.monotonic() - t0, 1),
                                  "diagnostics": diagnostics(text, (src, workdir / f"{name}-{label}"))}
    if not result["trees"]["baseline"]["objects"]:
        raise ToolError(f"the baseline of {name} built none of its targets ({' '.join(cell['targets'])}): "
                        "nothing to compare", f"read {workdir}/{name}-baseline.log")
    b, p = result["trees"]["baseline"]["diagnostics"], result["trees"]["patched"]["diagnostics"]
    result["new"] = sorted(str(d) for d in (p - b))
    result["gone"] = sorted(str(d) for d in (b - p))
    result["unchanged"] = sorted(str(d) for d in (b & p))
    result["missing_objects"] = sorted(set(result["trees"]["baseline"]["objects"]) -
                                       set(result["trees"]["patched"]["objects"]))
    # An object the baseline failed to build says nothing of what it referenced.
    base_failed = {d.file for d in b if d.kind == "make"}
    result["unresolved"] = linkrefs.new_unresolved(
        f"{cell['cross_compile']}nm", workdir / f"{name}-baseline", result["trees"]["baseline"]["objects"],
        workdir / f"{name}-patched", [o for o in result["trees"]["patched"]["objects"] if o not in base_failed],
        patched, cell["arch"])
    for t in result["trees"].values():
        t["diagnostics"] = len(t.pop("diagnostics"))
    return result
