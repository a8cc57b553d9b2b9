"""Writing staged files into a tree all at once, or not at all.

Originals are backed up and a journal is written before the first file is
replaced; an interrupted commit is rolled back, at once or by the next run.
"""

import json
import os
import shutil
from pathlib import Path

from .errors import ToolError
from .tree import ENC

JOURNAL = "journal.json"

# What the user's tree holds now, for the last words of an interrupted run.
# Only `apply` in place names a user's tree; the scratch copies that
# series and matrix rewrite are none of the user's business.
PHASE = {"phase": "untouched", "tree": "", "files": 0, "user_tree": None}


def watch(root):
    """The tree the user asked this run to write."""
    PHASE["user_tree"] = str(root)


def last_words():
    """One sentence: what the user's tree holds after this process was interrupted."""
    p = PHASE
    if p["tree"] != p["user_tree"]:
        return "the tree was left as it was before this run"
    if p["phase"] == "written":
        return (f"{p['tree']} holds this run's result ({p['files']} file(s) rewritten); its report may be "
                "missing: run apply again with the same OUT to write it (that run changes nothing)")
    if p["phase"] == "writing":
        return f"the write into {p['tree']} was cut off; the next run with the same OUT rolls it back"
    if p["phase"] == "rolled-back":
        return f"the write into {p['tree']} was rolled back: the tree is as it was before this run"
    return "the tree was left as it was before this run"


def write_atomic(path, data):
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


def check_writable(root, rels):
    bad = [r for r in rels if not _writable(root / r)]
    if bad:
        raise ToolError(f"cannot write {len(bad)} file(s) of {root}, first {bad[0]}",
                        "make the tree writable (or work on a copy); nothing was changed")


class Transaction:
    def __init__(self, root, workdir):
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
        except (ValueError, KeyError, TypeError, OSError) as e:
            raise ToolError(f"the journal of an interrupted run, {journal}, is damaged ({e}); the tree may hold "
                            f"some of that run's files, and their originals are in {self.dir / 'orig'}",
                            f"restore the files listed there by hand (or check the tree with git), then delete "
                            f"{self.dir}") from None
        if tree != str(self.root):
            raise ToolError(f"{journal} belongs to an interrupted run on another tree, {tree}",
                            f"roll it back with `treewide apply {tree} --out {self.dir.parent} --dry-run`, "
                            "or pass another OUT for this tree")
        return files, created

    def _check_space(self, staged):
        """Refuse before the first byte when the backups or the new files cannot fit."""
        backups = sum((self.root / r).stat().st_size for r in staged if (self.root / r).exists())
        new = sum(len(t.encode(**ENC)) if isinstance(t, str) else len(t) for t in staged.values())
        self.dir.parent.mkdir(parents=True, exist_ok=True)
        for where, need in ((self.dir.parent, backups), (self.root, new)):
            free = shutil.disk_usage(where).free
            if free < need + (1 << 20):
                raise ToolError(f"{where} has {free} bytes free; this run needs {need} and a margin",
                                "free space on that filesystem (or pass another OUT), then run again; "
                                "nothing was written")

    def recover(self):
        """Roll back a commit an earlier run on this tree did not finish; returns the files restored."""
        found = self._journal()
        if found is None:
            shutil.rmtree(self.dir, ignore_errors=True)
            return []
        files, created = found
        data = {"files": files, "created": created}
        for rel in data["files"]:
            write_atomic(self.root / rel, (self.dir / "orig" / rel).read_bytes())
        for rel in data.get("created", []):
            (self.root / rel).unlink(missing_ok=True)
        shutil.rmtree(self.dir)
        return data["files"] + data.get("created", [])

    def commit(self, staged):
        rels = sorted(staged)
        check_writable(self.root, rels)
        self._check_space(staged)
        shutil.rmtree(self.dir, ignore_errors=True)
        existing = [r for r in rels if (self.root / r).exists()]
        created = [r for r in rels if r not in existing]
        for rel in existing:
            backup = self.dir / "orig" / rel
            backup.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(self.root / rel, backup)
        self.dir.mkdir(parents=True, exist_ok=True)
        _write_durably(self.dir / JOURNAL, json.dumps({"tree": str(self.root), "files": existing, "created": created}))
        PHASE.update(phase="writing", tree=str(self.root), files=len(rels))
        try:
            for rel in rels:
                (self.root / rel).parent.mkdir(parents=True, exist_ok=True)
                write_atomic(self.root / rel, staged[rel])
        except BaseException:
            self.recover()
            PHASE["phase"] = "rolled-back"
            raise
        PHASE["phase"] = "written"
        shutil.rmtree(self.dir)
