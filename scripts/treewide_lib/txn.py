"""Writing staged files into a tree all at once, or not at all.

Originals are backed up and a journal is written before the first file is
replaced; an interrupted commit is rolled back, at once or by the next run.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .encoding import ENC
from .errors import ToolError
from .signals import blocked as signals_blocked
from .tree import digest, read_bytes


JOURNAL = "journal.json"
KEPT = (  # originals of files someone else changed during a write that was rolled back
    "rollback-kept"
)

# What the user's tree holds now, for the last words of an interrupted run.
# Only `apply` in place names a user's tree; the scratch copies that
# series and matrix rewrite are none of the user's business.
PHASE: dict[str, Any] = {
    "phase": "untouched",
    "tree": "",
    "files": 0,
    "user_tree": None,
    "kept": [],
}


def watch(root: Path | str) -> None:
    """The tree the user asked this run to write (nothing of it written yet)."""
    PHASE.update(phase="untouched", tree="", files=0, user_tree=str(root), kept=[])


def tree_state() -> str:
    """One sentence: what the user's tree holds after this process was interrupted."""
    p = PHASE
    if p["tree"] != p["user_tree"]:
        return "the tree was left as it was before this run"
    if p["phase"] == "reported":
        return (
            f"{p['tree']} holds this run's result ({p['files']} file(s) rewritten) and its report"
            " is written"
        )
    if p["phase"] == "written":
        return (
            f"{p['tree']} holds this run's result ({p['files']} file(s) rewritten); its report may"
            " be missing: run apply again with the same OUT to write it (that run changes nothing)"
        )
    if p["phase"] == "writing":
        return (
            f"the write into {p['tree']} was cut off; the next run with the same OUT rolls it back"
        )
    if p["phase"] == "rolled-back" and p["kept"]:
        return (
            f"the write into {p['tree']} was rolled back, except {len(p['kept'])} file(s) someone"
            f" else changed meanwhile, left as they are (first {p['kept'][0]})"
        )
    if p["phase"] == "rolled-back":
        return f"the write into {p['tree']} was rolled back: the tree is as it was before this run"
    return "the tree was left as it was before this run"


def user_tree_written() -> bool:
    """The user's tree holds this run's result (a stop now must let the run finish its report)."""
    return PHASE["phase"] in ("written", "reported") and PHASE["tree"] == PHASE["user_tree"]


def reported() -> None:
    """The report of the write is on disk too."""
    if PHASE["phase"] == "written":
        PHASE["phase"] = "reported"


def on_disk(root: Path | str, rels: Iterable[str]) -> dict[str, str | None]:
    """Each file's digest as it is now (what `commit` expects of a file read just now)."""
    return {rel: digest(read_bytes(Path(root) / rel)) for rel in rels}


def write_atomic(path: Path, data: str | bytes) -> None:
    """An interrupted run leaves the old file or the new one, never half of
    one. `data` is bytes, or text written with no newline translation."""
    tmp = path.with_name(path.name + ".treewide-tmp")
    mode = path.stat().st_mode if path.exists() else 0o644
    tmp.write_bytes(data if isinstance(data, bytes) else data.encode(**ENC))
    os.chmod(tmp, mode & 0o7777)
    os.replace(tmp, path)


