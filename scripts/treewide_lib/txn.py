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


def _write_atomic(path, text):
    tmp = path.with_name(path.name + ".treewide-tmp")
    mode = path.stat().st_mode if path.exists() else 0o644
    tmp.write_text(text, **ENC)
    os.chmod(tmp, mode & 0o7777)
    os.replace(tmp, path)


def check_writable(root, rels):
    bad = [r for r in rels if not os.access(root / r, os.W_OK) or not os.access((root / r).parent, os.W_OK)]
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
        files = json.loads(journal.read_text())["files"]
        for rel in files:
            _write_atomic(self.root / rel, (self.dir / "orig" / rel).read_text(**ENC))
        shutil.rmtree(self.dir)
        return files

    def commit(self, staged):
        rels = sorted(staged)
        check_writable(self.root, rels)
        shutil.rmtree(self.dir, ignore_errors=True)
        for rel in rels:
            backup = self.dir / "orig" / rel
            backup.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(self.root / rel, backup)
        (self.dir / JOURNAL).write_text(json.dumps({"tree": str(self.root), "files": rels}))
        try:
            for rel in rels:
                _write_atomic(self.root / rel, staged[rel])
        except BaseException:
            self.recover()
            raise
        shutil.rmtree(self.dir)
