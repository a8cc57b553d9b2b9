"""The make command of a build, the same for the matrix, boot and the
per-commit walk: reproducible build settings, ccache shared between trees
laid out alike, the arch table's quirks; and the wrappers that keep each
object's diagnostics across incremental builds."""

import hashlib
import os
import re
import shlex
import shutil
from pathlib import Path

from ..paths import DIAG_WRAPPER
from .table import Target

# Make variables: the arch table's quirks for a release (HOSTCFLAGS, KCFLAGS...).
Vars = dict[str, str]

# Tools Kbuild runs as $(CROSS_COMPILE)<tool>. In a wrapped build they come
# from O=/.treewide-tools/, where ld is treewide-diag and the rest are links.
# CC and CHECK are that directory's treewide-cc and treewide-sparse: Kbuild
# keeps each object's command line, and a toolkit path in it (another
# checkout, a worktree) would make every object compile again.
TOOLS_DIR = ".treewide-tools"
BINUTILS = (
    "addr2line",
    "ar",
    "as",
    "c++filt",
    "cpp",
    "elfedit",
    "g++",
    "gcc",
    "gcc-ar",
    "gcc-nm",
    "gcc-ranlib",
    "ld",
    "ld.bfd",
    "nm",
    "objcopy",
    "objdump",
    "ranlib",
    "readelf",
    "size",
    "strings",
    "strip",
)
REPRODUCIBLE = {
    "KBUILD_BUILD_TIMESTAMP": "Thu Jan  1 00:00:00 UTC 1970",
    "KBUILD_BUILD_USER": "treewide",
    "KBUILD_BUILD_HOST": "treewide",
    "KBUILD_BUILD_VERSION": "1",
}


def command(src: Path, out: Path, target: Target, extra: Vars, jobs: int | None, *goals: str,
            sparse: bool = False, wrap: bool = False) -> list[str]:
    """The make command of a build of target (a Cell or Machine): jobs=None
    leaves -j to a jobserver. With wrap, CC and CHECK go through
    treewide-diag, so every object keeps its own diagnostics (dir/foo.o.cc,
    dir/foo.o.sparse) across incremental builds; without, it is the plain
    command a user reproduces the build with."""
    ccache = "ccache " if shutil.which("ccache") else ""
    tools = f"{out}/{TOOLS_DIR}"
    wrapper = f"{tools}/treewide-cc " if wrap else ""
    cross = f"{tools}/{target.cross_compile}" if wrap else target.cross_compile
    cmd = ["make", "-C", str(src), f"O={out}", f"ARCH={target.make_arch}", "-k",
           f"CC={wrapper}{ccache}{target.cross_compile}gcc", f"HOSTCC={ccache}gcc"]
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
    return cmd + list(goals)


def wrapped(src: Path, out: Path, target: Target, extra: Vars, jobs: int | None, *goals: str,
            sparse: bool = False) -> list[str]:
    """command() of a wrapped build."""
    return command(src, out, target, extra, jobs, *goals, sparse=sparse, wrap=True)


def diag_tools(out: Path, prefix: str) -> None:
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


def _script(dest: Path, *args: object) -> None:
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


def _renew_records(out: Path) -> None:
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