def _write_durably(path, text):
    """Written whole or not at all, and on disk before the first file of the tree is replaced."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _writable(path):
    """path (or, for a new file, its nearest existing directory) can be written."""
    while not path.exists():
        path = path.parent
    return os.access(path, os.W_OK) and (path.is_dir() or os.access(path.parent, os.W_OK))


def check_writable(root: Path, rels: Iterable[str]) -> None:
    bad = [r for r in rels if not _writable(root / r)]
    if bad:
        raise ToolError(f"cannot write {len(bad)} file(s) of {root}, first {bad[0]}",
                        "make the tree writable (or work on a copy); nothing was changed")


class Transaction:
    def __init__(self, root: Path | str, workdir: Path | str) -> None:
        self.root = Path(root)
        self.dir = Path(workdir) / ".txn"

    def _journal(self):
        """The journal of an unfinished commit into this tree, or None."""
        journal = self.dir / JOURNAL
        if not journal.exists():
            return None
        try:
            data = json.loads(journal.read_text())
            tree, files, created = data["tree"], list(data["files"]), list(data.get("created", []))
            wrote = dict(data.get("wrote", {}))
        except (ValueError, KeyError, TypeError, OSError) as e:
            raise ToolError(
                (
                    f"the journal of an interrupted run, {journal}, is damaged ({e}); the tree may"
                    " hold some of that run's files, and their originals are in"
                    f" {self.dir / 'orig'}"
                ),
                (
                    "restore the files listed there by hand (or check the tree with git), then"
                    f" delete {self.dir}"
                ),
            ) from None
        if tree != str(self.root):
            raise ToolError(
                f"{journal} belongs to an interrupted run on another tree, {tree}",
                (
                    f"roll it back with `treewide apply {tree} --out {self.dir.parent} --dry-run`, "
                    "or pass another OUT for this tree"
                ),
            )
        return files, created, wrote

    def _check_space(self, staged):
        """Refuse before the first byte when the backups or the new files cannot fit."""
        backups = sum((self.root / r).stat().st_size for r in staged if (self.root / r).exists())
        new = sum(len(t.encode(**ENC)) if isinstance(t, str) else len(t) for t in staged.values())
        self.dir.parent.mkdir(parents=True, exist_ok=True)
        for where, need in ((self.dir.parent, backups), (self.root, new)):
            free = shutil.disk_usage(where).free
            if free < need + (1 << 20):
                raise ToolError(
                    f"{where} has {free} bytes free; this run needs {need} and a margin",
                    (
                        "free space on that filesystem (or pass another OUT), then run again; "
                        "nothing was written"
                    ),
                )

    def recover(self) -> list[str]:
        """Roll back a commit an earlier run on this tree did not finish;
        returns the files restored."""
        restored, kept = self._rollback()
        if kept:
            raise ToolError(
                (
                    f"{len(kept)} file(s) of {self.root} were changed by someone else during an"
                    f" interrupted write, first {kept[0]}: they are left as they are; the others"
                    " were rolled back"
                ),
                (
                    "check them (their versions before that run are in "
                    f"{self.dir.parent / KEPT}), then run again"
                ),
            )
        return restored

    def _rollback(self):
        """Put back the originals of the journal's files: (restored, kept). A file that holds
        neither its original nor what the run wrote was changed by someone else since: it is
        left as it is, and its original kept in OUT/rollback-kept/."""
        found = self._journal()
        if found is None:
            shutil.rmtree(self.dir, ignore_errors=True)
            return [], []
        files, created, wrote = found
        restored, kept = [], []
        with signals_blocked():
            for rel in files:
                orig = self.dir / "orig" / rel
                if self._someone_elses(rel, wrote, digest(orig.read_bytes())):
                    kept.append(rel)
                    (self.dir.parent / KEPT / rel).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(orig, self.dir.parent / KEPT / rel)
                elif digest(read_bytes(self.root / rel)) != digest(orig.read_bytes()):
                    write_atomic(self.root / rel, orig.read_bytes())
                    restored.append(rel)
            for rel in created:
                if self._someone_elses(rel, wrote, None):
                    kept.append(rel)
                elif (self.root / rel).exists():
                    (self.root / rel).unlink()
                    restored.append(rel)
            shutil.rmtree(self.dir)
        PHASE["kept"] = kept
        return restored, kept

    def _someone_elses(self, rel, wrote, orig):
        """The file holds neither `orig` nor what the run wrote (a journal of an older
        version has no digests: its files are all the run's)."""
        return rel in wrote and digest(read_bytes(self.root / rel)) not in (wrote[rel], orig)

    def commit(self, staged: dict[str, str | bytes], expected: dict[str, str | None]) -> None:
        """Write the staged files; `expected` is each file's digest as the run read it (None: no
        file). A file that no longer holds what was read is never overwritten: the commit stops
        before writing anything, or rolls back what it wrote, and names the file."""
        rels = sorted(staged)
        check_writable(self.root, rels)
        self._check_space(staged)
        self._check_unchanged(rels, expected)
        shutil.rmtree(self.dir, ignore_errors=True)
        existing = [r for r in rels if expected[r] is not None]
        created = [r for r in rels if r not in existing]
        for rel in existing:
            backup = self.dir / "orig" / rel
            backup.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(self.root / rel, backup)
            if (
                digest(backup.read_bytes()) != expected[rel]
            ):  # changed between the check and the copy
                shutil.rmtree(self.dir, ignore_errors=True)
                raise self._changed_error([rel])
        data: dict[str, bytes] = {}
        for rel in rels:
            content = staged[rel]
            data[rel] = content if isinstance(content, bytes) else content.encode(**ENC)
        self.dir.mkdir(parents=True, exist_ok=True)
        _write_durably(
            self.dir / JOURNAL,
            json.dumps(
                {
                    "tree": str(self.root),
                    "files": existing,
                    "created": created,
                    "wrote": {rel: digest(data[rel]) for rel in rels},
                }
            ),
        )
        PHASE.update(phase="writing", tree=str(self.root), files=len(rels))
        try:
            for rel in rels:
                self._check_unchanged([rel], expected)
                (self.root / rel).parent.mkdir(parents=True, exist_ok=True)
                write_atomic(self.root / rel, data[rel])
        except BaseException:
            self._rollback()
            PHASE["phase"] = "rolled-back"
            raise
        PHASE["phase"] = "written"
        shutil.rmtree(self.dir)

    def _check_unchanged(self, rels, expected):
        changed = [rel for rel, now in on_disk(self.root, rels).items() if now != expected[rel]]
        if changed:
            raise self._changed_error(changed)

    def _changed_error(self, changed):
        return ToolError(
            f"{changed[0]} changed in {self.root} after this run read it"
            + (f" ({len(changed)} file(s) in all)" if len(changed) > 1 else ""),
            (
                "nothing of this run is left in the tree and the change is kept; run again once "
                "nobody else is changing the tree"
            ),
        )
