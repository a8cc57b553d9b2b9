"""One rule for the directory a command writes (OUT), for every command.

OUT never lies inside a kernel tree the run reads, nor above one. A
command that replaces what is in OUT (matrix, boot, series, the benches)
uses it only when it is new, empty, or holds the marker an earlier run of
the same command left: the file .treewide-out, whose text names that
command. apply and sweep write only files of their own names into OUT and
delete nothing, so the tree rule is all they need.
"""

from collections.abc import Iterable
from pathlib import Path

from .errors import ToolError

MARK = ".treewide-out"


def check(out: Path | str, trees: Iterable[Path | str] = (), command: str | None = None) -> Path:
    """OUT resolved, refused where writing it would touch a tree or (for a
    command) what that command did not write. Nothing is created."""
    out = Path(out).resolve()
    for root in trees:
        _apart(out, Path(root).resolve())
    if out.exists() and not out.is_dir():
        raise ToolError(
            f"output directory {out} is a file", "pass OUT=DIR naming a directory, or a new path"
        )
    if command and out.is_dir() and any(out.iterdir()) and not ours(out, command):
        raise ToolError(f"{out} is not empty and no `treewide {command}` run wrote it",
                        f"pass a new or empty OUT, or the OUT of an earlier {command} run")
    return out


def ours(path: Path | str, command: str) -> bool:
    """Whether an earlier run of command wrote the directory at path (the
    marker of earlier versions, .treewide-<command>, counts)."""
    mark = Path(path) / MARK
    if mark.is_file():
        return mark.read_text().strip() == command
    return (Path(path) / f".treewide-{command}").is_file()


def claim(out: Path, command: str) -> None:
    """Create OUT (checked first) and mark it as command's."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        (out / MARK).write_text(f"{command}\n")
    except OSError as e:
        raise ToolError(
            f"cannot write {out}: {e.strerror}", "pass an OUT=DIR you can write"
        ) from None


def _apart(out: Path, root: Path) -> None:
    if out == root or root in out.parents:
        raise ToolError(f"output directory {out} is inside the kernel tree {root}",
                        "pass OUT=DIR outside the tree (default: out/<tree name>/ here)")
    if out in root.parents:
        raise ToolError(f"output directory {out} contains the kernel tree {root}, where this run "
                        "would write its reports (and --force would replace it)",
                        "pass OUT=DIR outside the tree and not above it")
