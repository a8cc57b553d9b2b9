"""The arch table's fixups: known bugs of old trees that today's compilers
reject, mended in the toolkit's copies (never in the user's tree), the
same way in the baseline and the patched copy."""

import os
from pathlib import Path

from .diagnostics import read_text
from .table import Fixup


def apply(fixups: list[Fixup], root: Path, like: Path) -> list[Fixup]:
    """Apply the fixups whose text is found in the copy `root`, replacing
    files (hard links stay untouched) with the timestamps of the tree they
    came from (`like`), so incremental builds see no change between runs.
    Returns the fixups applied."""
    done = []
    for f in applicable(fixups, root):
        path = Path(root) / f.file
        tmp = path.with_name(path.name + ".treewide-fixup")
        tmp.write_text(read_text(path).replace(f.find, f.replace), errors="surrogateescape")
        st = (Path(like) / f.file).stat()
        os.utime(tmp, ns=(st.st_atime_ns, st.st_mtime_ns))
        os.replace(tmp, path)
        done.append(f)
    return done


def applicable(fixups: list[Fixup], root: Path) -> list[Fixup]:
    """The fixups whose text is found in the tree at root."""
    return [f for f in fixups if f.find in read_text(Path(root) / f.file)]
