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


def write_atomic(path, text):
    """An interrupted run leaves the old file or the new one, never half of one."""
    tmp = path.with_name(path.name + ".treewide-tmp")
    mode = path.stat().st_mode if path.exists() else 0o644
    tmp.write_text(text, **ENC)
    os.chmod(tmp, mode & 0o7777)
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

    def recover(self):
        """Roll back a commit an earlier run did not finish; returns the files restored."""
        journal = self.dir / JOURNAL
        if not journal.exists():
            shutil.rmtree(self.dir, ignore_errors=True)
            return []
        data = json.loads(journal.read_text())
        for rel in data["files"]:
            write_atomic(self.root / rel, (self.dir / "orig" / rel).read_text(**ENC))
        for rel in data.get("created", []):
            (self.root / rel).unlink(missing_ok=True)
        shutil.rmtree(self.dir)
        return data["files"] + data.get("created", [])

    def commit(self, staged):
        rels = sorted(staged)
        check_writable(self.root, rels)
        shutil.rmtree(self.dir, ignore_errors=True)
        existing = [r for r in rels if (self.root / r).exists()]
        created = [r for r in rels if r not in existing]
        for rel in existing:
            backup = self.dir / "orig" / rel
            backup.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(self.root / rel, backup)
        self.dir.mkdir(parents=True, exist_ok=True)
        (self.dir / JOURNAL).write_text(json.dumps({"tree": str(self.root), "files": existing, "created": created}))
        try:
            for rel in rels:
                (self.root / rel).parent.mkdir(parents=True, exist_ok=True)
                write_atomic(self.root / rel, staged[rel])
        except BaseException:
            self.recover()
            raise
        shutil.rmtree(self.dir)
